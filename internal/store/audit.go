package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"time"

	"go.mongodb.org/mongo-driver/v2/bson"

	"github.com/vnregistry/registry/internal/auth"
	"github.com/vnregistry/registry/internal/registry"
	"github.com/vnregistry/registry/internal/telemetry"
)

// colAudit holds the audit log. Nothing in the store updates or deletes it.
const colAudit = "audit"

// audit records the outcome of a change attempted by the caller in ctx. It
// runs after the change: a failure to record is logged loudly but does not
// undo or fail what was done.
func (s *Store) audit(ctx context.Context, operation, target string, err error) {
	p := auth.FromContext(ctx)
	e := registry.AuditEntry{At: s.now().UTC(), Who: p.Name, Role: string(p.Role), KeyID: p.KeyID,
		Operation: operation, Target: target, Result: "OK", RequestID: telemetry.RequestID(ctx)}
	if err != nil {
		e.Result = string(registry.ErrorCode(err))
	}
	if errors.Is(err, errOutcomeUnknown) {
		e.Result = "UNKNOWN"
	}
	// With the store away the entry could not be written either, and trying
	// would hold the writer another few seconds for every failed request.
	if e.Result == string(registry.CodeUnavailable) {
		s.log.WarnContext(ctx, "change attempted while the store was unavailable; not in the audit log", "operation", operation, "target", target, "who", e.Who)
		return
	}
	// Time first, so _id order is time order; random after, so two entries
	// in the same nanosecond do not collide.
	var suffix [4]byte
	_, _ = rand.Read(suffix[:])
	e.ID = e.At.Format("20060102T150405.000000000Z") + "-" + hex.EncodeToString(suffix[:])
	// Recorded even when the request was cancelled: the attempt happened.
	wctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	// Not through the single writer: an insert of a new entry cannot lose
	// an update (what the writer prevents on the embedded engine), and a
	// step would otherwise hold the writer twice.
	_, werr := s.db.Collection(colAudit).InsertOne(wctx, e)
	if werr != nil {
		s.log.ErrorContext(ctx, "audit entry not recorded", "operation", operation, "target", target, "err", classify(werr))
	}
}

// AuditRefusedKey records a request refused for its API key, before any
// operation ran: a security event, as the attempt of a change is. The key
// matched no entry, so it names nobody: who is "invalid key".
func (s *Store) AuditRefusedKey(ctx context.Context, request string, err error) {
	s.audit(auth.WithPrincipal(ctx, auth.Principal{Name: "invalid key"}), request, "", err)
}

var auditOrder = sortKey[*registry.AuditEntry]{list: "auditLog", desc: true, id: func(e *registry.AuditEntry) string { return e.ID }}

// AuditLog lists audit entries, newest first; auditors and administrators only.
func (s *Store) AuditLog(ctx context.Context, f registry.AuditFilter, args registry.PageArgs) (*registry.Page[*registry.AuditEntry], error) {
	if err := canReadAudit(ctx); err != nil {
		return nil, err
	}
	q := bson.D{}
	for _, c := range []struct {
		field string
		v     *string
	}{{"who", f.Who}, {"operation", f.Operation}, {"target", f.Target}} {
		if c.v != nil {
			q = append(q, bson.E{Key: c.field, Value: *c.v})
		}
	}
	if r := timeRange(f.From, f.To); r != nil {
		q = append(q, bson.E{Key: "at", Value: r})
	}
	return list(ctx, s, colAudit, q, auditOrder, args)
}
