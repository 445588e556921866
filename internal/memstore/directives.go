package memstore

import (
	"encoding/json"
	"slices"
	"sync"

	lru "github.com/hashicorp/golang-lru/v2"

	"github.com/vnregistry/registry/internal/registry"
)

// directiveMemory holds the directives whole, with the lookups requests
// make of them: by symbol (a procedure's legal bases), by relation (the
// inverse edges), and the latest searches. A search with facets filters the
// same set four times in one request (the list and three facets): the
// filter is applied once.
type directiveMemory struct {
	mu        sync.RWMutex
	rows      map[string]*registry.Directive   // by key
	bySymbol  map[string][]*registry.Directive // symbol key -> directives bearing it
	relatedTo map[string][]*registry.Directive // symbol key -> directives stating a relation to it
	// searches remembers matches by filter until the next write.
	searches *lru.Cache[string, []*registry.Directive]
}

// rememberedSearches bounds the searches kept: the clients of one moment.
const rememberedSearches = 64

func newDirectiveMemory() *directiveMemory {
	searches, _ := lru.New[string, []*registry.Directive](rememberedSearches)
	return &directiveMemory{rows: map[string]*registry.Directive{}, bySymbol: map[string][]*registry.Directive{},
		relatedTo: map[string][]*registry.Directive{}, searches: searches}
}

// put records d as stored. Values are never changed once put.
func (dm *directiveMemory) put(d *registry.Directive) {
	c := *d
	dm.mu.Lock()
	defer dm.mu.Unlock()
	dm.unindex(d.Key)
	dm.rows[d.Key] = &c
	dm.bySymbol[c.SymbolKey] = append(dm.bySymbol[c.SymbolKey], &c)
	for _, r := range c.Relations {
		if !slices.Contains(dm.relatedTo[r.SymbolKey], &c) {
			dm.relatedTo[r.SymbolKey] = append(dm.relatedTo[r.SymbolKey], &c)
		}
	}
	dm.searches.Purge()
}

// remove forgets the directive with key.
func (dm *directiveMemory) remove(key string) {
	dm.mu.Lock()
	defer dm.mu.Unlock()
	dm.unindex(key)
	delete(dm.rows, key)
	dm.searches.Purge()
}

// unindex drops the directive with key from the lookups. Callers hold the
// write lock.
func (dm *directiveMemory) unindex(key string) {
	old := dm.rows[key]
	if old == nil {
		return
	}
	drop := func(m map[string][]*registry.Directive, key string) {
		m[key] = slices.DeleteFunc(m[key], func(x *registry.Directive) bool { return x == old })
	}
	drop(dm.bySymbol, old.SymbolKey)
	for _, r := range old.Relations {
		drop(dm.relatedTo, r.SymbolKey)
	}
}

func (dm *directiveMemory) get(key string) *registry.Directive {
	dm.mu.RLock()
	defer dm.mu.RUnlock()
	if d := dm.rows[key]; d != nil {
		c := *d
		return &c
	}
	return nil
}

func (dm *directiveMemory) size() int {
	dm.mu.RLock()
	defer dm.mu.RUnlock()
	return len(dm.rows)
}

// withSymbolKeys returns the directives bearing one of keys, of one year
// when year is not nil.
func (dm *directiveMemory) withSymbolKeys(keys []string, year *int) []*registry.Directive {
	dm.mu.RLock()
	defer dm.mu.RUnlock()
	var out []*registry.Directive
	for _, k := range keys {
		for _, d := range dm.bySymbol[k] {
			if (year == nil || d.Year == *year) && !slices.Contains(out, d) {
				out = append(out, d)
			}
		}
	}
	return out
}

// relating returns the directives stating a relation to symbolKey.
func (dm *directiveMemory) relating(symbolKey string) []*registry.Directive {
	dm.mu.RLock()
	defer dm.mu.RUnlock()
	return slices.Clone(dm.relatedTo[symbolKey])
}

// matching returns the directives f matches, in no order; the slice is the
// caller's.
func (dm *directiveMemory) matching(f registry.DirectiveFilter) ([]*registry.Directive, error) {
	match, err := f.Matcher()
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(f)
	key := string(raw)
	if hit, ok := dm.searches.Get(key); ok {
		return slices.Clone(hit), nil
	}
	dm.mu.RLock()
	var out []*registry.Directive
	for _, d := range dm.rows {
		if match(d) {
			out = append(out, d)
		}
	}
	// Added under the read lock, so a write (which purges) cannot come
	// between the filtering and the remembering.
	dm.searches.Add(key, out)
	dm.mu.RUnlock()
	return slices.Clone(out), nil
}
