package registry

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/vnregistry/registry/internal/fold"
)

// Report is a statistics report as published (e.g. in a bulletin). It keeps
// the counts and the rates as printed: published figures are compared with
// the system's own, so nothing here is corrected or recomputed.
type Report struct {
	Key        string `bson:"_id" json:"key"`                           // ReportKey(AgencyName, Period, Provenance.Excerpt)
	AgencyName string `bson:"agencyName" json:"agencyName"`             // as written
	AgencyCode string `bson:"agency,omitempty" json:"agency,omitempty"` // unit id when known (filled later by the importer)
	Period     string `bson:"period,omitempty" json:"period,omitempty"` // a Period's code: "2021-03", "2022-Q1"; "" when the text does not say
	// PeriodType is the kind of span the source states, kept when the
	// span itself does not exist ("quý V/2022").
	PeriodType PeriodType `bson:"periodType,omitempty" json:"periodType,omitempty"`
	Resolved   *int       `bson:"resolved,omitempty" json:"resolved,omitempty"`
	Early      *int       `bson:"early,omitempty" json:"early,omitempty"`   // trước hạn
	OnTime     *int       `bson:"onTime,omitempty" json:"onTime,omitempty"` // đúng hạn
	Late       *int       `bson:"late,omitempty" json:"late,omitempty"`     // quá hạn
	EarlyRate  *float64   `bson:"earlyRate,omitempty" json:"earlyRate,omitempty"`
	OnTimeRate *float64   `bson:"onTimeRate,omitempty" json:"onTimeRate,omitempty"` // printed rates as fractions: "83,8%" -> 0.838
	LateRate   *float64   `bson:"lateRate,omitempty" json:"lateRate,omitempty"`
	Findings   []Finding  `bson:"findings" json:"findings"`
	Provenance Provenance `bson:"provenance" json:"provenance"`
	// Changed is the record's place in the change feed (change.go).
	Changed Stamp `bson:"changed" json:"-"`
}

// FindingCode classifies what a check found in published material.
type FindingCode string

const (
	// Reports.
	FindingPeriodUndetermined FindingCode = "PERIOD_UNDETERMINED" // the text states no period
	FindingPeriodInvalid      FindingCode = "PERIOD_INVALID"      // the text states a period that does not exist (tháng 13)
	FindingAgencyUndetermined FindingCode = "AGENCY_UNDETERMINED" // the text names no agency
	FindingCountUndetermined  FindingCode = "COUNT_UNDETERMINED"  // a count needed for a check is not given
	FindingPartsDoNotAddUp    FindingCode = "PARTS_DO_NOT_ADD_UP" // early + on time + late differs from the total
	FindingRateTruncated      FindingCode = "RATE_TRUNCATED"      // the printed rate is truncated, not rounded
	FindingRateBasedOnParts   FindingCode = "RATE_BASED_ON_PARTS" // the printed rate divides by the sum of the parts, not the total
	FindingRateMismatch       FindingCode = "RATE_MISMATCH"       // neither rounding nor truncation explains the printed rate
	FindingRateUnchecked      FindingCode = "RATE_UNCHECKED"      // a printed rate cannot be compared with its count
	// Directives.
	FindingIssuerDisagreesWithSymbol FindingCode = "ISSUER_DISAGREES_WITH_SYMBOL"
	FindingIssuerUndetermined        FindingCode = "ISSUER_UNDETERMINED"
	FindingTypeDisagreesWithSymbol   FindingCode = "TYPE_DISAGREES_WITH_SYMBOL"
	FindingDateUndetermined          FindingCode = "DATE_UNDETERMINED"
	FindingYearDisagreesWithSymbol   FindingCode = "YEAR_DISAGREES_WITH_SYMBOL"
	FindingSummaryUndetermined       FindingCode = "SUMMARY_UNDETERMINED"
	FindingDateYearInferred          FindingCode = "DATE_YEAR_INFERRED" // a date written without its year, completed from the context
	// Directives, from official listings.
	FindingValidityUnrecognised  FindingCode = "VALIDITY_UNRECOGNISED"    // a status none the registry knows: stored as UNKNOWN
	FindingSignerUndetermined    FindingCode = "SIGNER_NAME_UNDETERMINED" // no person's name told from the title: the text is kept as the position
	FindingEffectiveBeforeIssued FindingCode = "EFFECTIVE_BEFORE_ISSUED"  // the listing has it take effect before the day it was issued
	// Either.
	FindingAmbiguous FindingCode = "AMBIGUOUS" // a phrase with two readings: the field is left empty and the message names both
)

// Finding is something a check noticed about a record: a figure that does
// not add up, or a value the source does not state.
type Finding struct {
	Code       FindingCode `bson:"code" json:"code"`
	Message    string      `bson:"message" json:"message"`
	Difference *int        `bson:"difference,omitempty" json:"difference,omitempty"` // parts minus total, for PARTS_DO_NOT_ADD_UP
	Field      string      `bson:"field,omitempty" json:"field,omitempty"`           // the record field concerned
}

// ReportKey is a report's deterministic key, so that importing the same text
// again finds the same record. Agency and sentence are folded, so spelling
// variants of one text (decomposed diacritics, spacing) share a key.
func ReportKey(agencyName, period, sentence string) string {
	h := sha256.New()
	// Length prefixes keep the fields apart whatever they contain.
	for _, f := range []string{fold.String(agencyName), period, fold.String(sentence)} {
		h.Write([]byte(strconv.Itoa(len(f)) + ":" + f))
	}
	return hex.EncodeToString(h.Sum(nil)[:16])
}

// maxRateDecimals bounds the precision read from a printed rate.
const maxRateDecimals = 6

// CheckReport checks a report's figures against each other: the parts
// against the total, and each printed rate against its count divided by the
// total, allowing for rounding to the printed precision. It also says what
// the report leaves undetermined. It does not modify r.
func CheckReport(r *Report) []Finding {
	var fs []Finding
	if strings.TrimSpace(r.AgencyName) == "" {
		fs = append(fs, Finding{Code: FindingAgencyUndetermined, Field: "agencyName",
			Message: "the report names no agency; agencyName is left empty"})
	}
	switch {
	case r.Period == "" && r.PeriodType != "":
		fs = append(fs, Finding{Code: FindingPeriodInvalid, Field: "period",
			Message: fmt.Sprintf("the report states a %s that does not exist (such as \"quý V\" or \"tháng 13\"); period is left empty", strings.ToLower(strings.ReplaceAll(string(r.PeriodType), "_", " ")))})
	case r.Period == "":
		fs = append(fs, Finding{Code: FindingPeriodUndetermined, Field: "period",
			Message: "the report states no period (such as \"tháng 3/2021\" or \"quý I/2022\"); period is left empty"})
	}
	if r.Resolved == nil {
		if r.Early != nil || r.OnTime != nil || r.Late != nil || r.EarlyRate != nil || r.OnTimeRate != nil || r.LateRate != nil {
			fs = append(fs, Finding{Code: FindingCountUndetermined, Field: "resolved",
				Message: "the resolved total is not given, so the parts and rates cannot be checked against it"})
		}
		return fs
	}
	fs = append(fs, checkParts(r)...)
	return append(fs, checkRates(r)...)
}

// partsSum returns early + on time (+ late when given) and the sum written
// out, or ok false when early or on time is missing.
func partsSum(r *Report) (sum int, terms string, ok bool) {
	if r.Early == nil || r.OnTime == nil {
		return 0, "", false
	}
	sum = *r.Early + *r.OnTime
	terms = fmt.Sprintf("early %d + on time %d", *r.Early, *r.OnTime)
	if r.Late != nil {
		sum += *r.Late
		terms += fmt.Sprintf(" + late %d", *r.Late)
	}
	return sum, terms, true
}

func checkParts(r *Report) []Finding {
	total := *r.Resolved
	sum, terms, ok := partsSum(r)
	if !ok {
		if r.Early == nil && r.OnTime == nil {
			// Only a total (or a late count alone) is given: nothing to add up.
			return nil
		}
		missing, field := "early", "early"
		if r.OnTime == nil {
			missing, field = "on-time", "onTime"
		}
		return []Finding{{Code: FindingCountUndetermined, Field: field,
			Message: fmt.Sprintf("the %s count is not given, so the parts cannot be checked against the total %d", missing, total)}}
	}
	diff := sum - total
	if diff == 0 {
		return nil
	}
	msg := fmt.Sprintf("%s = %d, but the total resolved is %d: the parts exceed it by %d", terms, sum, total, diff)
	if diff < 0 {
		msg = fmt.Sprintf("%s = %d, but the total resolved is %d: the parts fall short of it by %d", terms, sum, total, -diff)
		if r.Late == nil {
			msg += "; no late count is given"
		}
	}
	return []Finding{{Code: FindingPartsDoNotAddUp, Field: "resolved", Message: msg, Difference: &diff}}
}

// printedRate is a printed percentage as an integer in units of 10^-decimals
// percent: 83,8% is {838, 1}.
type printedRate struct {
	scaled   int64
	decimals int
}

// readPrinted recovers the printed figure from a fraction. The precision is
// the fewest decimals that represent the value, so a printed trailing zero
// ("80,0%") reads as "80%": the check is then the looser one.
func readPrinted(rate float64) (printedRate, bool) {
	// A fraction above 100 (10 000%) is no rate; the bound keeps the scaled
	// values within an int64.
	if math.IsNaN(rate) || rate < 0 || rate > 100 {
		return printedRate{}, false
	}
	pct := rate * 100
	for d := 0; ; d++ {
		x := pct * math.Pow10(d)
		if r := math.Round(x); math.Abs(x-r) < 1e-6 || d == maxRateDecimals {
			return printedRate{int64(r), d}, true
		}
	}
}

func (p printedRate) String() string { return formatScaled(big.NewInt(p.scaled), p.decimals) + "%" }

// formatScaled writes v / 10^decimals with exactly that many decimals.
func formatScaled(v *big.Int, decimals int) string {
	return new(big.Rat).SetFrac(v, pow10(decimals)).FloatString(decimals)
}

func pow10(n int) *big.Int { return new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(n)), nil) }

// share is count/base as a percentage at a printed precision, exactly.
type share struct {
	count, base int
	decimals    int
}

// scaled returns the share in units of 10^-decimals percent, rounded half
// up and truncated. count and base must be non-negative and base positive.
func (s share) scaled() (rounded, truncated *big.Int) {
	num := new(big.Int).Mul(big.NewInt(int64(s.count)), pow10(s.decimals+2))
	den := big.NewInt(int64(s.base))
	truncated = new(big.Int).Quo(num, den)
	rounded = new(big.Int).Quo(new(big.Int).Add(new(big.Int).Lsh(num, 1), den), new(big.Int).Lsh(den, 1))
	return rounded, truncated
}

// exact writes the share with two more decimals than printed, enough to
// show why rounding and truncation differ: 83.860% for a printed 83.8%.
func (s share) exact() string {
	num := new(big.Int).Mul(big.NewInt(int64(s.count)), big.NewInt(100))
	return new(big.Rat).SetFrac(num, big.NewInt(int64(s.base))).FloatString(s.decimals+2) + "%"
}

type rateField struct {
	field, name string
	count       *int
	rate        *float64
}

func checkRates(r *Report) []Finding {
	fields := []rateField{
		{"earlyRate", "early", r.Early, r.EarlyRate},
		{"onTimeRate", "on-time", r.OnTime, r.OnTimeRate},
		{"lateRate", "late", r.Late, r.LateRate},
	}
	var fs []Finding
	for i, f := range fields {
		if f.rate != nil {
			if finding := checkRate(r, fields, i); finding != nil {
				fs = append(fs, *finding)
			}
		}
	}
	return fs
}

// checkRate compares one printed rate with its count over the total. Rounding
// to the printed precision is no finding; truncation, a base that is the sum
// of the parts rather than the total, or neither, is.
func checkRate(r *Report, fields []rateField, i int) *Finding {
	f, total := fields[i], *r.Resolved
	p, ok := readPrinted(*f.rate)
	unchecked := func(format string, args ...any) *Finding {
		return &Finding{Code: FindingRateUnchecked, Field: f.field, Message: fmt.Sprintf(format, args...)}
	}
	switch {
	case !ok:
		return unchecked("the printed %s rate %v is not a fraction between 0 and 100", f.name, *f.rate)
	case f.count == nil:
		return unchecked("printed %s, but the %s count is not given", p, f.name)
	case total <= 0 || *f.count < 0:
		return unchecked("printed %s, but %d of %d is not a share that can be computed", p, *f.count, total)
	}
	printed := big.NewInt(p.scaled)
	of := share{*f.count, total, p.decimals}
	rounded, truncated := of.scaled()
	if printed.Cmp(rounded) == 0 {
		return nil
	}
	msg := fmt.Sprintf("printed %s, but %d of %d is %s, which rounds to %s%%", p, *f.count, total, of.exact(),
		formatScaled(rounded, p.decimals))

	// When the parts do not add up to the total, the publisher may have
	// divided by their sum: say so when that rounds to the printed figure.
	var partsNote string
	if parts, _, ok := partsSum(r); ok && parts != total && parts > 0 {
		byParts := share{*f.count, parts, p.decimals}
		if pr, _ := byParts.scaled(); pr.Cmp(printed) == 0 {
			partsNote = fmt.Sprintf("%d of %d, the sum of the parts, is %s, which rounds to the printed figure",
				*f.count, parts, byParts.exact())
		}
	}
	switch {
	case printed.Cmp(truncated) == 0:
		msg += fmt.Sprintf(" and truncates to the printed %s: the figure was truncated to %s, not rounded", p, decimalsText(p.decimals))
		if partsNote != "" {
			msg += "; alternatively, " + partsNote
		}
		return &Finding{Code: FindingRateTruncated, Field: f.field, Message: msg}
	case partsNote != "":
		return &Finding{Code: FindingRateBasedOnParts, Field: f.field, Message: msg + "; " + partsNote}
	}
	msg += " and truncates to " + formatScaled(truncated, p.decimals) + "%"
	if note := remainderNote(fields, i, p); note != "" {
		msg += "; " + note
	}
	return &Finding{Code: FindingRateMismatch, Field: f.field, Message: msg}
}

func decimalsText(n int) string {
	switch n {
	case 0:
		return "a whole percent"
	case 1:
		return "1 decimal"
	}
	return strconv.Itoa(n) + " decimals"
}

// remainderNote explains a rate that was printed as 100% minus the other
// printed rates (a common way to make them sum to 100%), or returns "".
func remainderNote(fields []rateField, self int, p printedRate) string {
	decimals := p.decimals
	var others []printedRate
	for i, f := range fields {
		if i == self || f.rate == nil {
			continue
		}
		o, ok := readPrinted(*f.rate)
		if !ok {
			return ""
		}
		others = append(others, o)
		decimals = max(decimals, o.decimals)
	}
	if len(others) == 0 {
		return ""
	}
	// readPrinted bounds rates to 10^4 percent, so these fit in an int64.
	at := func(r printedRate) int64 { return r.scaled * int64(math.Pow10(decimals-r.decimals)) }
	rest := 100 * int64(math.Pow10(decimals))
	names := make([]string, len(others))
	for i, o := range others {
		rest -= at(o)
		names[i] = o.String()
	}
	if rest != at(p) {
		return ""
	}
	return "the printed figure is 100% minus the other printed rates (" + strings.Join(names, ", ") + ")"
}
