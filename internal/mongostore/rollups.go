package mongostore

import (
	"context"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// Rollups live in one document per month and agency, "2021-03|000.00.06.H56",
// holding a map of cells "<procedure>~<channel>" (dots in the procedure code
// become underscores: they would split the field path). A dashboard reads a
// few hundred such documents; recomputing reads every dossier.
type rollupDoc struct {
	ID     string                     `bson:"_id"`
	Month  string                     `bson:"month"`
	Agency string                     `bson:"agency"`
	Cells  map[string]*stats.Counters `bson:"c"`
}

// rollupDocID is the _id of the document holding cell c.
func rollupDocID(c stats.Cell) string { return c.Month + "|" + c.Agency }

func cellKey(c stats.Cell) string {
	return strings.ReplaceAll(c.Procedure, ".", "_") + "~" + string(c.Channel)
}

func parseCellKey(month, agency, key string) stats.Cell {
	proc, channel, _ := strings.Cut(key, "~")
	return stats.Cell{Month: month, Agency: agency, Procedure: strings.ReplaceAll(proc, "_", "."), Channel: registry.Channel(channel)}
}

// rollupInc is the change of one rollup document: $inc paths of its cells'
// counters, and its month and agency should the update create it.
type rollupInc struct {
	id, month, agency string
	inc               bson.D
}

// rollupIncs groups delta by rollup document, in _id order.
func rollupIncs(delta stats.Rollup) []rollupInc {
	byDoc := map[string]*rollupInc{}
	for c, v := range delta {
		id := rollupDocID(c)
		r := byDoc[id]
		if r == nil {
			r = &rollupInc{id: id, month: c.Month, agency: c.Agency}
			byDoc[id] = r
		}
		for _, f := range v.Fields() {
			r.inc = append(r.inc, bson.E{Key: "c." + cellKey(c) + "." + f.Name, Value: f.N})
		}
	}
	out := make([]rollupInc, 0, len(byDoc))
	for _, id := range slices.Sorted(maps.Keys(byDoc)) {
		out = append(out, *byDoc[id])
	}
	return out
}

func (r rollupInc) update() bson.D {
	return bson.D{
		{Key: "$inc", Value: r.inc},
		{Key: "$setOnInsert", Value: bson.D{{Key: "month", Value: r.month}, {Key: "agency", Value: r.agency}}},
	}
}

// incRollups adds delta to the rollups with $inc: not idempotent, so only
// inside the transaction of the dossier's write (outbox.go).
func (s *Store) incRollups(ctx context.Context, delta stats.Rollup) error {
	incs := rollupIncs(delta)
	models := make([]mongo.WriteModel, len(incs))
	for i, r := range incs {
		models[i] = mongo.NewUpdateOneModel().SetFilter(byID(r.id)).SetUpsert(true).SetUpdate(r.update())
	}
	_, err := s.db.Collection(colRollups).BulkWrite(ctx, models)
	return err
}

// RollupLag is how long the rollups have missed a transition this process
// failed to count (0 when none has failed since the last rebuild, or since
// a sweep that left no rollup outbox owed).
func (s *Store) RollupLag() time.Duration {
	if oldest := s.rollupBehind.Load(); oldest != 0 {
		return s.now().Sub(time.Unix(0, oldest))
	}
	return 0
}

func readRollup(ctx context.Context, c *mongo.Collection, from, to string, agencies []string) (stats.Rollup, error) {
	months := bson.D{{Key: "$lte", Value: to}}
	if from != "" {
		months = append(months, bson.E{Key: "$gte", Value: from})
	}
	filter := bson.D{{Key: "month", Value: months}}
	if len(agencies) > 0 {
		filter = append(filter, bson.E{Key: "agency", Value: bson.D{{Key: "$in", Value: agencies}}})
	}
	cur, err := c.Find(ctx, filter)
	if err != nil {
		return nil, classify(err)
	}
	var docs []*rollupDoc
	if err := cur.All(ctx, &docs); err != nil {
		return nil, classify(err)
	}
	return sumDocs(docs), nil
}

func sumDocs(docs []*rollupDoc) stats.Rollup {
	r := stats.Rollup{}
	for _, d := range docs {
		for k, v := range d.Cells {
			r.Add(stats.Rollup{parseCellKey(d.Month, d.Agency, k): v}, 1)
		}
	}
	return r
}

// StoredRollup reads every stored rollup cell, from the primary.
func (s *Store) StoredRollup(ctx context.Context) (stats.Rollup, error) {
	return readRollup(ctx, s.db.Collection(colRollups), "", "9999-12", nil)
}

// RecomputeRollup sums the contributions of every dossier: the truth the
// rollups must equal.
func (s *Store) RecomputeRollup(ctx context.Context) (stats.Rollup, error) {
	r := stats.Rollup{}
	err := scanAll(ctx, s, colDossiers, func(d *registry.Dossier) error { r.Add(stats.Contributions(d), 1); return nil })
	return r, err
}

// ReplaceRollups stores r as the whole of the rollups. Steps recorded
// meanwhile by other gateways may be missed: verify afterwards.
func (s *Store) ReplaceRollups(ctx context.Context, r stats.Rollup) error {
	if _, err := s.db.Collection(colRollups).DeleteMany(ctx, bson.D{}); err != nil {
		return classify(err)
	}
	docs := rollupDocs(r)
	if len(docs) > 0 {
		// Whole documents inserted at once: building them with $inc would
		// rewrite each document once per cell.
		batch := make([]any, 0, len(docs))
		for _, id := range slices.Sorted(maps.Keys(docs)) {
			batch = append(batch, docs[id])
		}
		if _, err := s.db.Collection(colRollups).InsertMany(ctx, batch); err != nil {
			return classify(err)
		}
	}
	s.rollupBehind.Store(0)
	return nil
}

// PutRollups makes the stored documents of the months and agencies of
// cells hold the cells r has of them, whole and by _id; a document left
// without cells is deleted. For a wrapper that keeps the rollups itself
// (memory).
func (s *Store) PutRollups(ctx context.Context, cells []stats.Cell, r stats.Rollup) error {
	docs := rollupDocs(r)
	ids := make([]string, len(cells))
	for i, c := range cells {
		ids[i] = rollupDocID(c)
	}
	slices.Sort(ids)
	for _, id := range slices.Compact(ids) {
		var err error
		if d := docs[id]; d != nil {
			_, err = s.db.Collection(colRollups).ReplaceOne(ctx, byID(id), d, replaceUpsert)
		} else {
			_, err = s.db.Collection(colRollups).DeleteOne(ctx, byID(id))
		}
		if err != nil {
			return classify(err)
		}
	}
	return nil
}

// rollupDocs groups cells into their stored documents, one per month and agency.
var replaceUpsert = options.Replace().SetUpsert(true)

func rollupDocs(r stats.Rollup) map[string]*rollupDoc {
	docs := map[string]*rollupDoc{}
	for c, v := range r {
		if v.Zero() {
			continue
		}
		id := rollupDocID(c)
		d := docs[id]
		if d == nil {
			d = &rollupDoc{ID: id, Month: c.Month, Agency: c.Agency, Cells: map[string]*stats.Counters{}}
			docs[id] = d
		}
		d.Cells[cellKey(c)] = v
	}
	return docs
}

// RebuildRollups replaces the rollups with a recomputation from the
// dossiers. Steps recorded meanwhile by other gateways may be missed or
// counted twice: verify afterwards.
func (s *Store) RebuildRollups(ctx context.Context) (cells int, err error) {
	// The recomputation counts the changes still owed: a sweep must not
	// apply them again.
	if _, err := s.db.Collection(colDossiers).UpdateMany(ctx, pendingOutbox,
		bson.D{{Key: "$unset", Value: bson.D{{Key: fieldOutbox, Value: ""}}}}); err != nil {
		return 0, classify(err)
	}
	r, err := s.RecomputeRollup(ctx)
	if err != nil {
		return 0, err
	}
	return len(r), s.ReplaceRollups(ctx, r)
}

// VerifyRollups recomputes the rollups from the dossiers and lists every
// stored counter that differs.
func (s *Store) VerifyRollups(ctx context.Context) ([]stats.Drift, error) {
	want, err := s.RecomputeRollup(ctx)
	if err != nil {
		return nil, err
	}
	have, err := s.StoredRollup(ctx)
	if err != nil {
		return nil, err
	}
	return stats.Drifts(have, want), nil
}
