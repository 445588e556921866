package model

// Node is any object with a global id. The domain records do not know their
// global ids (resolvers derive them), so the interface asks nothing of them.
type Node any
