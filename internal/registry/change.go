package registry

import (
	"cmp"
	"encoding/base64"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The change feed: every record changed after a position, each once at its
// latest change, and every deletion, in the order the store made them (as
// CouchDB's _changes and Open States' updated_since serve): a client that
// fetches what the feed names ends with exactly the store's records. Each
// change of a dossier stays in its history, and each attempt in the audit
// log.
//
// A record carries its place in the feed (Stamp) in its own stored
// document, written with it: the feed cannot say a record changed that did
// not, nor miss one that did, whatever stops in between.

// RecordKind is a kind of record the feed follows.
type RecordKind string

const (
	KindAgency    RecordKind = "AGENCY"
	KindProcedure RecordKind = "PROCEDURE"
	KindDirective RecordKind = "DIRECTIVE"
	KindReport    RecordKind = "REPORT"
	KindDossier   RecordKind = "DOSSIER"
)

// RecordKinds are the kinds in the feed's order for changes of one
// sequence number (records stored before the feed existed all have 0).
var RecordKinds = []RecordKind{KindAgency, KindProcedure, KindDirective, KindReport, KindDossier}

// Valid reports whether k is one of RecordKinds.
func (k RecordKind) Valid() bool { return slices.Contains(RecordKinds, k) }

// rank is k's place in RecordKinds.
func (k RecordKind) rank() int { return slices.Index(RecordKinds, k) }

// ChangeOp is what a change did to its record.
type ChangeOp string

const (
	OpUpsert ChangeOp = "UPSERT"
	OpDelete ChangeOp = "DELETE"
)

// Stamp is a record's last change: the store's sequence number, which
// orders the feed, and the time. A record stored before the feed existed
// has the zero Stamp.
type Stamp struct {
	Seq int64     `bson:"seq" json:"seq"`
	At  time.Time `bson:"at" json:"at"`
}

// Change is one entry of the feed: the record of Kind with Key (its code,
// or a directive's or report's key) was stored (UPSERT) or removed
// (DELETE) at Stamp. Version is a dossier's version; MergedInto names the
// directive a merged one now lives on. Nothing else of the record: the feed
// carries no personal data, and a client reads the record itself.
type Change struct {
	Kind       RecordKind
	Key        string
	Op         ChangeOp
	Stamp      Stamp
	Version    int
	MergedInto string
}

// Position is a change's place in the feed: after its sequence number,
// kind and key (which order only the changes of sequence number 0).
func (c Change) Position() Position { return Position{Seq: c.Stamp.Seq, Kind: c.Kind, Key: c.Key} }

// Position is a place in the feed; the zero Position is before its start.
type Position struct {
	Seq  int64
	Kind RecordKind
	Key  string
}

// Compare orders positions as the feed does.
func (p Position) Compare(q Position) int {
	return cmp.Or(cmp.Compare(p.Seq, q.Seq), cmp.Compare(p.Kind.rank(), q.Kind.rank()), strings.Compare(p.Key, q.Key))
}

// EndOf is the position after every change numbered up to seq.
func EndOf(seq int64) Position { return Position{Seq: seq + 1, Kind: ""} }

// Cursor is p as clients hold it: opaque, and valid across restarts.
func (p Position) Cursor() string {
	return base64.RawURLEncoding.EncodeToString([]byte(strconv.FormatInt(p.Seq, 10) + ":" + string(p.Kind) + ":" + p.Key))
}

// ParseCursor reads a cursor Cursor made; "" is the start of the feed.
func ParseCursor(cursor string) (Position, error) {
	if cursor == "" {
		return Position{}, nil
	}
	bad := Invalid("after", "is not a cursor of the change feed")
	raw, err := base64.RawURLEncoding.DecodeString(cursor)
	if err != nil {
		return Position{}, bad
	}
	seq, rest, ok1 := strings.Cut(string(raw), ":")
	kind, key, ok2 := strings.Cut(rest, ":")
	n, err := strconv.ParseInt(seq, 10, 64)
	if !ok1 || !ok2 || err != nil || n < 0 || !RecordKind(kind).Valid() || key == "" {
		return Position{}, bad
	}
	return Position{Seq: n, Kind: RecordKind(kind), Key: key}, nil
}

// ChangeFilter selects the feed's changes after a position, of some kinds
// (all when none).
type ChangeFilter struct {
	After Position
	Kinds []RecordKind
}

// Wants reports whether the filter takes a change of kind k.
func (f ChangeFilter) Wants(k RecordKind) bool {
	return len(f.Kinds) == 0 || slices.Contains(f.Kinds, k)
}

// Tombstone is a deleted record's entry in the feed, stored in place of the
// record: its kind, key and stamp, and for a merged directive the key of the
// one it was merged into.
type Tombstone struct {
	ID         string     `bson:"_id"`
	Kind       RecordKind `bson:"kind"`
	Key        string     `bson:"key"`
	Changed    Stamp      `bson:"changed"`
	MergedInto string     `bson:"mergedInto,omitempty"`
}

// TombstoneID is the stored id of the tombstone of kind's key.
func TombstoneID(kind RecordKind, key string) string { return string(kind) + "|" + key }

// Change is the tombstone's entry in the feed.
func (t *Tombstone) Change() Change {
	return Change{Kind: t.Kind, Key: t.Key, Op: OpDelete, Stamp: t.Changed, MergedInto: t.MergedInto}
}

// KindOf is the kind of a record, its key and its stamp; ok false for
// anything the feed does not follow.
func KindOf(rec any) (kind RecordKind, key string, stamp *Stamp, ok bool) {
	switch v := rec.(type) {
	case *Agency:
		return KindAgency, v.Code, &v.Changed, true
	case *Procedure:
		return KindProcedure, v.Code, &v.Changed, true
	case *Directive:
		return KindDirective, v.Key, &v.Changed, true
	case *Report:
		return KindReport, v.Key, &v.Changed, true
	case *Dossier:
		return KindDossier, v.Code, &v.Changed, true
	}
	return "", "", nil, false
}
