package demo

import (
	"time"

	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/registry"
)

// ChainSource names, in provenance, the directives the sample holds to show
// validity over time.
const ChainSource = "demo: hiệu lực theo thời gian (mẫu, dự án tự ghi)"

// chainEntry is a directive of the sample's validity chains, in our own
// words: symbols, dates and what each changed, as published; no text.
type chainEntry struct {
	symbol, issued, effective, summary string
	relations                          []registry.RelationInput
}

// chains: the land-law decree the sample's land procedures cite, amended in
// 2017 and replaced from 1 August 2024 (so those procedures rest on dead
// law today); and an amendment of the one-stop decree every procedure
// cites, whose effective date is not recorded (its issue date stands in).
var chains = []chainEntry{
	{"43/2014/NĐ-CP", "2014-05-15", "2014-07-01", "Quy định chi tiết thi hành một số điều của Luật Đất đai", nil},
	{"01/2017/NĐ-CP", "2017-01-06", "2017-03-03", "Sửa đổi, bổ sung một số nghị định quy định chi tiết thi hành Luật Đất đai",
		[]registry.RelationInput{{Kind: registry.RelAmends, Symbol: "43/2014/NĐ-CP"}}},
	{"102/2024/NĐ-CP", "2024-07-30", "2024-08-01", "Quy định chi tiết một số điều của Luật Đất đai",
		[]registry.RelationInput{{Kind: registry.RelReplaces, Symbol: "43/2014/NĐ-CP"}}},
	{"107/2021/NĐ-CP", "2021-12-06", "", "Sửa đổi, bổ sung một số điều của Nghị định số 61/2018/NĐ-CP về thực hiện cơ chế một cửa, một cửa liên thông trong giải quyết thủ tục hành chính",
		[]registry.RelationInput{{Kind: registry.RelAmends, Symbol: "61/2018/NĐ-CP"}}},
}

// Chains are the sample's validity chains as records.
func Chains(recorded time.Time) []*registry.Directive {
	out := make([]*registry.Directive, len(chains))
	for i, c := range chains {
		in := registry.CreateDirectiveInput{Symbol: c.symbol, IssuedOn: calendar.Date(c.issued), IssuerName: new("Chính phủ"),
			Summary: &c.summary, Relations: c.relations}
		if c.effective != "" {
			in.EffectiveFrom = new(calendar.Date(c.effective))
		}
		d, err := registry.NewDirective(in, registry.Provenance{Source: ChainSource, Recorded: registry.StoredTime(recorded)})
		if err != nil {
			panic("demo: " + c.symbol + ": " + err.Error()) // a constant table: the tests catch it
		}
		out[i] = d
	}
	return out
}
