// Package demo fills an empty registry with a realistic sample on first
// start: the facts of the bulletin this project started from (directives and
// published reports, restated in the project's own words) and generated
// dossiers for January to April 2021 whose March figures at the provincial
// centre are exactly the published ones, so reconciliation shows something
// true.
package demo

import (
	"context"
	_ "embed"
	"time"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/generate"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/transfer"
)

//go:embed bulletin.txt
var bulletin string

// BulletinSource names the sample bulletin in provenance.
const BulletinSource = "demo: bản tin cải cách hành chính 2021 (mẫu)"

// Store is what seeding needs.
type Store interface {
	transfer.Loader
	ImportBulletin(ctx context.Context, source, text string, dryRun bool) (*registry.BulletinImport, error)
	RebuildRollups(ctx context.Context) (int, error)
}

// Dossiers is how many dossiers the sample has.
const Dossiers = 16000

// Config is the sample's generator configuration. January follows the parts
// of its self-contradicting report (5,184 early + 1,008 on time = 6,192,
// not the printed total 6,164): reconciliation says so. March matches its
// report exactly: 5,570 = 4,671 + 899.
func Config(cal *calendar.Calendar) generate.Config {
	from := calendar.Date("2021-01-01").Time()
	to := calendar.Date("2021-05-01").Time()
	return generate.Config{
		Seed: 2021, Dossiers: Dossiers, From: from, To: to, Now: to, Calendar: cal, Source: "demo",
		Targets: map[string]generate.Target{
			"2021-01": {Agency: generate.CentreCode, Early: 5184, OnTime: 1008},
			"2021-03": {Agency: generate.CentreCode, Early: 4671, OnTime: 899},
		},
	}
}

// Seed loads the sample into st.
func Seed(ctx context.Context, st Store, cal *calendar.Calendar) (time.Duration, error) {
	ctx = auth.WithPrincipal(ctx, auth.System("sample data"))
	began := time.Now()
	cfg := Config(cal)
	b := transfer.NewBatcher(st, 1000)
	err := generate.Records(cfg, generate.Reference(cfg.Seed), func(rec any) error { return b.Add(ctx, rec) })
	for _, d := range Chains(began) {
		if err == nil {
			err = b.Add(ctx, d)
		}
	}
	if err == nil {
		err = b.Flush(ctx)
	}
	if err != nil {
		return 0, err
	}
	if _, err := st.ImportBulletin(ctx, BulletinSource, bulletin, false); err != nil {
		return 0, err
	}
	if _, err := st.RebuildRollups(ctx); err != nil {
		return 0, err
	}
	return time.Since(began), nil
}
