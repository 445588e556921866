// Package service is the registry's use cases: receiving dossiers and
// recording their steps, registering agencies, procedures and directives,
// importing bulletins and bulk loads, statistics with their privacy rules
// and reconciliation. It checks the caller's rights, validates through the
// domain (internal/registry), audits every change (audit.go) and publishes
// steps, over a Storage it knows only by the interface below: the MongoDB
// store, or memory over it on the embedded engine.
package service

import (
	"context"
	"log/slog"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/stats"
)

// Storage keeps the records. Reads answer as the lists' contract says
// (internal/registry: filters, orders, pages); writes of a key already
// stored are registry.ErrDuplicate, and a dossier write the store could not
// confirm wraps registry.ErrOutcomeUnknown, applied saying whether reading
// it back found it stored.
type Storage interface {
	Agency(ctx context.Context, code string) (*registry.Agency, error)
	Agencies(ctx context.Context, f registry.AgencyFilter, args registry.PageArgs) (*registry.Page[*registry.Agency], error)
	EachAgency(ctx context.Context, f registry.AgencyFilter, fn func(*registry.Agency) error) error
	// AgenciesByCode finds agencies by code or by abbreviation.
	AgenciesByCode(ctx context.Context, codes []string) ([]*registry.Agency, error)
	Procedure(ctx context.Context, code string) (*registry.Procedure, error)
	Procedures(ctx context.Context, f registry.ProcedureFilter, args registry.PageArgs) (*registry.Page[*registry.Procedure], error)
	EachProcedure(ctx context.Context, f registry.ProcedureFilter, fn func(*registry.Procedure) error) error
	ProceduresByCode(ctx context.Context, codes []string) ([]*registry.Procedure, error)

	Directive(ctx context.Context, key string) (*registry.Directive, error)
	Directives(ctx context.Context, f registry.DirectiveFilter, args registry.PageArgs) (*registry.Page[*registry.Directive], error)
	EachDirective(ctx context.Context, f registry.DirectiveFilter, fn func(*registry.Directive) error) error
	DirectiveFacet(ctx context.Context, f registry.DirectiveFilter, field string) ([]registry.Facet, error)
	// DirectivesBySymbolKeys finds the directives bearing any of the
	// symbol keys, of one year when year is not nil.
	DirectivesBySymbolKeys(ctx context.Context, keys []string, year *int) ([]*registry.Directive, error)
	// DirectivesRelatedTo finds the directives stating a relation to symbolKey.
	DirectivesRelatedTo(ctx context.Context, symbolKey string) ([]*registry.Directive, error)

	Report(ctx context.Context, key string) (*registry.Report, error)
	Reports(ctx context.Context, f registry.ReportFilter, args registry.PageArgs) (*registry.Page[*registry.Report], error)
	EachReport(ctx context.Context, f registry.ReportFilter, fn func(*registry.Report) error) error

	Dossier(ctx context.Context, code string) (*registry.Dossier, error)
	Dossiers(ctx context.Context, f registry.DossierFilter, o registry.DossierOrder, args registry.PageArgs) (*registry.Page[*registry.Dossier], error)
	EachDossier(ctx context.Context, f registry.DossierFilter, fn func(*registry.Dossier) error) error
	// DossierCodes lists the codes starting with prefix.
	DossierCodes(ctx context.Context, prefix string) ([]string, error)

	// Rollup reads the cells of months from..to ("" from the beginning) of
	// the given agencies (all when none); byProcedure false allows cells
	// summed over the procedures (see stats.Query.ByProcedure).
	Rollup(ctx context.Context, from, to string, agencies []string, byProcedure bool) (stats.Rollup, error)
	RecomputeRollup(ctx context.Context) (stats.Rollup, error)
	RebuildRollups(ctx context.Context) (cells int, err error)
	VerifyRollups(ctx context.Context) ([]stats.Drift, error)

	AuditLog(ctx context.Context, f registry.AuditFilter, args registry.PageArgs) (*registry.Page[*registry.AuditEntry], error)
	AppendAudit(ctx context.Context, e *registry.AuditEntry) error

	// Insert adds an agency, procedure, directive or report.
	Insert(ctx context.Context, rec any) error
	// Load inserts the records not stored yet and says which were new.
	Load(ctx context.Context, records []any) (inserted []bool, err error)
	// InsertDossier stores a new dossier and counts it in the rollups.
	InsertDossier(ctx context.Context, d *registry.Dossier) (applied bool, err error)
	// UpdateDossier replaces old by new, and moves it between the rollups'
	// cells, if the stored dossier is still at old's version.
	UpdateDossier(ctx context.Context, old, new *registry.Dossier) (applied bool, err error)
	AddRelation(ctx context.Context, key string, rel registry.Relation) error
	// Replace stores rec (agency, procedure, directive, report) in place of
	// the stored record with its key: registry.ErrNotFound when there is none.
	Replace(ctx context.Context, rec any) error
	// Delete removes the directive or report with key, leaving its
	// tombstone in the feed, which names mergedInto when the record was
	// merged into that one: registry.ErrNotFound when there is none.
	Delete(ctx context.Context, kind registry.RecordKind, key, mergedInto string) error
	// Changes lists the feed after f.After (see registry.Change): at most
	// first changes, and whether more follow.
	Changes(ctx context.Context, f registry.ChangeFilter, first int) ([]registry.Change, bool, error)
	// LastChange is the highest sequence number stamped so far.
	LastChange(ctx context.Context) (int64, error)

	// NextSequence increments the counter id and returns its new value.
	NextSequence(ctx context.Context, id string) (int, error)
	SetSequence(ctx context.Context, id string, seq int) error
}

// Config is what the service needs besides its storage.
type Config struct {
	Calendar *calendar.Calendar
	Logger   *slog.Logger
	// Now is the clock; tests replace it.
	Now func() time.Time
	// OnStep, when set, learns of every dossier whose history grew, after the
	// write is stored (subscriptions listen here).
	OnStep func(*registry.Dossier)
	// MinCell withholds, from anonymous readers, statistics rows counting
	// fewer dossiers than this: small counts can single out a person.
	MinCell int
	// RequestID names the request a context belongs to, for the audit log.
	RequestID func(context.Context) string
}

// Service is the registry's use cases over a storage.
type Service struct {
	store   Storage
	cal     *calendar.Calendar
	log     *slog.Logger
	now     func() time.Time
	onStep  func(*registry.Dossier)
	minCell int
	steps   *stripes
	changes *signal
	// requestID: see Config.RequestID.
	requestID func(context.Context) string
}

// New is the service over store.
func New(store Storage, cfg Config) *Service {
	if cfg.Calendar == nil {
		cfg.Calendar = calendar.Default()
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if cfg.RequestID == nil {
		cfg.RequestID = func(context.Context) string { return "" }
	}
	return &Service{store: store, cal: cfg.Calendar, log: cfg.Logger, now: cfg.Now, onStep: cfg.OnStep, minCell: cfg.MinCell,
		steps: newStripes(), changes: newSignal(), requestID: cfg.RequestID}
}

// Today is the date in Vietnam by the service's clock: the one clock that
// dates steps, deadlines' states and statistics' "as of".
func (s *Service) Today() calendar.Date { return calendar.DateOf(s.now()) }

// Calendar is the working-day calendar deadlines are computed with.
func (s *Service) Calendar() *calendar.Calendar { return s.cal }

func (s *Service) provenance(source string) registry.Provenance {
	return registry.Provenance{Source: source, Recorded: s.now().UTC()}
}

// published tells the step listener (subscriptions) about a dossier's newest step.
func (s *Service) published(d *registry.Dossier) {
	if s.onStep != nil {
		s.onStep(d)
	}
}
