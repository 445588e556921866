package main

import (
	"bytes"
	"context"
	"maps"
	"regexp"
	"slices"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestRollupRepairAtOpenReported: the embedded store repairs drifted
// rollups when it opens, before anything can compare them; the server
// counts the repair in its metrics, and `registry stats verify` reports it
// instead of "agree".
func TestRollupRepairAtOpenReported(t *testing.T) {
	t.Parallel()
	cfg := defaultConfig(t)
	s := startServer(t, cfg)
	s.seed(t)
	s.receive(t, "")
	s.receive(t, "")
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}
	client, err := mongo.Connect(options.Client().ApplyURI(cfg.store.mongoURI))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(context.Background())
	rollups := client.Database(cfg.store.database).Collection("rollups")

	corruptRollup(t, rollups)
	s = startServer(t, cfg)
	_, metrics := s.get(t, "/metrics", nil)
	if !regexp.MustCompile(`(?m)^registry_rollups_repaired_total\{unit="counters"\} [1-9]`).Match(metrics) ||
		!regexp.MustCompile(`(?m)^registry_rollups_repaired_total\{unit="documents"\} 1$`).Match(metrics) {
		t.Errorf("/metrics after a start that repaired one document:\n%s", grepLines(metrics, "registry_rollups_repaired"))
	}
	if !regexp.MustCompile(`statistics rollups repaired from the dossiers.* documents=1 counters=[1-9]`).MatchString(s.logs.String()) {
		t.Error("the server's log does not say what its start repaired")
	}
	if err := s.stop(t); err != nil {
		t.Fatal(err)
	}

	cell := corruptRollup(t, rollups)
	var out bytes.Buffer
	code := run(t.Context(), []string{"stats", "verify", "--mongodb-uri", cfg.store.mongoURI, "--database", cfg.store.database}, &out, &out)
	report := regexp.MustCompile(`repaired at open \([^)]+\): 1 documents, [1-9]\d* counters, first [^;]*` + regexp.QuoteMeta(cell) +
		`[^;]*; the stored rollups now agree with the dossiers`)
	if code != 1 || !report.MatchString(out.String()) {
		t.Errorf("stats verify after a rollup document was changed behind the store's back: exit %d\n%s\nwant exit 1 and the repair at open (cell %s)",
			code, out.String(), cell)
	}
	t.Logf("stats verify: %s", out.String())
}

// corruptRollup adds 3 to a counter of the first rollup document, as a
// write lost in a crash would leave it, and returns its month and agency.
func corruptRollup(t *testing.T, rollups *mongo.Collection) string {
	t.Helper()
	var doc struct {
		ID    string                    `bson:"_id"`
		Cells map[string]map[string]any `bson:"c"`
	}
	if err := rollups.FindOne(t.Context(), bson.D{}).Decode(&doc); err != nil {
		t.Fatalf("no rollup document: %v", err)
	}
	for _, c := range slices.Sorted(maps.Keys(doc.Cells)) {
		if _, ok := doc.Cells[c]["r"]; ok {
			if _, err := rollups.UpdateOne(t.Context(), bson.D{{Key: "_id", Value: doc.ID}},
				bson.D{{Key: "$inc", Value: bson.D{{Key: "c." + c + ".r", Value: 3}}}}); err != nil {
				t.Fatal(err)
			}
			return strings.ReplaceAll(doc.ID, "|", " ")
		}
	}
	t.Fatalf("rollup document %s counts no receipt", doc.ID)
	return ""
}

func grepLines(b []byte, substr string) string {
	var out []string
	for l := range strings.Lines(string(b)) {
		if strings.Contains(l, substr) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "")
}
