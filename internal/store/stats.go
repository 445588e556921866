package store

import (
	"context"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// DossierStats answers a statistics query from the rollups.
func (s *Store) DossierStats(ctx context.Context, q stats.Query) (stats.Result, error) {
	if err := q.Validate(calendar.DateOf(s.now())); err != nil {
		return stats.Result{}, err
	}
	info, err := s.procedureInfo(ctx)
	if err != nil {
		return stats.Result{}, err
	}
	q.ProcedureInfo = info
	from := q.From
	if q.Stocks {
		from = "" // stocks add up every flow since the beginning
	}
	r, err := s.Rollup(ctx, from, q.To, q.Agencies)
	if err != nil {
		return stats.Result{}, err
	}
	return stats.Compute(q, r), nil
}

// procedureInfo maps every procedure to its field and level.
func (s *Store) procedureInfo(ctx context.Context) (map[string]stats.ProcedureInfo, error) {
	type row struct {
		Code  string         `bson:"_id"`
		Field string         `bson:"field"`
		Level registry.Level `bson:"level"`
	}
	rows, err := findAll[row](ctx, s, colProcedures, bson.D{})
	if err != nil {
		return nil, err
	}
	out := make(map[string]stats.ProcedureInfo, len(rows))
	for _, r := range rows {
		out[r.Code] = stats.ProcedureInfo{Field: r.Field, Level: r.Level}
	}
	return out, nil
}
