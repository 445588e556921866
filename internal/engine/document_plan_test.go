package engine

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
)

// TestDocumentQueryUsesIndex: Document's query is a search of the index
// IndexIDs creates, not a scan of the table.
func TestDocumentQueryUsesIndex(t *testing.T) {
	e, err := Start(t.TempDir(), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer e.Stop()
	ctx := context.Background()
	client, err := mongo.Connect(options.Client().ApplyURI(e.URI()))
	if err != nil {
		t.Fatal(err)
	}
	defer client.Disconnect(ctx)
	if _, err := client.Database("registry").Collection("dossiers").InsertMany(ctx, []any{bson.D{{Key: "_id", Value: "a"}}, bson.D{{Key: "_id", Value: "b"}}}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.IndexIDs(ctx, "registry"); err != nil {
		t.Fatal(err)
	}
	db, err := e.open("registry")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	table, err := tableOf(ctx, db, "dossiers")
	if err != nil || table == "" {
		t.Fatalf("table of dossiers: %q, %v", table, err)
	}
	rows, err := db.QueryContext(ctx, "EXPLAIN QUERY PLAN "+fmt.Sprintf(documentQuery, table), `"b"`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var plan strings.Builder
	for rows.Next() {
		var id, parent, unused int
		var detail string
		if err := rows.Scan(&id, &parent, &unused, &detail); err != nil {
			t.Fatal(err)
		}
		plan.WriteString(detail)
	}
	if want := "USING INDEX " + table + "_id_pushdown"; !strings.Contains(plan.String(), want) {
		t.Errorf("plan %q, want %q", plan.String(), want)
	}
}
