package registry

import "time"

// AuditEntry records one attempted change: who, when, what, on which record,
// and how it ended. Entries are only ever added.
type AuditEntry struct {
	ID        string    `bson:"_id" json:"id"` // sorts by time: see the store
	At        time.Time `bson:"at" json:"at"`
	Who       string    `bson:"who" json:"who"` // key name; "local" for command-line tools
	Role      string    `bson:"role,omitempty" json:"role,omitempty"`
	KeyID     string    `bson:"keyId,omitempty" json:"keyId,omitempty"`
	Operation string    `bson:"operation" json:"operation"` // e.g. recordDossierStep
	Target    string    `bson:"target,omitempty" json:"target,omitempty"`
	Result    string    `bson:"result" json:"result"` // OK or the error code
	RequestID string    `bson:"requestId,omitempty" json:"requestId,omitempty"`
}
