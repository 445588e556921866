package registry

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/fold"
)

// Validity is a directive's legal effect as legal databases show it.
type Validity string

const (
	ValidityUnknown          Validity = "UNKNOWN"           // not stated by the source
	ValidityInForce          Validity = "IN_FORCE"          // còn hiệu lực
	ValidityPartiallyExpired Validity = "PARTIALLY_EXPIRED" // hết hiệu lực một phần
	ValidityExpired          Validity = "EXPIRED"           // hết hiệu lực toàn bộ
	ValidityNotYetInForce    Validity = "NOT_YET_IN_FORCE"  // chưa có hiệu lực
	ValiditySuspended        Validity = "SUSPENDED"         // ngưng hiệu lực
)

// Valid reports whether v is a known validity.
func (v Validity) Valid() bool {
	switch v {
	case ValidityUnknown, ValidityInForce, ValidityPartiallyExpired, ValidityExpired, ValidityNotYetInForce, ValiditySuspended:
		return true
	}
	return false
}

// RelationKind is how one directive bears on another. Each forward kind has an
// inverse, which is never stored: it is the forward edge read from its target.
type RelationKind string

const (
	RelImplements    RelationKind = "IMPLEMENTS"
	RelGuides        RelationKind = "GUIDES"
	RelAmends        RelationKind = "AMENDS"
	RelReplaces      RelationKind = "REPLACES"
	RelRepeals       RelationKind = "REPEALS"
	RelCorrects      RelationKind = "CORRECTS"
	RelBasedOn       RelationKind = "BASED_ON"
	RelReferences    RelationKind = "REFERENCES"
	RelSuspends      RelationKind = "SUSPENDS"
	RelImplementedBy RelationKind = "IMPLEMENTED_BY"
	RelGuidedBy      RelationKind = "GUIDED_BY"
	RelAmendedBy     RelationKind = "AMENDED_BY"
	RelReplacedBy    RelationKind = "REPLACED_BY"
	RelRepealedBy    RelationKind = "REPEALED_BY"
	RelCorrectedBy   RelationKind = "CORRECTED_BY"
	RelBasisOf       RelationKind = "BASIS_OF"
	RelReferencedBy  RelationKind = "REFERENCED_BY"
	RelSuspendedBy   RelationKind = "SUSPENDED_BY"
)

type relationInfo struct {
	inverse RelationKind
	label   string
	forward bool
}

var relations = map[RelationKind]relationInfo{
	RelImplements:    {RelImplementedBy, "triển khai", true},
	RelGuides:        {RelGuidedBy, "hướng dẫn", true},
	RelAmends:        {RelAmendedBy, "sửa đổi, bổ sung", true},
	RelReplaces:      {RelReplacedBy, "thay thế", true},
	RelRepeals:       {RelRepealedBy, "bãi bỏ", true},
	RelCorrects:      {RelCorrectedBy, "đính chính", true},
	RelBasedOn:       {RelBasisOf, "căn cứ", true},
	RelReferences:    {RelReferencedBy, "dẫn chiếu", true},
	RelSuspends:      {RelSuspendedBy, "ngưng hiệu lực", true},
	RelImplementedBy: {RelImplements, "được triển khai bởi", false},
	RelGuidedBy:      {RelGuides, "được hướng dẫn bởi", false},
	RelAmendedBy:     {RelAmends, "được sửa đổi, bổ sung bởi", false},
	RelReplacedBy:    {RelReplaces, "bị thay thế bởi", false},
	RelRepealedBy:    {RelRepeals, "bị bãi bỏ bởi", false},
	RelCorrectedBy:   {RelCorrects, "được đính chính bởi", false},
	RelBasisOf:       {RelBasedOn, "là căn cứ của", false},
	RelReferencedBy:  {RelReferences, "được dẫn chiếu bởi", false},
	RelSuspendedBy:   {RelSuspends, "bị ngưng hiệu lực bởi", false},
}

// Inverse is the kind read from the other end of the edge.
func (k RelationKind) Inverse() RelationKind { return relations[k].inverse }

// Label is the Vietnamese wording of the relation.
func (k RelationKind) Label() string { return relations[k].label }

// Forward reports whether k is stored on the directive that states it.
func (k RelationKind) Forward() bool { return relations[k].forward }

// Relation is an edge from a directive to another, stored on the directive
// that states it. The target may not be in the registry yet: the edge is kept.
type Relation struct {
	Kind      RelationKind `bson:"kind" json:"kind"`
	Symbol    string       `bson:"symbol" json:"symbol"` // the target's canonical symbol
	SymbolKey string       `bson:"symbolKey" json:"-"`
	// Excerpt is the sentence a relation read from a text was stated in;
	// "" for one stated through the API.
	Excerpt string `bson:"excerpt,omitempty" json:"excerpt,omitempty"`
	// Article is the article of the stating directive that states the
	// relation ("Điều 12"); "" when not recorded.
	Article string `bson:"article,omitempty" json:"article,omitempty"`
	// Part is the part of the target affected ("khoản 2 Điều 5"); "" for
	// the whole: a repeal of a part leaves the rest in force.
	Part string `bson:"part,omitempty" json:"part,omitempty"`
}

// HasRelation reports whether rs holds r's edge (kind and target), said in
// whatever sentence.
func HasRelation(rs []Relation, r Relation) bool {
	return slices.ContainsFunc(rs, func(o Relation) bool { return o.Kind == r.Kind && o.SymbolKey == r.SymbolKey })
}

// Signer is who signed a directive.
type Signer struct {
	Position string `bson:"position,omitempty" json:"position,omitempty"`
	Name     string `bson:"name,omitempty" json:"name,omitempty"`
}

// Directive is an issued document: decision, official letter, plan, decree...
type Directive struct {
	Key       string `bson:"_id" json:"key"` // see DirectiveKey
	Symbol    Symbol `bson:"symbol" json:"symbol"`
	SymbolKey string `bson:"symbolKey" json:"-"` // folded canonical symbol: what lookups match
	Year      int    `bson:"year" json:"year"`   // year of issue; 0 when the source does not say
	// IssuerCode is the issuing body's code (agency abbreviation or unit id).
	IssuerCode string `bson:"issuer" json:"issuer"`
	IssuerKey  string `bson:"issuerKey" json:"-"` // folded IssuerCode: what the issuer filter matches
	IssuerName string `bson:"issuerName,omitempty" json:"issuerName,omitempty"`
	// IssuerAsWritten is what the source named as issuer, kept even when it
	// disagrees with the symbol (news often credits the Government with the
	// Prime Minister's decisions).
	IssuerAsWritten string `bson:"issuerAsWritten,omitempty" json:"issuerAsWritten,omitempty"`
	// IssuerParent is the body above the issuer in an official document's
	// header ("UBND TỈNH SƠN LA" above "SỞ TƯ PHÁP"); "" when not stated.
	IssuerParent  string        `bson:"issuerParent,omitempty" json:"issuerParent,omitempty"`
	IssuedOn      calendar.Date `bson:"issuedOn,omitempty" json:"issuedOn,omitempty"`
	Summary       string        `bson:"summary,omitempty" json:"summary,omitempty"` // trích yếu
	Signer        Signer        `bson:"signer" json:"signer"`
	Validity      Validity      `bson:"validity" json:"validity"`
	EffectiveFrom calendar.Date `bson:"effectiveFrom,omitempty" json:"effectiveFrom,omitempty"`
	EffectiveTo   calendar.Date `bson:"effectiveTo,omitempty" json:"effectiveTo,omitempty"`
	Topics        []string      `bson:"topics" json:"topics"`
	Relations     []Relation    `bson:"relations" json:"relations"`
	// Findings are what checks noticed, e.g. a source naming an issuer the
	// symbol disagrees with.
	Findings []Finding `bson:"findings" json:"findings"`
	// Search is the folded text search matches: symbol, summary, issuer and signer.
	Search     string     `bson:"search" json:"-"`
	Provenance Provenance `bson:"provenance" json:"provenance"`
	// Changed is the record's place in the change feed (change.go).
	Changed Stamp `bson:"changed" json:"-"`
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

// CreateDirectiveInput describes a directive to register.
type CreateDirectiveInput struct {
	Symbol     string
	IssuerCode *string // defaults to the issuer named in the symbol
	IssuerName *string
	IssuedOn   calendar.Date // may be empty for directives read from text
	Summary    *string
	Signer     *SignerInput
	Validity   *Validity
	// EffectiveFrom and EffectiveTo bound the period the directive has effect.
	EffectiveFrom *calendar.Date
	EffectiveTo   *calendar.Date
	Topics        []string
	Relations     []RelationInput
}

// SignerInput is a signer as entered.
type SignerInput struct {
	Position *string
	Name     *string
}

// RelationInput is an edge to state: kind and the target's number and symbol.
type RelationInput struct {
	Kind   RelationKind
	Symbol string
	// Excerpt is where a text states it (bulletin imports); the API has no
	// such field.
	Excerpt string
	// Article states it in the stating directive; Part is what of the
	// target it affects ("" the whole). Both optional.
	Article *string
	Part    *string
}

// DirectiveKey is the natural key (issuing body, year, number and symbol) as
// one string: numbers and symbols are unique only per body per year. body is
// IssuingBody's.
func DirectiveKey(body string, year int, sym Symbol) string {
	return body + "|" + strconv.Itoa(year) + "|" + sym.Key()
}

const (
	maxTopics     = 20
	maxTopicRunes = 100
	maxRelations  = 200
	// maxArticleRunes bounds a relation's article: "Điều 112" or "Phụ lục II".
	maxArticleRunes = 100
)

// NewDirective validates in and builds the record.
func NewDirective(in CreateDirectiveInput, prov Provenance) (*Directive, error) {
	sym, err := ParseSymbol(in.Symbol)
	if err != nil {
		return nil, err
	}
	// A directive read from text may have no stated date: its year is then
	// the symbol's, or 0 (unknown).
	year := sym.Year
	if in.IssuedOn != "" {
		if _, err := calendar.ParseDate(string(in.IssuedOn)); err != nil {
			return nil, Invalid("issuedOn", "%v", err)
		}
		year = in.IssuedOn.Year()
		if sym.Year != 0 && sym.Year != year {
			return nil, Invalid("issuedOn", "year %d disagrees with the year %d in the symbol %s", year, sym.Year, sym)
		}
	}
	d := &Directive{
		Symbol: sym, SymbolKey: sym.Key(), Year: year, IssuedOn: in.IssuedOn,
		IssuerCode: strings.TrimSpace(deref(in.IssuerCode)), IssuerName: strings.TrimSpace(deref(in.IssuerName)),
		Summary: strings.TrimSpace(deref(in.Summary)), Validity: ValidityUnknown, Provenance: prov,
		Topics: []string{}, Relations: []Relation{}, Findings: []Finding{},
	}
	if d.IssuerCode == "" {
		d.IssuerCode = sym.Issuer
	}
	if in.Signer != nil {
		d.Signer = Signer{Position: strings.TrimSpace(deref(in.Signer.Position)), Name: strings.TrimSpace(deref(in.Signer.Name))}
	}
	if in.Validity != nil {
		if !in.Validity.Valid() {
			return nil, Invalid("validity", "unknown validity %q", *in.Validity)
		}
		d.Validity = *in.Validity
	}
	for _, c := range []struct {
		field, value string
		max          int
		required     bool
	}{
		{"issuerCode", d.IssuerCode, maxAbbreviation, true},
		{"issuerName", d.IssuerName, maxNameRunes, false},
		{"summary", d.Summary, MaxSummaryRunes, false},
		{"signer.position", d.Signer.Position, maxNameRunes, false},
		{"signer.name", d.Signer.Name, maxNameRunes, false},
	} {
		if err := checkText(c.field, c.value, c.max, c.required); err != nil {
			return nil, err
		}
	}
	if err := d.setValidityDates(in); err != nil {
		return nil, err
	}
	if err := d.setTopics(in.Topics); err != nil {
		return nil, err
	}
	if err := d.setRelations(in.Relations); err != nil {
		return nil, err
	}
	d.Key, d.IssuerKey = DirectiveKey(d.Body(), year, sym), fold.String(d.IssuerCode)
	d.Search = d.SearchText()
	return d, nil
}

// setValidityDates checks and sets the dates the directive is in force.
func (d *Directive) setValidityDates(in CreateDirectiveInput) (err error) {
	if d.EffectiveFrom, err = optionalDate("effectiveFrom", in.EffectiveFrom); err != nil {
		return err
	}
	if d.EffectiveTo, err = optionalDate("effectiveTo", in.EffectiveTo); err != nil {
		return err
	}
	if d.EffectiveFrom != "" && d.EffectiveTo != "" && d.EffectiveTo < d.EffectiveFrom {
		return Invalid("effectiveTo", "must not be before effectiveFrom %s", d.EffectiveFrom)
	}
	return nil
}

// setTopics checks and sets the topics, each once.
func (d *Directive) setTopics(topics []string) error {
	if len(topics) > maxTopics {
		return Invalid("topics", "at most %d topics", maxTopics)
	}
	for i, t := range topics {
		t = strings.TrimSpace(t)
		if err := checkText("topics["+strconv.Itoa(i)+"]", t, maxTopicRunes, true); err != nil {
			return err
		}
		if !slices.Contains(d.Topics, t) {
			d.Topics = append(d.Topics, t)
		}
	}
	return nil
}

// setRelations checks and sets the relations the directive states, each once.
func (d *Directive) setRelations(relations []RelationInput) error {
	if len(relations) > maxRelations {
		return Invalid("relations", "at most %d relations", maxRelations)
	}
	for i, r := range relations {
		rel, err := NewRelation(r)
		if err != nil {
			return within("relations["+strconv.Itoa(i)+"]", err)
		}
		if rel.SymbolKey == d.SymbolKey {
			return Invalid("relations["+strconv.Itoa(i)+"].symbol", "a directive cannot relate to itself")
		}
		if !HasRelation(d.Relations, rel) {
			d.Relations = append(d.Relations, rel)
		}
	}
	return nil
}

// NewRelation validates an edge. Inverse kinds are refused: an edge is stated
// by the directive it starts from.
func NewRelation(in RelationInput) (Relation, error) {
	info, ok := relations[in.Kind]
	if !ok {
		return Relation{}, Invalid("kind", "unknown relation %q", in.Kind)
	}
	if !info.forward {
		return Relation{}, Invalid("kind", "%s is read from the other directive; state it there as %s", in.Kind, info.inverse)
	}
	sym, err := ParseSymbol(in.Symbol)
	if err != nil {
		return Relation{}, err
	}
	rel := Relation{Kind: in.Kind, Symbol: sym.String(), SymbolKey: sym.Key(), Excerpt: in.Excerpt,
		Article: strings.TrimSpace(deref(in.Article)), Part: strings.TrimSpace(deref(in.Part))}
	if err := checkText("article", rel.Article, maxArticleRunes, false); err != nil {
		return Relation{}, err
	}
	if err := checkText("part", rel.Part, maxNameRunes, false); err != nil {
		return Relation{}, err
	}
	return rel, nil
}

// SearchText is the folded text diacritic-free search looks in.
func (d *Directive) SearchText() string {
	parts := []string{d.Symbol.String(), d.Summary, d.IssuerCode, d.IssuerName, d.IssuerAsWritten, d.Signer.Name, d.Signer.Position}
	parts = append(parts, d.Topics...)
	return fold.String(strings.Join(parts, " "+searchSeparator+" "))
}

// searchSeparator separates the fields of the search text, so that no term
// spans two of them. A query's own separators are only spaces: searching
// for it would find every directive.
const searchSeparator = "\u2022"

// maxSearchRunes bounds search text: longer input is abuse, not a query.
const maxSearchRunes = 200

// SearchTerms folds a search string into the terms that must all appear.
func SearchTerms(q string) ([]string, error) {
	if !utf8.ValidString(q) {
		return nil, Invalid("filter.search", "must be valid UTF-8")
	}
	if n := utf8.RuneCountInString(q); n > maxSearchRunes {
		return nil, Invalid("filter.search", "must be at most %d characters, got %d", maxSearchRunes, n)
	}
	terms := strings.FieldsFunc(fold.String(q), func(r rune) bool { return r == ' ' || string(r) == searchSeparator })
	if len(terms) == 0 && strings.TrimSpace(q) != "" {
		return nil, Invalid("filter.search", "has no word to search for")
	}
	return terms, nil
}

func optionalDate(field string, d *calendar.Date) (calendar.Date, error) {
	if d == nil || *d == "" {
		return "", nil
	}
	if _, err := calendar.ParseDate(string(*d)); err != nil {
		return "", Invalid(field, "%v", err)
	}
	return *d, nil
}

// MarshalJSON writes a symbol in its canonical form, so exported records
// read as people write them.
func (s Symbol) MarshalJSON() ([]byte, error) { return json.Marshal(s.String()) }

// UnmarshalJSON parses a symbol in any form ParseSymbol accepts.
func (s *Symbol) UnmarshalJSON(b []byte) error {
	var text string
	if err := json.Unmarshal(b, &text); err != nil {
		return Invalid("symbol", "must be a string like 468/QĐ-TTg")
	}
	sym, err := ParseSymbol(text)
	if err != nil {
		return err
	}
	*s = sym
	return nil
}

// Body is the identity of the body that issued d (see IssuingBody).
func (d *Directive) Body() string { return IssuingBody(d.IssuerCode, d.IssuerName) }

// IssuedBy reports whether issuer names d's issuing body, or the kind of body
// it is: "HĐND" and "Hội đồng nhân dân" match every council's directives,
// "HĐND xã Chiềng Hặc" only that commune's.
func (d *Directive) IssuedBy(issuer string) bool {
	if fold.String(issuer) == d.IssuerKey {
		return true
	}
	if code, ok := IssuerCodeForName(issuer); !ok || !issuerAgrees(code, d.IssuerCode) {
		return false
	}
	named := IssuingBody(d.IssuerCode, issuer)
	return named == fold.String(d.IssuerCode) || named == d.Body()
}

// Rekey recomputes the keys derived from symbols and bodies (the directive's
// own and its relations'), for records stored before Symbol.Key or the
// identity by issuing body last changed, and reports whether any changed.
func (d *Directive) Rekey() bool {
	changed := false
	set := func(key *string, want string) {
		if *key != want {
			*key, changed = want, true
		}
	}
	set(&d.SymbolKey, d.Symbol.Key())
	set(&d.Key, DirectiveKey(d.Body(), d.Year, d.Symbol))
	for i := range d.Relations {
		if sym, err := ParseSymbol(d.Relations[i].Symbol); err == nil {
			set(&d.Relations[i].SymbolKey, sym.Key())
		}
	}
	return changed
}
