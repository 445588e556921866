package telemetry

import "sync"

// Label values used instead of an operation name.
const (
	nameAnonymous = "anonymous"
	nameInvalid   = "invalid"
	nameOther     = "other"
	nameUnknown   = "unknown" // request rejected before an operation was chosen
)

const maxNameLength = 64

// sanitizeName returns name when it is safe to show as a label or log field.
func sanitizeName(name string) string {
	if name == "" {
		return nameAnonymous
	}
	if len(name) > maxNameLength {
		return nameInvalid
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_') {
			return nameInvalid
		}
	}
	return name
}

// nameSet bounds the operation-name label: clients choose names, and every
// distinct label value is a time series kept forever by Prometheus.
type nameSet struct {
	mu   sync.Mutex
	max  int
	seen map[string]struct{}
}

func newNameSet(max int) *nameSet {
	return &nameSet{max: max, seen: make(map[string]struct{})}
}

// label returns the metric label for an operation name.
func (s *nameSet) label(name string) string {
	name = sanitizeName(name)
	if name == nameAnonymous || name == nameInvalid {
		return name
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.seen[name]; ok {
		return name
	}
	if len(s.seen) >= s.max {
		return nameOther
	}
	s.seen[name] = struct{}{}
	return name
}
