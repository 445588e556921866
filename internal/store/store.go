// Package store keeps the registry in MongoDB through the official v2 driver.
// It writes only the subset of MongoDB that the embedded FerretDB engine gets
// right (docs/design.md, "The embedded engine's rules"), so the same code
// runs on both.
package store

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// Config says which server and database to use and how.
type Config struct {
	URI      string
	Database string
	// SerialWrites sends every write through one writer. Required on
	// FerretDB, which loses concurrent updates of one document; Open turns it
	// on by itself when the server says it is FerretDB.
	SerialWrites bool
	Calendar     *calendar.Calendar
	Logger       *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// OnStep, when set, learns of every dossier whose history grew, after the
	// write is stored (subscriptions listen here).
	OnStep func(*registry.Dossier)
	// Monitor, when set, observes every driver command (metrics, traces).
	Monitor *event.CommandMonitor
	// Engine is the embedded engine the store runs on, when it does: the
	// store has it index _id the way FerretDB queries it, and count rows.
	Engine Engine
	// DisableMemory runs a FerretDB store the MongoDB way, every read an
	// engine query, rather than from memory (see memory); for comparisons
	// and for testing the MongoDB code path on the embedded engine.
	DisableMemory bool
	// Background builds the memory after Open returns (the server, which
	// answers "starting" meanwhile); otherwise Open waits for it (tools).
	Background bool
	// MinCell withholds, from anonymous readers, statistics rows counting
	// fewer dossiers than this: small counts can single out a person.
	MinCell int
}

// Store is the registry's persistence and the orchestration around it: it
// loads what a domain rule needs, applies the rule, and writes the result.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	// writer is a one-slot semaphore (nil when writes may run concurrently);
	// a channel rather than a mutex so a waiting request honours its deadline.
	writer chan struct{}
	cal    *calendar.Calendar
	log    *slog.Logger
	now    func() time.Time
	onStep func(*registry.Dossier)
	// minCell: see Config.MinCell.
	minCell int
	// read answers the reads and follow learns of the writes: the engine's
	// queries and nothing on MongoDB, memory on the embedded engine.
	read   backend
	follow follower
	// mem is the embedded engine's memory, being built or built (nil on MongoDB).
	mem *memory
	// engine is the embedded engine, when known (see Config.Engine).
	engine Engine
	// stop ends background work (the memory build, rollup flushes) at
	// Close; stopped is closed once it has.
	stop    context.CancelFunc
	stopped chan struct{}
	// rollupBehind is when a rollup update first failed (Unix ns), 0 if none.
	rollupBehind atomic.Int64
}

const (
	colAgencies   = "agencies"
	colProcedures = "procedures"
	colDossiers   = "dossiers"
	colDirectives = "directives"
	colCounters   = "counters"
)

// collections are every collection the store writes.
var collections = []string{colAgencies, colProcedures, colDossiers, colDirectives, colCounters, colRollups, colAudit, colReports}

// Engine is what the store needs of an embedded FerretDB beyond the wire
// protocol (internal/engine implements it).
type Engine interface {
	// IndexIDs indexes _id as FerretDB's SQLite backend queries it in every
	// collection of database, returning how many collections it saw.
	IndexIDs(ctx context.Context, database string) (int, error)
	// Count is the number of documents in a collection, without a scan.
	Count(ctx context.Context, database, collection string) (int, error)
	// Scan reads fields (JSON paths) of every document of a collection
	// without decoding whole documents.
	Scan(ctx context.Context, database, collection string, paths []string, fn func(values []any) error) error
}

// Open connects, pings with a timeout and creates the indexes every list
// filter needs.
func Open(ctx context.Context, cfg Config) (*Store, error) {
	if cfg.Calendar == nil {
		cfg.Calendar = calendar.Default()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	opts := options.Client().ApplyURI(cfg.URI).
		// A store that is away fails requests within seconds (UNAVAILABLE)
		// rather than holding them; the driver reconnects by itself.
		SetServerSelectionTimeout(3 * time.Second).
		// Steps are the record of what happened at a desk: acknowledged by a majority.
		SetWriteConcern(writeconcern.Majority()).
		SetMonitor(cfg.Monitor)
	client, err := mongo.Connect(opts)
	if err != nil {
		return nil, fmt.Errorf("store: connect: %w", err)
	}
	s := &Store{client: client, db: client.Database(cfg.Database), cal: cfg.Calendar, log: cfg.Logger, now: cfg.Now,
		onStep: cfg.OnStep, minCell: cfg.MinCell, engine: cfg.Engine}
	s.read, s.follow = engineReads{s}, noFollower{}
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := client.Ping(pingCtx, nil); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, fmt.Errorf("store: ping %s: %w", redactURI(cfg.URI), err)
	}
	ferret, err := s.isFerretDB(pingCtx)
	if err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if cfg.SerialWrites || ferret {
		s.writer = make(chan struct{}, 1)
		if !cfg.DisableMemory {
			s.mem = newMemory(engineReads{s})
			s.read, s.follow = s.mem, s.mem
		}
	}
	if err := s.prepare(ctx, ferret); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if err := s.rekeyDirectives(ctx); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	bg, stop := context.WithCancel(context.Background())
	s.stop, s.stopped = stop, make(chan struct{})
	if s.mem == nil {
		close(s.stopped)
		return s, nil
	}
	if !cfg.Background {
		if err := s.buildMemory(ctx); err != nil {
			stop()
			_ = client.Disconnect(context.Background())
			return nil, err
		}
	}
	go func() {
		defer close(s.stopped)
		if cfg.Background {
			if err := s.buildMemory(bg); err != nil {
				if bg.Err() == nil {
					s.log.Error("embedded store: memory not built; requests answer UNAVAILABLE", "err", err)
				}
				return
			}
		}
		s.flushEvery(bg, flushInterval)
	}()
	return s, nil
}

// flushEvery writes the rollups memory changed, every interval until ctx ends.
func (s *Store) flushEvery(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := s.flushRollups(ctx); err != nil && ctx.Err() == nil {
				s.log.Error("statistics rollups not written; retried in a second", "err", err)
			}
		}
	}
}

// Close writes what memory still owes the engine and disconnects.
func (s *Store) Close(ctx context.Context) error {
	s.stop()
	<-s.stopped
	if err := s.flushRollups(ctx); err != nil {
		s.log.Error("statistics rollups not written at close; the next start repairs them from the dossiers", "err", err)
	}
	return s.client.Disconnect(ctx)
}

// Ping answers whether the server is reachable now.
func (s *Store) Ping(ctx context.Context) error { return s.client.Ping(ctx, nil) }

// Today is the date in Vietnam by the store's clock: the one clock that
// dates steps, deadlines' states and statistics' "as of".
func (s *Store) Today() calendar.Date { return calendar.DateOf(s.now()) }

// Calendar is the working-day calendar deadlines are computed with.
func (s *Store) Calendar() *calendar.Calendar { return s.cal }

// indexes lists, per collection, the fields list filters and sorts use. The
// embedded engine ignores them; MongoDB needs them.
var indexes = map[string][]bson.D{
	colAgencies:   {{{Key: "level", Value: 1}}},
	colProcedures: {{{Key: "agency", Value: 1}}, {{Key: "level", Value: 1}}, {{Key: "legalBases", Value: 1}}},
	colDossiers: {
		{{Key: "agency", Value: 1}, {Key: "receivedAt", Value: 1}},
		{{Key: "procedure", Value: 1}, {Key: "receivedAt", Value: 1}},
		{{Key: "status", Value: 1}, {Key: "dueDate", Value: 1}},
		{{Key: "channel", Value: 1}, {Key: "receivedAt", Value: 1}},
		{{Key: "outcome", Value: 1}, {Key: "resolvedAt", Value: 1}},
		{{Key: "resolvedAt", Value: 1}},
		{{Key: "overdueFrom", Value: 1}},
		{{Key: "receivedAt", Value: 1}},
		{{Key: "dueDate", Value: 1}},
	},
	colRollups: {{{Key: "month", Value: 1}, {Key: "agency", Value: 1}}},
	colAudit:   {{{Key: "at", Value: -1}}, {{Key: "who", Value: 1}, {Key: "at", Value: -1}}, {{Key: "operation", Value: 1}}, {{Key: "target", Value: 1}}},
	colReports: {{{Key: "period", Value: -1}, {Key: "agency", Value: 1}}, {{Key: "agency", Value: 1}}},
	colDirectives: {
		{{Key: "symbolKey", Value: 1}}, {{Key: "year", Value: 1}}, {{Key: "issuerKey", Value: 1}},
		{{Key: "issuedOn", Value: -1}}, {{Key: "relations.symbolKey", Value: 1}}, {{Key: "symbol.type", Value: 1}},
		{{Key: "validity", Value: 1}}, {{Key: "topics", Value: 1}},
	},
}

// prepare creates what the collections need. Without memory (MongoDB), the
// indexes of the list filters. With it (FerretDB), the collections
// themselves: its own indexes serve no query there and only slow inserts.
// And on the embedded engine, the _id index that makes {_id: x} a search
// (see engine.IndexIDs).
func (s *Store) prepare(ctx context.Context, ferret bool) error {
	if s.mem == nil {
		for col, keys := range indexes {
			// One at a time: FerretDB 1.24 drops the connection when createIndexes
			// names several indexes that already exist.
			for _, k := range keys {
				if _, err := s.db.Collection(col).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: k}); err != nil {
					return fmt.Errorf("store: indexes on %s: %w", col, err)
				}
			}
		}
	} else {
		have, err := s.db.ListCollectionNames(ctx, bson.D{})
		if err != nil {
			return fmt.Errorf("store: list collections: %w", classify(err))
		}
		for _, col := range collections {
			if !slices.Contains(have, col) {
				if err := s.db.CreateCollection(ctx, col); err != nil {
					return fmt.Errorf("store: create %s: %w", col, classify(err))
				}
			}
		}
	}
	if !ferret {
		return nil
	}
	if s.engine == nil {
		s.log.Warn("FerretDB without its engine in this process: finds and updates by _id scan their collection")
		return nil
	}
	began := time.Now()
	n, err := s.engine.IndexIDs(ctx, s.db.Name())
	if err != nil {
		return err
	}
	s.log.Info("embedded store: _id indexed as the engine queries it", "collections", n, "took", time.Since(began).Round(time.Millisecond))
	return nil
}

// isFerretDB reports whether the server is FerretDB, whose concurrent updates
// of one document are not atomic: its buildInfo carries ferretdbVersion.
func (s *Store) isFerretDB(ctx context.Context) (bool, error) {
	var info bson.M
	if err := s.client.Database("admin").RunCommand(ctx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return false, fmt.Errorf("store: buildInfo: %w", err)
	}
	_, ok := info["ferretdbVersion"]
	return ok, nil
}

// write runs fn as the only writer when writes are serialised.
func (s *Store) write(ctx context.Context, fn func() error) error {
	if s.writer != nil {
		select {
		case s.writer <- struct{}{}:
			defer func() { <-s.writer }()
		case <-ctx.Done():
			return classify(ctx.Err())
		}
	}
	return fn()
}

// byID selects the document with _id id: the one filter the embedded engine
// hands to SQLite (and, with the index IndexIDs adds, finds by index).
func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

var replaceUpsert = options.Replace().SetUpsert(true)

// findOne decodes the document with _id id into out; false when there is none.
func (s *Store) findOne(ctx context.Context, col, id string, out any) (bool, error) {
	err := s.db.Collection(col).FindOne(ctx, byID(id)).Decode(out)
	if errors.Is(err, mongo.ErrNoDocuments) {
		return false, nil
	}
	if err != nil {
		return false, classify(err)
	}
	return true, nil
}

// insert adds a new document; an existing _id is CONFLICT naming what exists.
func (s *Store) insert(ctx context.Context, col, what, id string, doc any) error {
	return s.write(ctx, func() error {
		_, err := s.db.Collection(col).InsertOne(ctx, doc)
		if isDuplicate(err) {
			return registry.Errorf(registry.CodeConflict, "%s %s already exists", what, id)
		}
		if err == nil {
			s.follow.stored(doc)
		}
		return classify(err)
	})
}

// isDuplicate recognises a unique-key violation on both engines: MongoDB and
// FerretDB's insert answer 11000; FerretDB's update answers code 1 with
// SQLite's "UNIQUE constraint failed".
func isDuplicate(err error) bool {
	if err == nil {
		return false
	}
	if mongo.IsDuplicateKeyError(err) {
		return true
	}
	var se mongo.ServerError
	return errors.As(err, &se) && se.HasErrorCode(1) && strings.Contains(err.Error(), "UNIQUE constraint failed")
}

// classify turns driver errors into catalogue errors: the store being away is
// UNAVAILABLE, everything else INTERNAL (logged by the caller, never sent).
func classify(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := errors.AsType[*registry.Error](err); ok {
		return err
	}
	// A connection pool cleared by another operation's network failure is
	// labelled a transient error: the store is away, not our fault.
	// The pool's own error says so too, when a command meets the pool
	// before the label is added (a cursor's count, say).
	var labeled interface{ HasErrorLabel(string) bool }
	var pool interface{ Retryable() bool }
	transient := errors.As(err, &labeled) && labeled.HasErrorLabel("TransientTransactionError") ||
		errors.As(err, &pool) && pool.Retryable()
	if errors.Is(err, context.DeadlineExceeded) || errors.Is(err, context.Canceled) || transient ||
		mongo.IsTimeout(err) || mongo.IsNetworkError(err) || errors.Is(err, mongo.ErrClientDisconnected) {
		return &registry.Error{Code: registry.CodeUnavailable, Message: "the store did not answer in time; try again", Cause: err}
	}
	return err
}

func redactURI(uri string) string {
	if i := strings.Index(uri, "@"); i >= 0 {
		if j := strings.Index(uri, "://"); j >= 0 && j < i {
			return uri[:j+3] + "…" + uri[i:]
		}
	}
	return uri
}

func (s *Store) provenance(source string) registry.Provenance {
	return registry.Provenance{Source: source, Recorded: s.now().UTC()}
}
