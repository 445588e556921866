// Package transfer moves records in and out of the registry as NDJSON or CSV:
// decoding and validating them line by line with the domain's own rules,
// loading them in idempotent batches, and writing them back out.
package transfer

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// Kind is a kind of record, named as in NDJSON lines ("kind": "dossier").
type Kind string

const (
	Agency    Kind = "agency"
	Procedure Kind = "procedure"
	Directive Kind = "directive"
	Report    Kind = "report"
	Dossier   Kind = "dossier"
)

// Kinds lists every kind in load order: what a record refers to comes first.
var Kinds = []Kind{Agency, Procedure, Directive, Report, Dossier}

// ParseKind accepts a kind in the singular or the plural (the export command
// says "dossiers").
func ParseKind(s string) (Kind, error) {
	for _, k := range Kinds {
		if s == string(k) || s == k.Plural() {
			return k, nil
		}
	}
	return "", fmt.Errorf("unknown kind %q: one of agencies, procedures, directives, reports, dossiers", s)
}

// Plural is the kind's collection name.
func (k Kind) Plural() string {
	if k == Agency {
		return "agencies"
	}
	return string(k) + "s"
}

// KindOf names the kind of a record.
func KindOf(v any) Kind {
	switch v.(type) {
	case *registry.Agency:
		return Agency
	case *registry.Procedure:
		return Procedure
	case *registry.Directive:
		return Directive
	case *registry.Report:
		return Report
	case *registry.Dossier:
		return Dossier
	}
	return ""
}

func (k Kind) new() any {
	switch k {
	case Agency:
		return &registry.Agency{}
	case Procedure:
		return &registry.Procedure{}
	case Directive:
		return &registry.Directive{}
	case Report:
		return &registry.Report{}
	}
	return &registry.Dossier{}
}

// decode reads one record of kind k from JSON and validates it: the record
// that goes into the store is the one the domain's constructors build from
// it, never the raw input. A record without provenance gets source's.
func decode(k Kind, raw []byte, cal *calendar.Calendar, source registry.Provenance) (_ any, err error) {
	defer recovered(&err)
	v := k.new()
	if err := strictJSON(raw, v); err != nil {
		return nil, err
	}
	rec, err := canonical(v, cal, source)
	if d, ok := rec.(*registry.Directive); ok && err == nil {
		addSymbolFindings(d, raw)
	}
	return rec, err
}

// addSymbolFindings adds what the line's symbol, as written, did outside
// the grammar (registry.ReadSymbol): the record keeps only the canonical
// form. Each once: an exported record already carries those its canonical
// form still shows (kept as written, Party document).
func addSymbolFindings(d *registry.Directive, raw []byte) {
	var line struct {
		Symbol string `json:"symbol"`
	}
	if json.Unmarshal(raw, &line) != nil {
		return
	}
	_, findings, err := registry.ReadSymbol(line.Symbol)
	if err != nil {
		return
	}
	for _, f := range findings {
		if !slices.Contains(d.Findings, f) {
			d.Findings = append(d.Findings, f)
		}
	}
}

func canonical(v any, cal *calendar.Calendar, source registry.Provenance) (any, error) {
	switch r := v.(type) {
	case *registry.Agency:
		a, err := registry.NewAgency(registry.CreateAgencyInput{
			Code: r.Code, Name: r.Name, Abbreviation: &r.Abbreviation, Level: r.Level, ParentCode: &r.ParentCode,
		}, provenance(r.Provenance, source))
		return a, err
	case *registry.Procedure:
		p, err := registry.NewProcedure(registry.CreateProcedureInput{
			Code: r.Code, Name: r.Name, Field: &r.Field, Level: r.Level, AgencyCode: r.AgencyCode,
			ProcessingDays: r.ProcessingDays, LegalBases: r.LegalBases,
		}, provenance(r.Provenance, source))
		return p, err
	case *registry.Directive:
		in := registry.CreateDirectiveInput{
			Symbol: r.Symbol.String(), IssuerCode: &r.IssuerCode, IssuerName: &r.IssuerName, IssuedOn: r.IssuedOn,
			Summary: &r.Summary, Signer: &registry.SignerInput{Position: &r.Signer.Position, Name: &r.Signer.Name},
			Validity: &r.Validity, EffectiveFrom: &r.EffectiveFrom, EffectiveTo: &r.EffectiveTo, Topics: r.Topics,
		}
		if r.Validity == "" {
			in.Validity = nil
		}
		for _, rel := range r.Relations {
			in.Relations = append(in.Relations, registry.RelationInput{Kind: rel.Kind, Symbol: rel.Symbol, Article: &rel.Article, Part: &rel.Part})
		}
		d, err := registry.NewDirective(in, provenance(r.Provenance, source))
		if err != nil {
			return nil, err
		}
		d.IssuerAsWritten, d.Findings = r.IssuerAsWritten, r.Findings
		if d.Findings == nil {
			d.Findings = []registry.Finding{}
		}
		d.Search = d.SearchText()
		return d, nil
	case *registry.Report:
		return registry.NewReport(*r, provenance(r.Provenance, source))
	case *registry.Dossier:
		d, err := registry.Replay(r, cal)
		if err != nil {
			return nil, err
		}
		d.Provenance = provenance(r.Provenance, source)
		return d, nil
	}
	return nil, fmt.Errorf("transfer: no rules for %T", v)
}

// provenance keeps a record's own provenance (an export keeps where records
// first came from) and fills in the import's when it has none.
func provenance(p, source registry.Provenance) registry.Provenance {
	if p.Source == "" {
		return source
	}
	return p
}

// strictJSON decodes raw into v, refusing fields v does not have: a typo in
// a column name must not silently drop data.
func strictJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return fmt.Errorf("not a valid record: %s", describeJSONError(err))
	}
	return nil
}

func describeJSONError(err error) string {
	if te, ok := errors.AsType[*json.UnmarshalTypeError](err); ok {
		return fmt.Sprintf("field %s must be %s, not %s", te.Field, te.Type, te.Value)
	}
	return err.Error()
}

// importProvenance is the provenance of records read from file at line.
func importProvenance(file string, line int, now time.Time) registry.Provenance {
	return registry.Provenance{Source: fmt.Sprintf("import %s:%d", file, line), Recorded: now.UTC()}
}
