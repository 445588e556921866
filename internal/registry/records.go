package registry

import (
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
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
}

// Directive is an issued document: decision, official letter, plan, decree...
type Directive struct {
	Key        string        `bson:"_id" json:"key"` // see DirectiveKey
	Symbol     Symbol        `bson:"symbol" json:"symbol"`
	SymbolKey  string        `bson:"symbolKey" json:"-"` // folded canonical symbol: what lookups match
	Year       int           `bson:"year" json:"year"`   // year of issue
	IssuerCode string        `bson:"issuer" json:"issuer"`
	IssuedOn   calendar.Date `bson:"issuedOn,omitempty" json:"issuedOn,omitempty"`
	Summary    string        `bson:"summary,omitempty" json:"summary,omitempty"` // trích yếu
	Provenance Provenance    `bson:"provenance" json:"provenance"`
}

// TypeName is the Vietnamese name of the directive's type; symbols without a
// type code are official letters (công văn), or laws when issued by the
// National Assembly.
func (d *Directive) TypeName() string {
	if t, ok := LookupDocType(d.Symbol.Type); ok {
		return t.Name
	}
	if strings.HasPrefix(d.Symbol.Issuer, "QH") && d.Symbol.Year != 0 {
		return "Luật"
	}
	return "Công văn"
}
