package registry

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

var (
	// National database codes: 1.001612, or a local variant 1.003560.000.00.00.H56.
	procedureCodePattern = regexp.MustCompile(`^[0-9]\.[0-9]{6}(\.[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2})?$`)
	// Unit ids of the electronic one-stop system: 000.00.06.H56.
	agencyCodePattern = regexp.MustCompile(`^[0-9]{3}\.[0-9]{2}\.[0-9]{2}\.[A-Z][0-9]{2}$`)
)

const (
	maxNameRunes    = 500
	maxNoteRunes    = 2000
	maxReasonRunes  = 500 // a due date's reason: a line in the audit log, not a letter
	maxLegalBases   = 100
	maxProcessDays  = 365
	maxAbbreviation = 32
)

// MaxSummaryRunes is the longest summary (trích yếu) a directive keeps. No
// rule bounds a summary; provincial gazettes publish some of 500 to 600
// characters, so the bound is well above what is published.
const MaxSummaryRunes = 2000

// CreateAgencyInput describes a new agency (cơ quan, đơn vị).
type CreateAgencyInput struct {
	Code         string
	Name         string
	Abbreviation *string
	Level        Level
	ParentCode   *string
}

// Agency is a body that issues directives or handles dossiers. Code is its
// unit id in the one-stop system (000.00.06.H56).
type Agency struct {
	Code         string     `bson:"_id" json:"code"`
	Name         string     `bson:"name" json:"name"`
	Abbreviation string     `bson:"abbreviation,omitempty" json:"abbreviation,omitempty"`
	Level        Level      `bson:"level" json:"level"`
	ParentCode   string     `bson:"parent,omitempty" json:"parent,omitempty"`
	Provenance   Provenance `bson:"provenance" json:"provenance"`
	// Changed is the record's place in the change feed (change.go).
	Changed Stamp `bson:"changed" json:"-"`
}

// NewAgency validates in and builds the record.
func NewAgency(in CreateAgencyInput, prov Provenance) (*Agency, error) {
	a := &Agency{
		Code:         strings.TrimSpace(in.Code),
		Name:         strings.TrimSpace(in.Name),
		Abbreviation: strings.TrimSpace(deref(in.Abbreviation)),
		Level:        in.Level,
		ParentCode:   strings.TrimSpace(deref(in.ParentCode)),
		Provenance:   prov,
	}
	if !agencyCodePattern.MatchString(a.Code) {
		return nil, Invalid("code", "must be a unit id like 000.00.06.H56, got %q", a.Code)
	}
	if err := checkText("name", a.Name, maxNameRunes, true); err != nil {
		return nil, err
	}
	if err := checkText("abbreviation", a.Abbreviation, maxAbbreviation, false); err != nil {
		return nil, err
	}
	if !a.Level.Valid() {
		return nil, Invalid("level", "must be one of CENTRAL, PROVINCIAL, DISTRICT, COMMUNE")
	}
	if a.ParentCode != "" && !agencyCodePattern.MatchString(a.ParentCode) {
		return nil, Invalid("parentCode", "must be a unit id like 000.00.06.H56, got %q", a.ParentCode)
	}
	return a, nil
}

// CreateProcedureInput describes a new procedure.
type CreateProcedureInput struct {
	Code           string
	Name           string
	Field          *string
	Level          Level
	AgencyCode     string
	ProcessingDays int
	LegalBases     []string
}

// NewProcedure validates in and builds the record. References to the agency and
// legal bases are checked by the caller, which can see the store.
func NewProcedure(in CreateProcedureInput, prov Provenance) (*Procedure, error) {
	p := &Procedure{
		Code:           strings.TrimSpace(in.Code),
		Name:           strings.TrimSpace(in.Name),
		Field:          strings.TrimSpace(deref(in.Field)),
		Level:          in.Level,
		AgencyCode:     strings.TrimSpace(in.AgencyCode),
		ProcessingDays: in.ProcessingDays,
		Provenance:     prov,
	}
	if !procedureCodePattern.MatchString(p.Code) {
		return nil, Invalid("code", "must be a national procedure code like 1.001612 or 1.003560.000.00.00.H56, got %q", p.Code)
	}
	if err := checkText("name", p.Name, maxNameRunes, true); err != nil {
		return nil, err
	}
	if err := checkText("field", p.Field, maxNameRunes, false); err != nil {
		return nil, err
	}
	if !p.Level.Valid() {
		return nil, Invalid("level", "must be one of CENTRAL, PROVINCIAL, DISTRICT, COMMUNE")
	}
	if !agencyCodePattern.MatchString(p.AgencyCode) {
		return nil, Invalid("agencyCode", "must be a unit id like 000.00.06.H56, got %q", p.AgencyCode)
	}
	if err := checkProcessingDays(p.ProcessingDays); err != nil {
		return nil, err
	}
	if len(in.LegalBases) > maxLegalBases {
		return nil, Invalid("legalBases", "at most %d legal bases", maxLegalBases)
	}
	// Legal bases are kept by canonical symbol, whether or not the directive is
	// in the registry yet: the edge is a fact even before its target arrives.
	for i, s := range in.LegalBases {
		sym, err := ParseSymbol(s)
		if err != nil {
			return nil, AsField(fmt.Sprintf("legalBases[%d]", i), err)
		}
		if !slices.Contains(p.LegalBases, sym.String()) {
			p.LegalBases = append(p.LegalBases, sym.String())
		}
	}
	return p, nil
}

// checkText enforces the rules every free-text field shares: valid UTF-8, no
// control characters, a length limit, and presence when required.
// invisible reports the characters registry text refuses: control characters
// but tab and newline, and format characters.
func invisible(r rune) bool {
	return (unicode.Is(unicode.Cc, r) && r != '\n' && r != '\t') || unicode.Is(unicode.Cf, r)
}

// Visible is s without the characters registry text refuses: text pasted
// from a web page (soft hyphens, zero-width spaces) reads the same without
// them, and what is quoted from it must be storable.
func Visible(s string) string {
	return strings.Map(func(r rune) rune {
		if invisible(r) {
			return -1
		}
		return r
	}, s)
}

// maxSourceRunes bounds a source's name: a title or an address, not a text.
const maxSourceRunes = 500

// CheckSource validates the name of where records come from (a bulletin's
// title or address), which readers see beside every figure.
func CheckSource(source string) error { return checkText("source", source, maxSourceRunes, true) }

func checkText(field, s string, maxRunes int, required bool) error {
	if required && s == "" {
		return Invalid(field, "is required")
	}
	if !utf8.ValidString(s) {
		return Invalid(field, "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(s); n > maxRunes {
		return Invalid(field, "must be at most %d characters, got %d", maxRunes, n)
	}
	for _, r := range s {
		// Control and format characters (zero-width spaces, bidirectional
		// overrides) make two names that read alike differ, or one read
		// backwards: no registry text needs them.
		if invisible(r) {
			return Invalid(field, "must not contain control or invisible formatting characters (U+%04X)", r)
		}
	}
	return nil
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}
