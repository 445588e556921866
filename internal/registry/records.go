package registry

import (
	"time"
)

// Level is the tier of government a procedure or agency belongs to.
type Level string

const (
	LevelCentral    Level = "CENTRAL"
	LevelProvincial Level = "PROVINCIAL"
	LevelDistrict   Level = "DISTRICT"
	LevelCommune    Level = "COMMUNE"
)

// Valid reports whether l is one of the known levels.
func (l Level) Valid() bool {
	switch l {
	case LevelCentral, LevelProvincial, LevelDistrict, LevelCommune:
		return true
	}
	return false
}

// Provenance says where a record came from and when, so every figure can be traced.
type Provenance struct {
	Source   string    `bson:"source" json:"source"`                       // "api", an import file name, a bulletin name
	Caller   string    `bson:"caller,omitempty" json:"caller,omitempty"`   // API caller, when known
	Excerpt  string    `bson:"excerpt,omitempty" json:"excerpt,omitempty"` // the sentence a record was read from
	Offset   int       `bson:"offset,omitempty" json:"offset,omitempty"`   // character offset of Excerpt in the source
	Length   int       `bson:"length,omitempty" json:"length,omitempty"`   // its length in characters
	Recorded time.Time `bson:"recorded" json:"recorded"`
	// Parts say, for a record read from an official document, which part of
	// it each value came from.
	Parts []SourcePart `bson:"parts,omitempty" json:"parts,omitempty"`
}

// SourcePart is where in an official document one of a record's values was
// read: the field, the part of the document ("number", "place-date",
// "header", "type", "summary", "article", "signature"), the article's
// number for an article, and the value's characters in the source.
type SourcePart struct {
	Field  string `bson:"field" json:"field"`
	Part   string `bson:"part" json:"part"`
	Number int    `bson:"number,omitempty" json:"number,omitempty"`
	Offset int    `bson:"offset" json:"offset"`
	Length int    `bson:"length" json:"length"`
}

// Procedure is an administrative procedure (thủ tục hành chính).
type Procedure struct {
	Code           string     `bson:"_id" json:"code"` // national code, e.g. 1.001612 or 1.003560.000.00.00.H56
	Name           string     `bson:"name" json:"name"`
	Field          string     `bson:"field,omitempty" json:"field,omitempty"` // lĩnh vực
	Level          Level      `bson:"level" json:"level"`
	AgencyCode     string     `bson:"agency" json:"agency"`                             // implementing body
	ProcessingDays int        `bson:"processingDays" json:"processingDays"`             // working days
	LegalBases     []string   `bson:"legalBases,omitempty" json:"legalBases,omitempty"` // canonical directive symbols
	Provenance     Provenance `bson:"provenance" json:"provenance"`
	// Changed is the record's place in the change feed (change.go).
	Changed Stamp `bson:"changed" json:"-"`
}
