package store

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"
	"go.mongodb.org/mongo-driver/v2/mongo/options"
	"go.mongodb.org/mongo-driver/v2/x/mongo/driver/topology"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
)

// maxCodeAttempts bounds the search for a free generated code when clients
// have also been choosing codes by hand for the same unit and day.
const maxCodeAttempts = 100

// ReceiveDossier records a dossier handed in at a desk.
func (s *Store) ReceiveDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (d *registry.Dossier, err error) {
	defer func() { s.audit(ctx, "receiveDossier", dossierTarget(d, in), err) }()
	return s.createDossier(ctx, in, registry.ActionReceive, source)
}

// RegisterDossier records a dossier submitted online, not yet received.
func (s *Store) RegisterDossier(ctx context.Context, in registry.ReceiveDossierInput, source string) (d *registry.Dossier, err error) {
	defer func() { s.audit(ctx, "registerDossier", dossierTarget(d, in), err) }()
	return s.createDossier(ctx, in, registry.ActionRegisterOnline, source)
}

// dossierTarget names the dossier a receipt created, or the one it asked for.
func dossierTarget(d *registry.Dossier, in registry.ReceiveDossierInput) string {
	if d != nil {
		return d.Code
	}
	if in.Code != nil {
		return *in.Code
	}
	return in.AgencyCode
}

// createDossier stores a new dossier. Without a code it generates
// <unit id>-YYMMDD-XXXX from a per-unit, per-day counter.
func (s *Store) createDossier(ctx context.Context, in registry.ReceiveDossierInput, first registry.Action, source string) (*registry.Dossier, error) {
	if err := canWriteDossier(ctx, strings.TrimSpace(in.AgencyCode)); err != nil {
		return nil, err
	}
	in.AgencyCode = strings.TrimSpace(in.AgencyCode)
	if err := s.mustExist(ctx, colAgencies, in.AgencyCode, "agencyCode", "agency"); err != nil {
		return nil, err
	}
	proc, err := s.Procedure(ctx, strings.TrimSpace(in.ProcedureCode))
	if err != nil {
		return nil, err
	}
	if proc == nil {
		return nil, registry.Invalid("procedureCode", "no procedure with code %q", in.ProcedureCode)
	}
	now := s.now()
	prov := s.provenance(source)
	var given string
	if in.Code != nil {
		if given = strings.TrimSpace(*in.Code); given == "" {
			return nil, registry.Invalid("code", "must not be empty: leave it out to have one generated")
		}
	}
	receivedAt := now
	if in.ReceivedAt != nil {
		receivedAt = *in.ReceivedAt
	}
	prefix := registry.DossierCodePrefix(in.AgencyCode, receivedAt)
	// Validate everything before taking a sequence number.
	d, err := registry.NewDossier(in, first, cmp.Or(given, prefix+"0001"), proc, s.cal, now, prov)
	if err != nil {
		return nil, err
	}
	err = s.write(ctx, func() error {
		insert := func() (duplicate bool, err error) {
			_, err = s.db.Collection(colDossiers).InsertOne(ctx, d)
			if isDuplicate(err) {
				return true, nil
			}
			if err != nil {
				return false, s.settle(ctx, classify(err), nil, d, fmt.Sprintf(
					"the store did not confirm the receipt in time, and dossier %s may have been created: read it before receiving the dossier again", d.Code))
			}
			s.recordRollup(ctx, nil, d)
			s.follow.stored(d)
			return false, nil
		}
		if given != "" {
			duplicate, err := insert()
			if duplicate {
				return registry.Errorf(registry.CodeConflict, "dossier %s already exists", given)
			}
			return err
		}
		for range maxCodeAttempts {
			seq, err := s.read.nextSequence(ctx, "dossier|"+prefix)
			if err != nil {
				return err
			}
			d.Code = fmt.Sprintf("%s%04d", prefix, seq)
			if duplicate, err := insert(); !duplicate {
				return err
			}
			// Codes given by hand or imported are not counted: move the
			// counter past the highest code in use and try again.
			if err := s.resyncSequence(ctx, prefix); err != nil {
				return err
			}
		}
		return registry.Errorf(registry.CodeConflict, "no free dossier code under %s after %d attempts", prefix, maxCodeAttempts)
	})
	if err != nil {
		return nil, err
	}
	s.published(d)
	return d, nil
}

// nextSequence increments and returns the counter named id. Callers hold the
// writer: the embedded engine's $inc is not atomic across connections.

// setSequence stores the counter named id.
func (s *Store) setSequence(ctx context.Context, id string, seq int) error {
	_, err := s.db.Collection(colCounters).UpdateOne(ctx, byID(id),
		bson.D{{Key: "$set", Value: bson.D{{Key: "seq", Value: seq}}}}, options.UpdateOne().SetUpsert(true))
	if err == nil {
		s.follow.sequenceSet(id, seq)
	}
	return classify(err)
}

// resyncSequence sets the counter of prefix to the highest sequence among
// the dossier codes under it.
func (s *Store) resyncSequence(ctx context.Context, prefix string) error {
	codes, err := s.read.dossierCodes(ctx, prefix)
	if err != nil {
		return err
	}
	// Codes sort by sequence only while they have the same width; 4 digits
	// overflow into 5 after 9999, so compare numerically over all of them.
	top := 0
	for _, c := range codes {
		if n, err := strconv.Atoi(strings.TrimPrefix(c, prefix)); err == nil {
			top = max(top, n)
		}
	}
	return s.setSequence(ctx, "dossier|"+prefix, top)
}

// Dossier returns the dossier with code as the caller may see it, or nil.
func (s *Store) Dossier(ctx context.Context, code string) (*registry.Dossier, error) {
	d, err := s.read.dossier(ctx, code)
	return visible(ctx, d), err
}

func dossierOrder(o registry.DossierOrder) (sortKey[*registry.Dossier], error) {
	id := func(d *registry.Dossier) string { return d.Code }
	switch o {
	case "", registry.OrderByCode:
		return sortKey[*registry.Dossier]{list: "dossiers by " + string(registry.OrderByCode), id: id}, nil
	case registry.OrderByReceivedAt, registry.OrderByReceivedDesc:
		return sortKey[*registry.Dossier]{list: "dossiers by " + string(o), field: "receivedAt", desc: o == registry.OrderByReceivedDesc, id: id,
			value: func(d *registry.Dossier) any { return d.ReceivedAt }, parse: parseTime}, nil
	case registry.OrderByDueDate:
		return sortKey[*registry.Dossier]{list: "dossiers by " + string(o), field: "dueDate", id: id,
			value: func(d *registry.Dossier) any { return string(d.DueDate) }, parse: parseDate}, nil
	}
	return sortKey[*registry.Dossier]{}, registry.Invalid("orderBy", "unknown order %q", o)
}

// Dossiers lists dossiers matching f in order o.
func (s *Store) Dossiers(ctx context.Context, f registry.DossierFilter, o registry.DossierOrder, args registry.PageArgs) (*registry.Page[*registry.Dossier], error) {
	page, err := s.read.dossiers(ctx, f, o, args)
	if err != nil {
		return nil, err
	}
	for i, d := range page.Items {
		page.Items[i] = visible(ctx, d)
	}
	return page, nil
}

func dossierQuery(f registry.DossierFilter) (bson.D, error) {
	q := bson.D{}
	eq := func(field string, v *string) {
		if v != nil {
			q = append(q, bson.E{Key: field, Value: *v})
		}
	}
	eq("agency", f.AgencyCode)
	eq("procedure", f.ProcedureCode)
	if f.Status != nil {
		q = append(q, bson.E{Key: "status", Value: *f.Status})
	}
	if f.Channel != nil {
		q = append(q, bson.E{Key: "channel", Value: *f.Channel})
	}
	if f.Outcome != nil {
		q = append(q, bson.E{Key: "outcome", Value: *f.Outcome})
	}
	if r := timeRange(f.ReceivedFrom, f.ReceivedTo); r != nil {
		q = append(q, bson.E{Key: "receivedAt", Value: r})
	}
	if r := timeRange(f.ResolvedFrom, f.ResolvedTo); r != nil {
		q = append(q, bson.E{Key: "resolvedAt", Value: r})
	}
	if f.OverdueAsOf != nil {
		if f.Status != nil && !f.Status.Open() {
			return nil, registry.Invalid("filter.overdueAsOf", "only open dossiers can be overdue; status %s is not open", *f.Status)
		}
		if f.Status == nil {
			q = append(q, bson.E{Key: "status", Value: bson.D{{Key: "$in", Value: registry.OpenStatuses()}}})
		}
		q = append(q, bson.E{Key: "overdueFrom", Value: bson.D{{Key: "$gt", Value: ""}, {Key: "$lte", Value: string(*f.OverdueAsOf)}}})
	}
	return q, nil
}

// timeRange is a [from, to) condition, or nil when both ends are open.
func timeRange(from, to *time.Time) bson.D {
	var r bson.D
	if from != nil {
		r = append(r, bson.E{Key: "$gte", Value: *from})
	}
	if to != nil {
		r = append(r, bson.E{Key: "$lt", Value: *to})
	}
	return r
}

// maxStepAttempts bounds optimistic retries when another writer (another
// gateway instance on the same MongoDB) records a step at the same moment.
const maxStepAttempts = 20

// RecordStep appends one step to a dossier's history. With expectedVersion
// the step applies only to that version (CONFLICT otherwise); without it,
// concurrent steps are applied one after another and none is lost.
func (s *Store) RecordStep(ctx context.Context, code string, in registry.DossierStepInput, expectedVersion *int, source string) (_ *registry.Dossier, err error) {
	defer func() { s.audit(ctx, "recordDossierStep", code+" "+string(in.Action), err) }()
	// Callers with no dossier rights at all are turned away before the
	// dossier is looked up, so they cannot learn which codes exist.
	if p := auth.FromContext(ctx); p.Role != auth.RoleClerk && p.Role != auth.RoleAdmin {
		return nil, p.CanWriteDossier("")
	}
	if !in.Action.Valid() || in.Action == registry.ActionRegisterOnline {
		return nil, registry.Invalid("action", "unknown step action %q", in.Action)
	}
	var d *registry.Dossier
	err = s.write(ctx, func() error {
		for range maxStepAttempts {
			var err error
			// The stored record, not the caller's view of it: it is written back.
			if d, err = s.read.dossier(ctx, code); err != nil {
				return err
			}
			if d == nil {
				return registry.Errorf(registry.CodeNotFound, "no dossier with code %q", code)
			}
			if err := canWriteDossier(ctx, d.AgencyCode); err != nil {
				return err
			}
			if expectedVersion != nil && *expectedVersion != d.Version {
				return registry.Errorf(registry.CodeConflict, "dossier %s is at version %d, not %d: reload it and retry", code, d.Version, *expectedVersion)
			}
			old := *d
			if err := d.Apply(in, s.cal, s.now()); err != nil {
				return err
			}
			update, err := stepUpdate(&old, d)
			if err != nil {
				return err
			}
			res, err := s.db.Collection(colDossiers).UpdateOne(ctx, s.read.stepFilter(code, old.Version), update)
			if err != nil {
				return s.settle(ctx, classify(err), &old, d, fmt.Sprintf(
					"the store did not confirm the step in time, and it may have been recorded: read dossier %s "+
						"(version %d means it was), or send it again with expectedVersion: %d, which never records it twice",
					code, d.Version, old.Version))
			}
			if res.MatchedCount == 1 {
				s.recordRollup(ctx, &old, d)
				s.follow.stored(d)
				return nil
			}
			if expectedVersion != nil {
				return registry.Errorf(registry.CodeConflict, "dossier %s changed while the step was recorded: reload it and retry", code)
			}
		}
		return registry.Errorf(registry.CodeConflict, "dossier %s is being changed by many writers at once; retry", code)
	})
	if err != nil {
		return nil, err
	}
	s.published(d)
	return d, nil
}

// errOutcomeUnknown marks a write the store may or may not have applied:
// the audit log records it as UNKNOWN.
var errOutcomeUnknown = errors.New("outcome unknown")

// settle follows a dossier write that failed with err. When the store was
// away or slow, the command may have been applied all the same: the writer,
// still held, reads the dossier back by _id (with time of its own: the
// request's may be over) so that memory, rollups and subscribers follow what
// the engine holds, and the caller learns how to check (message). old is the
// dossier before the write (nil for a receipt), want the dossier written.
func (s *Store) settle(ctx context.Context, err error, old, want *registry.Dossier, message string) error {
	// A command that found no server was never sent: nothing to settle.
	if registry.ErrorCode(err) != registry.CodeUnavailable || errors.As(err, new(topology.ServerSelectionError)) {
		return err
	}
	rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	got, rerr := get[registry.Dossier](rctx, s, colDossiers, want.Code)
	switch {
	case rerr != nil:
		// Still away: nothing kept of this dossier can be trusted until read again.
		s.follow.unsure(want.Code)
		s.log.ErrorContext(ctx, "a dossier write's outcome is unknown and the store cannot be asked; it will be read again",
			"dossier", want.Code, "err", rerr)
	case got != nil && got.Version == want.Version:
		s.recordRollup(rctx, old, got)
		s.follow.stored(got)
		s.published(got)
		s.log.WarnContext(ctx, "a dossier write that timed out was applied", "dossier", want.Code, "version", got.Version)
	default:
		s.log.WarnContext(ctx, "a dossier write that timed out was not applied", "dossier", want.Code)
	}
	return &registry.Error{Code: registry.CodeUnavailable, Message: message, Cause: fmt.Errorf("%w: %w", errOutcomeUnknown, err)}
}

// stepUpdate turns old into new with one update: the new step is pushed,
// every other field set, and fields new leaves empty (omitted) unset.
func stepUpdate(old, new *registry.Dossier) (bson.D, error) {
	before, err := topLevel(old)
	if err != nil {
		return nil, err
	}
	after, err := topLevel(new)
	if err != nil {
		return nil, err
	}
	set, unset := bson.D{}, bson.D{}
	for _, e := range after {
		if e.Key != "_id" && e.Key != "history" {
			set = append(set, e)
		}
	}
	for _, e := range before {
		if !slices.ContainsFunc(after, func(a bson.E) bool { return a.Key == e.Key }) {
			unset = append(unset, bson.E{Key: e.Key, Value: ""})
		}
	}
	update := bson.D{{Key: "$set", Value: set}, {Key: "$push", Value: bson.D{{Key: "history", Value: new.History[len(new.History)-1]}}}}
	if len(unset) > 0 {
		update = append(update, bson.E{Key: "$unset", Value: unset})
	}
	return update, nil
}

// topLevel is v's document as stored.
func topLevel(v any) (bson.D, error) {
	raw, err := bson.Marshal(v)
	if err != nil {
		return nil, err
	}
	var doc bson.D
	return doc, bson.Unmarshal(raw, &doc)
}

// published tells the step listener (subscriptions) about a dossier's newest step.
func (s *Store) published(d *registry.Dossier) {
	if s.onStep != nil {
		s.onStep(d)
	}
}
