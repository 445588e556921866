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

// Applicant is the person or organisation submitting a dossier. Personal data:
// never logged.
type Applicant struct {
	Name     string `bson:"name" json:"name"`
	IDNumber string `bson:"idNumber,omitempty" json:"idNumber,omitempty"`
	Phone    string `bson:"phone,omitempty" json:"phone,omitempty"`
}

// Dossier is one application (hồ sơ) handled at a one-stop desk, with its whole
// history embedded in the order it happened.
type Dossier struct {
	Code          string        `bson:"_id" json:"code"`
	ProcedureCode string        `bson:"procedure" json:"procedure"`
	AgencyCode    string        `bson:"agency" json:"agency"`
	Channel       Channel       `bson:"channel" json:"channel"`
	Applicant     Applicant     `bson:"applicant" json:"applicant"`
	Status        Status        `bson:"status" json:"status"`
	Version       int           `bson:"version" json:"version"`       // number of steps recorded; the optimistic-concurrency token
	ReceivedAt    time.Time     `bson:"receivedAt" json:"receivedAt"` // when it reached the desk (or was registered online)
	DueDate       calendar.Date `bson:"dueDate,omitempty" json:"dueDate,omitempty"`
	History       []Step        `bson:"history" json:"history"`
	Provenance    Provenance    `bson:"provenance" json:"provenance"`
}

// Step is one line of the process control sheet (phiếu kiểm soát).
type Step struct {
	Seq          int       `bson:"seq" json:"seq"`
	Action       Action    `bson:"action" json:"action"`
	At           time.Time `bson:"at" json:"at"`
	Actor        string    `bson:"actor,omitempty" json:"actor,omitempty"`
	FromUnit     string    `bson:"fromUnit,omitempty" json:"fromUnit,omitempty"`
	ToUnit       string    `bson:"toUnit,omitempty" json:"toUnit,omitempty"`
	Note         string    `bson:"note,omitempty" json:"note,omitempty"`
	StatusBefore Status    `bson:"statusBefore,omitempty" json:"statusBefore,omitempty"`
	StatusAfter  Status    `bson:"statusAfter" json:"statusAfter"`
	OnTime       bool      `bson:"onTime" json:"onTime"`
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

// StatusCode is the national status code of the dossier's status.
func (d *Dossier) StatusCode() int { return d.Status.NationalCode() }

// StatusLabel is the Vietnamese name of the dossier's status.
func (d *Dossier) StatusLabel() string { return d.Status.Label() }

// ChannelCode is the national code of the dossier's channel.
func (d *Dossier) ChannelCode() int { return d.Channel.NationalCode() }

// ActionLabel is the Vietnamese name of the step's action.
func (s *Step) ActionLabel() string { return s.Action.Label() }

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
