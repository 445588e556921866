// Package gateway composes the registry a deployment runs: the service
// (internal/service) over the MongoDB store, wrapped in the memory store
// when the server is FerretDB (the embedded engine, or one named by
// MONGODB_URI), whose queries but {_id: x} read whole collections. It is the
// one place that knows which stores there are; the command-line tools, the
// server and the tests open the registry through it.
package gateway

import (
	"context"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"go.mongodb.org/mongo-driver/v2/event"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/memstore"
	"github.com/vnregistry/registry/internal/mongostore"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/service"
	"github.com/vnregistry/registry/internal/telemetry"
)

// Config says which server and database to use and how.
type Config struct {
	URI      string
	Database string
	// Engine is the embedded engine the server runs in, when it does:
	// memory indexes _id as it queries it and reads its SQLite directly.
	Engine   memstore.Engine
	Calendar *calendar.Calendar
	Logger   *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// OnStep, when set, learns of every dossier whose history grew, after the
	// write is stored (subscriptions listen here).
	OnStep func(*registry.Dossier)
	// Monitor, when set, observes every driver command (metrics, traces).
	Monitor *event.CommandMonitor
	// DisableMemory runs on FerretDB the MongoDB way, every read an engine
	// query: for comparisons, and for testing the MongoDB store on the
	// embedded engine.
	DisableMemory bool
	// Background builds the memory after Open returns (the server, which
	// answers "starting" meanwhile); otherwise Open waits for it (tools).
	Background bool
	// MinCell withholds, from anonymous readers, statistics rows counting
	// fewer dossiers than this.
	MinCell int
	// LeaseTTL is how long the lease on writing the database, taken when
	// memory is composed, holds unrenewed (DefaultLeaseTTL when zero).
	LeaseTTL time.Duration
}

// Registry is the service over the deployment's stores, with their
// lifecycle.
type Registry struct {
	*service.Service
	mongo *mongostore.Store
	mem   *memstore.Store // nil on MongoDB
	lease *writerLease    // with mem
}

// Open connects to the server and composes the stores: memory over the
// MongoDB store on FerretDB, the MongoDB store alone otherwise.
func Open(ctx context.Context, cfg Config) (*Registry, error) {
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	mongo, err := mongostore.Open(ctx, mongostore.Config{URI: cfg.URI, Database: cfg.Database, Logger: cfg.Logger,
		Now: cfg.Now, Monitor: cfg.Monitor, Alone: cfg.DisableMemory})
	if err != nil {
		return nil, err
	}
	r := &Registry{mongo: mongo}
	var storage service.Storage = mongo
	if mongo.IsFerretDB() && !cfg.DisableMemory {
		if r.lease, err = takeLease(ctx, mongo, cfg); err != nil {
			_ = mongo.Close(context.Background())
			return nil, err
		}
		r.mem, err = memstore.Open(ctx, memstore.Config{Inner: mongo, Engine: cfg.Engine, Database: cfg.Database,
			Logger: cfg.Logger, Now: cfg.Now, Background: cfg.Background, Writable: r.lease.writable})
		if err != nil {
			r.lease.release(context.Background())
			_ = mongo.Close(context.Background())
			return nil, fmt.Errorf("embedded store: %w", err)
		}
		storage = r.mem
	} else if err := mongo.CreateIndexes(ctx); err != nil {
		_ = mongo.Close(context.Background())
		return nil, err
	}
	r.Service = service.New(storage, service.Config{Calendar: cfg.Calendar, Logger: cfg.Logger, Now: cfg.Now,
		OnStep: cfg.OnStep, MinCell: cfg.MinCell, RequestID: telemetry.RequestID})
	return r, nil
}

// Close writes what memory owes the server, releases the lease and
// disconnects.
func (r *Registry) Close(ctx context.Context) error {
	if r.mem != nil {
		_ = r.mem.Close(ctx)
		r.lease.release(ctx)
	}
	return r.mongo.Close(ctx)
}

// Ping answers whether the server is reachable now.
func (r *Registry) Ping(ctx context.Context) error { return r.mongo.Ping(ctx) }

// Ready reports whether the registry answers: at once on MongoDB, and once
// memory is built over FerretDB.
func (r *Registry) Ready() bool { return r.mem == nil || r.mem.Ready() }

// Progress says how far memory's build has come: dossiers read and the
// total (0 when unknown or on MongoDB).
func (r *Registry) Progress() (loaded, total int) {
	if r.mem == nil {
		return 0, 0
	}
	return r.mem.Progress()
}

// BuildError is why memory could not be built, once that is known.
func (r *Registry) BuildError() error {
	if r.mem == nil {
		return nil
	}
	return r.mem.BuildError()
}

// RollupLag is how long the stored statistics rollups have been behind the
// dossiers (0 when they are not).
func (r *Registry) RollupLag() time.Duration {
	if r.mem != nil {
		return r.mem.RollupLag()
	}
	return r.mongo.RollupLag()
}

// RollupsRepaired is what opening the store repaired in the stored
// statistics rollups, which it does before anything can compare them: nil
// when they agreed, and on MongoDB, whose rollups change with the dossiers.
func (r *Registry) RollupsRepaired() *memstore.RollupRepair {
	if r.mem == nil {
		return nil
	}
	return r.mem.RollupsRepaired()
}

// CacheVersion is a token that changes whenever anything a read answers
// could have changed, with today's date (what is overdue moves with it):
// over memory, its count of its writes; on MongoDB, where other instances
// write too, the change feed's last number and the newest audit entry, read
// from the server (two indexed reads). ok is false when the server cannot
// say: the answer then gets no validator.
func (r *Registry) CacheVersion(ctx context.Context) (version string, ok bool) {
	today := "@" + string(r.Today())
	if r.mem != nil {
		return strconv.FormatUint(r.mem.Generation(), 10) + today, true
	}
	last, err := r.mongo.LastChange(ctx)
	if err != nil {
		return "", false
	}
	newest, err := r.mongo.AuditLog(ctx, registry.AuditFilter{}, registry.PageArgs{First: new(1)})
	if err != nil {
		return "", false
	}
	version = strconv.FormatInt(last, 10)
	if len(newest.Items) > 0 {
		version += "/" + newest.Items[0].ID
	}
	return version + today, true
}

// InMemory reports whether lists are answered from memory.
func (r *Registry) InMemory() bool { return r.mem != nil }

// WatchDossiers follows the dossiers every gateway on the same replica set
// changes; it fails where the server has no change streams.
func (r *Registry) WatchDossiers(ctx context.Context) (*mongostore.StepStream, error) {
	return r.mongo.WatchDossiers(ctx)
}

// Database is the database's name.
func (r *Registry) Database() string { return r.mongo.Database() }
