// Package mongostore keeps the registry in MongoDB through the official v2
// driver: records as BSON documents, the lists' filters and orders
// translated to queries on the indexes created at open, conditional
// updates, rollups updated with the dossier they count, and change streams.
// It writes only the subset of MongoDB that the embedded FerretDB engine
// gets right (docs/design.md, "Where each engine rule lives"), so the
// memory store can run over it there.
package mongostore

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/event"
	"go.mongodb.org/mongo-driver/v2/mongo"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/mongo/writeconcern"

	"github.com/vnregistry/registry/internal/registry"
)

// Config says which server and database to use and how.
type Config struct {
	URI      string
	Database string
	Logger   *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// Monitor, when set, observes every driver command (metrics, traces).
	Monitor *event.CommandMonitor
	// Alone says no store wraps this one (the gateway's DisableMemory): on
	// FerretDB it then sweeps rollup outboxes too, reading every dossier to
	// find them (outbox.go). On MongoDB nothing wraps it and it always does.
	Alone bool
}

// Store is the registry in one MongoDB database.
type Store struct {
	client *mongo.Client
	db     *mongo.Database
	log    *slog.Logger
	now    func() time.Time
	// ferret: the server is FerretDB (its buildInfo says so).
	ferret bool
	// rollupBehind is when a rollup update first failed (Unix ns), 0 if none.
	rollupBehind atomic.Int64
	// transactions: the deployment (a replica set or a sharded cluster)
	// runs multi-document transactions; otherwise rollups go by outbox.
	transactions bool
	// stopSweeps ends the rollup outbox sweeps, sweeps waits for them.
	stopSweeps context.CancelFunc
	sweeps     sync.WaitGroup
	// stampMu orders the feed's numbers without transactions (changes.go).
	stampMu sync.Mutex
}

const (
	colAgencies   = "agencies"
	colProcedures = "procedures"
	colDossiers   = "dossiers"
	colDirectives = "directives"
	colCounters   = "counters"
	colRollups    = "rollups"
	colAudit      = "audit"
	colReports    = "reports"
	colLeases     = "leases"
)

// collections are every collection the store writes.
var collections = []string{colAgencies, colProcedures, colDossiers, colDirectives, colCounters, colRollups, colAudit, colReports, colLeases, colTombstones}

// Open connects, pings with a timeout, creates the collections and brings
// stored directives to the current keys.
func Open(ctx context.Context, cfg Config) (*Store, error) {
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
	s := &Store{client: client, db: client.Database(cfg.Database), log: cfg.Logger, now: cfg.Now}
	if err := s.open(ctx, cfg); err != nil {
		_ = client.Disconnect(context.Background())
		return nil, err
	}
	if cfg.Alone || !s.ferret {
		s.startSweeps(ctx)
	}
	return s, nil
}

func (s *Store) open(ctx context.Context, cfg Config) error {
	pingCtx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := s.client.Ping(pingCtx, nil); err != nil {
		return fmt.Errorf("store: ping %s: %w", redactURI(cfg.URI), err)
	}
	var info bson.M
	if err := s.client.Database("admin").RunCommand(pingCtx, bson.D{{Key: "buildInfo", Value: 1}}).Decode(&info); err != nil {
		return fmt.Errorf("store: buildInfo: %w", err)
	}
	_, s.ferret = info["ferretdbVersion"]
	var hello bson.M
	if err := s.client.Database("admin").RunCommand(pingCtx, bson.D{{Key: "hello", Value: 1}}).Decode(&hello); err != nil {
		// Too old a server: the outbox works everywhere.
		s.log.WarnContext(ctx, "store: hello failed; rollups change by outbox, not in transactions", "err", err)
	}
	s.transactions = supportsTransactions(hello)
	if err := s.createCollections(ctx); err != nil {
		return err
	}
	return s.rekeyDirectives(ctx)
}

// Close stops the sweeps and disconnects.
func (s *Store) Close(ctx context.Context) error {
	if s.stopSweeps != nil {
		s.stopSweeps()
		s.sweeps.Wait()
	}
	return s.client.Disconnect(ctx)
}

// supportsTransactions reads a hello answer: members of a replica set name
// it, a mongos says "isdbgrid"; a standalone server (FerretDB too) neither.
func supportsTransactions(hello bson.M) bool {
	_, replicaSet := hello["setName"]
	return replicaSet || hello["msg"] == "isdbgrid"
}

// Ping answers whether the server is reachable now.
func (s *Store) Ping(ctx context.Context) error { return s.client.Ping(ctx, nil) }

// IsFerretDB reports whether the server is FerretDB, whose concurrent
// updates of one document are not atomic and whose queries, but for an
// exact {_id: x}, read the whole collection.
func (s *Store) IsFerretDB() bool { return s.ferret }

// Database is the database's name.
func (s *Store) Database() string { return s.db.Name() }

// indexes lists, per collection, the fields list filters and sorts use.
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
		{{Key: "relations.kind", Value: 1}}, {{Key: "effectiveFrom", Value: 1}},
	},
}

// CreateIndexes creates the indexes of the list filters and orders, and of
// the change feed, whose counter and interrupted deletions it brings up to
// date: what a store serving alone needs at open. A store wrapped by one
// that answers the lists itself (memory) leaves them out: they would only
// cost every insert.
func (s *Store) CreateIndexes(ctx context.Context) error {
	for col, keys := range indexes {
		// One at a time: FerretDB 1.24 drops the connection when createIndexes
		// names several indexes that already exist.
		for _, k := range keys {
			if _, err := s.db.Collection(col).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: k}); err != nil {
				return fmt.Errorf("store: indexes on %s: %w", col, err)
			}
		}
	}
	// The few dossiers whose rollup change is owed, for the sweep (outbox.go).
	pending := mongo.IndexModel{Keys: bson.D{{Key: fieldOutbox + ".id", Value: 1}}, Options: options.Index().SetSparse(true)}
	if _, err := s.db.Collection(colDossiers).Indexes().CreateOne(ctx, pending); err != nil {
		return fmt.Errorf("store: indexes on %s: %w", colDossiers, err)
	}
	// The change feed's order, in every collection it reads (changes.go).
	for _, col := range feedCollections() {
		if _, err := s.db.Collection(col).Indexes().CreateOne(ctx, mongo.IndexModel{Keys: feedOrder}); err != nil {
			return fmt.Errorf("store: indexes on %s: %w", col, err)
		}
	}
	if err := s.raiseChangeCounter(ctx); err != nil {
		return err
	}
	return s.finishDeletions(ctx)
}

// createCollections makes the collections that do not exist yet, so that
// the embedded engine's tables exist for its _id index.
func (s *Store) createCollections(ctx context.Context) error {
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
	return nil
}

// byID selects the document with _id id: the one filter the embedded engine
// hands to SQLite (and, with its _id index, finds by index).
func byID(id string) bson.D { return bson.D{{Key: "_id", Value: id}} }

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
