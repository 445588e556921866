package store

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo"

	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// Rollups live in one document per month and agency, "2021-03|000.00.06.H56",
// holding a map of cells "<procedure>~<channel>" (dots in the procedure code
// become underscores: they would split the field path). A dashboard reads a
// few hundred such documents; recomputing reads every dossier.
const colRollups = "rollups"

type rollupDoc struct {
	ID     string                     `bson:"_id"`
	Month  string                     `bson:"month"`
	Agency string                     `bson:"agency"`
	Cells  map[string]*stats.Counters `bson:"c"`
}

func cellKey(c stats.Cell) string {
	return strings.ReplaceAll(c.Procedure, ".", "_") + "~" + string(c.Channel)
}

func parseCellKey(month, agency, key string) stats.Cell {
	proc, channel, _ := strings.Cut(key, "~")
	return stats.Cell{Month: month, Agency: agency, Procedure: strings.ReplaceAll(proc, "_", "."), Channel: registry.Channel(channel)}
}

// applyRollup adds delta to the rollups: on MongoDB with $inc, atomic per
// document; on the embedded engine memory takes it and writes it within
// a second (see flushRollups).
func (s *Store) applyRollup(ctx context.Context, delta stats.Rollup) error {
	if s.follow.rolledUp(delta) {
		return nil
	}
	byDoc := map[string]bson.D{}
	meta := map[string][2]string{}
	for c, v := range delta {
		id := c.Month + "|" + c.Agency
		meta[id] = [2]string{c.Month, c.Agency}
		byDoc[id] = append(byDoc[id], incFields("c."+cellKey(c)+".", v)...)
	}
	models := make([]mongo.WriteModel, 0, len(byDoc))
	for _, id := range slices.Sorted(maps.Keys(byDoc)) {
		models = append(models, mongo.NewUpdateOneModel().
			SetFilter(byID(id)).SetUpsert(true).
			SetUpdate(bson.D{
				{Key: "$inc", Value: byDoc[id]},
				{Key: "$setOnInsert", Value: bson.D{{Key: "month", Value: meta[id][0]}, {Key: "agency", Value: meta[id][1]}}},
			}))
	}
	if len(models) == 0 {
		return nil
	}
	_, err := s.db.Collection(colRollups).BulkWrite(ctx, models)
	return classify(err)
}

// incFields flattens the non-zero counters of v into $inc paths under prefix.
func incFields(prefix string, v *stats.Counters) bson.D {
	var out bson.D
	add := func(name string, n int) {
		if n != 0 {
			out = append(out, bson.E{Key: prefix + name, Value: n})
		}
	}
	add("r", v.Received)
	add("e", v.Early)
	add("o", v.OnTime)
	add("l", v.Late)
	add("w", v.Withdrawn)
	add("s", v.Stopped)
	add("nl", v.NationalLate)
	add("co", v.ClosedOverdue)
	add("ds", v.DaysSum)
	for _, k := range slices.Sorted(maps.Keys(v.OverdueStarts)) {
		add("od."+k, v.OverdueStarts[k])
	}
	for _, k := range slices.Sorted(maps.Keys(v.Days)) {
		add("wd."+k, v.Days[k])
	}
	return out
}

// recordRollup keeps the rollups in step with one dossier transition. The
// dossier is already stored: a failure here is logged, not returned, since a
// client retrying would record the step twice; `registry stats verify`
// reports the drift and `stats rebuild` repairs it.
func (s *Store) recordRollup(ctx context.Context, old, new *registry.Dossier) {
	if err := s.applyRollup(ctx, stats.Delta(old, new)); err != nil {
		s.rollupBehind.CompareAndSwap(0, s.now().UnixNano())
		s.log.ErrorContext(ctx, "rollup update failed: statistics drift until `registry stats rebuild`", "dossier", new.Code, "err", err)
	}
}

// RollupLag is how long the rollups have missed a transition this process
// failed to count (0 when none has failed since the last rebuild): the
// statistics lag the dossiers by that much until `registry stats rebuild`.
func (s *Store) RollupLag() time.Duration {
	oldest := s.rollupBehind.Load()
	if s.mem != nil {
		if since := s.mem.unflushedSince(); since != 0 && (oldest == 0 || since < oldest) {
			oldest = since
		}
	}
	if oldest == 0 {
		return 0
	}
	return s.now().Sub(time.Unix(0, oldest))
}

// Rollup reads the cells of months from..to (inclusive; from "" means from
// the beginning), for the given agencies (all when empty). Read only: the
// cells may be shared with the store.
func (s *Store) Rollup(ctx context.Context, from, to string, agencies []string) (stats.Rollup, error) {
	return s.read.rollup(ctx, from, to, agencies, true)
}

func (s *Store) readRollup(ctx context.Context, c *mongo.Collection, from, to string, agencies []string) (stats.Rollup, error) {
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

// RecomputeRollup sums the contributions of every dossier: the truth the
// rollups must equal.
func (s *Store) RecomputeRollup(ctx context.Context) (stats.Rollup, error) {
	if s.engine != nil {
		r := stats.Rollup{}
		err := s.scanDossiers(ctx, func(d *registry.Dossier, _ dossierRow) { r.Add(stats.Contributions(d), 1) })
		return r, err
	}
	cur, err := s.db.Collection(colDossiers).Find(ctx, bson.D{})
	if err != nil {
		return nil, classify(err)
	}
	defer cur.Close(ctx)
	r := stats.Rollup{}
	for cur.Next(ctx) {
		var d registry.Dossier
		if err := cur.Decode(&d); err != nil {
			return nil, classify(err)
		}
		r.Add(stats.Contributions(&d), 1)
	}
	return r, classify(cur.Err())
}

// RebuildRollups replaces the rollups with a recomputation from the dossiers.
// It holds the writer on the embedded engine; on MongoDB, steps recorded
// while it runs may be missed: run `stats verify` afterwards.
func (s *Store) RebuildRollups(ctx context.Context) (cells int, err error) {
	defer func() { s.audit(ctx, "rebuildRollups", "", err) }()
	if err := canAdminister(ctx); err != nil {
		return 0, err
	}
	err = s.write(ctx, func() error {
		r, err := s.RecomputeRollup(ctx)
		if err != nil {
			return err
		}
		if _, err := s.db.Collection(colRollups).DeleteMany(ctx, bson.D{}); err != nil {
			return classify(err)
		}
		cells = len(r)
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
		s.follow.rollupsRebuilt(r)
		return nil
	})
	return cells, err
}

// Drift is one counter on which the rollups and the dossiers disagree.
type Drift struct {
	Cell     stats.Cell
	Counter  string
	Stored   int
	Expected int
}

func (d Drift) String() string {
	return fmt.Sprintf("%s %s %s %s %s: stored %d, dossiers give %d", d.Cell.Month, d.Cell.Agency, d.Cell.Procedure, d.Cell.Channel, d.Counter, d.Stored, d.Expected)
}

// VerifyRollups recomputes the rollups from the dossiers and lists every
// counter that differs from what is stored.
func (s *Store) VerifyRollups(ctx context.Context) ([]Drift, error) {
	if err := s.flushRollups(ctx); err != nil {
		return nil, err
	}
	want, err := s.RecomputeRollup(ctx)
	if err != nil {
		return nil, err
	}
	have, err := s.readRollup(ctx, s.db.Collection(colRollups), "", "9999-12", nil)
	if err != nil {
		return nil, err
	}
	diff := stats.Rollup{}
	diff.Add(have, 1)
	diff.Add(want, -1)
	var out []Drift
	for c, d := range diff {
		for _, e := range incFields("", d) {
			n := e.Value.(int)
			stored := 0
			if v := have[c]; v != nil {
				stored = counterValue(v, e.Key)
			}
			out = append(out, Drift{Cell: c, Counter: e.Key, Stored: stored, Expected: stored - n})
		}
	}
	slices.SortFunc(out, func(a, b Drift) int { return strings.Compare(a.String(), b.String()) })
	return out, nil
}

// counterValue reads one counter of v by its $inc path.
func counterValue(v *stats.Counters, path string) int {
	for _, e := range incFields("", v) {
		if e.Key == path {
			return e.Value.(int)
		}
	}
	return 0
}
