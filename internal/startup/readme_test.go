package startup_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/vnregistry/registry/graph"
	"github.com/vnregistry/registry/internal/demo"
	"github.com/vnregistry/registry/internal/feed"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/storetest"
)

// TestReadmeExamplesSendOnlyIDCommands: on the embedded engine, every
// GraphQL example of the README and then of the docs/ pages, run in order
// on the sample data (cmd/registry's TestReadme checks their answers), answers
// without errors and sends the engine nothing but inserts and
// single-document finds and updates filtered on exactly {_id: x}: the one
// filter FerretDB 1.24 hands to SQLite (anything else decodes the whole
// collection).
func TestReadmeExamplesSendOnlyIDCommands(t *testing.T) {
	if !storetest.Embedded() {
		t.Skip("the {_id}-only rule is the embedded engine's")
	}
	var (
		recording atomic.Bool
		mu        sync.Mutex
		sent      []sentCommand
	)
	monitor := &event.CommandMonitor{Started: func(_ context.Context, e *event.CommandStartedEvent) {
		if recording.Load() {
			mu.Lock()
			sent = append(sent, sentCommand{e.CommandName, append(bson.Raw(nil), e.Command...)})
			mu.Unlock()
		}
	}}
	st := storetest.Open(t, func(c *gateway.Config) { c.Monitor = monitor })
	if _, err := demo.Seed(storetest.Context(t), st, st.Calendar()); err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(storetest.AsDeveloper(graph.WithLoaders(st, graph.NewHandler(&graph.Resolver{Registry: st, Feed: feed.New()}, graph.Options{}))))
	defer srv.Close()

	recording.Store(true)
	for i, doc := range readmeExamples(t) {
		began := time.Now()
		body, _ := json.Marshal(map[string]any{"query": doc})
		resp, err := http.Post(srv.URL, "application/json", bytes.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		var out struct {
			Errors []json.RawMessage
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		if err != nil || len(out.Errors) > 0 {
			t.Errorf("README example %d: %v %s", i+1, err, out.Errors)
		}
		t.Logf("README example %d answered in %v", i+1, time.Since(began).Round(time.Microsecond))
	}
	recording.Store(false)

	mu.Lock()
	defer mu.Unlock()
	if len(sent) == 0 {
		t.Fatal("the monitor saw no command: the test watches nothing")
	}
	kinds := map[string]int{}
	for _, c := range sent {
		kinds[c.name]++
		if err := c.idOnly(); err != nil {
			t.Errorf("%v\n%s", err, c.doc)
		}
	}
	t.Logf("commands sent by the README's examples: %v", kinds)
}

type sentCommand struct {
	name string
	doc  bson.Raw
}

// idOnly refuses any command that would make the embedded engine decode a
// collection: everything but inserts and finds, updates and deletes whose
// every filter is exactly {_id: <string>}.
func (c sentCommand) idOnly() error {
	switch c.name {
	case "insert", "endSessions":
		return nil
	case "find":
		return exactlyID(c.doc.Lookup("filter"))
	case "findAndModify":
		return exactlyID(c.doc.Lookup("query"))
	case "update", "delete":
		field, filter := "updates", "q"
		if c.name == "delete" {
			field = "deletes"
		}
		elems, err := c.doc.Lookup(field).Array().Values()
		if err != nil {
			return err
		}
		for _, e := range elems {
			if err := exactlyID(e.Document().Lookup(filter)); err != nil {
				return err
			}
		}
		return nil
	}
	return fmt.Errorf("command %s sent to the embedded engine", c.name)
}

func exactlyID(filter bson.RawValue) error {
	doc, ok := filter.DocumentOK()
	if !ok {
		return fmt.Errorf("filter %v is not a document", filter)
	}
	elems, err := doc.Elements()
	if err != nil {
		return err
	}
	if len(elems) != 1 || elems[0].Key() != "_id" || elems[0].Value().Type != bson.TypeString {
		return fmt.Errorf("filter %s is not exactly {_id: <string>}", doc)
	}
	return nil
}

// readmeExamples are the GraphQL blocks of the README, then of the docs/
// pages in name order, as TestReadme runs them.
func readmeExamples(t *testing.T) []string {
	t.Helper()
	pages, err := filepath.Glob("../../docs/*.md")
	if err != nil {
		t.Fatal(err)
	}
	var docs []string
	for _, page := range append([]string{"../../README.md"}, pages...) {
		text, err := os.ReadFile(page)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range regexp.MustCompile("(?s)```graphql\n(.*?)```").FindAllStringSubmatch(string(text), -1) {
			docs = append(docs, m[1])
		}
	}
	if len(docs) < 9 {
		t.Fatalf("found %d GraphQL examples in the README and docs/", len(docs))
	}
	return docs
}
