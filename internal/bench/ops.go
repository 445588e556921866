package bench

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

// operation is one GraphQL operation measured, with the target it is
// judged against.
type operation struct {
	name string
	slug string // names its CPU profile
	what string // what the requests ask, for the report
	// request is the document and variables of request i (counted across
	// all clients), made by client worker.
	request func(worker, i int) (string, map[string]any)
	// check looks at the data of the first answer, made before measuring.
	check  func(data json.RawMessage) error
	target target
	// note, when not nil, says something of the measurement for the report.
	note func(result) string
}

// target is what the operation should achieve on the embedded engine, on
// 2 cores with 4 clients (medians).
type target struct {
	text string
	met  func(r, floor result) bool
}

// The documents. gqlDossier is the README's third example, the code a
// variable.
const (
	gqlFloor   = `{ __typename }`
	gqlDossier = `query Dossier($code: String!) {
  dossier(code: $code) {
    code status statusCode statusLabel receivedAt dueDate appointmentDate
    outcome nationalOutcome workingDaysTaken allowedActions
    procedure { code name processingDays legalBases { symbol directives { typeName summary } } }
    history { seq action actionLabel at actor fromUnit toUnit note statusBefore statusAfter onTime }
    provenance { source recorded }
  }
}`
	gqlPage = `query Page($agency: String!) {
  dossiers(first: 20, filter: {agencyCode: $agency, status: RESULT_RETURNED}, orderBy: RECEIVED_AT_DESC) {
    totalCount
    edges { cursor node { code status receivedAt outcome procedure { code name processingDays } } }
    pageInfo { hasNextPage endCursor }
  }
}`
	gqlSearch = `query Search($q: String!) {
  directives(first: 10, filter: {search: $q}) {
    totalCount
    facets { types { value count } issuers { value count } years { value count } }
    edges { node { symbol { text } typeName issuerCode issuedOn summary } }
  }
}`
	gqlStatsRow = `received { total new } resolved { total early onTime late } inProgress { total overdue }
    withdrawn stopped meanWorkingDays medianWorkingDays`
	gqlStats = `query Dashboard($from: String!, $to: String!, $asOf: Date!) {
  dossierStats(filter: {from: $from, to: $to}, groupBy: [MONTH, AGENCY], asOf: $asOf) {
    total { ` + gqlStatsRow + ` }
    groups { period { label } agencyCode ` + gqlStatsRow + ` }
  }
}`
	gqlStep = `mutation Step($code: String!, $at: DateTime!, $unit: String!) {
  recordDossierStep(code: $code, input: {action: TRANSFER, at: $at, toUnit: $unit, actor: "bench"}) {
    code status version
  }
}`
)

// floorOp is the least a GraphQL request costs: parsing, HTTP, JSON.
func floorOp() operation {
	return operation{
		name:    "floor `{ __typename }`",
		slug:    "floor",
		what:    "the least a request costs: HTTP, parsing and validation, no resolver",
		request: func(int, int) (string, map[string]any) { return gqlFloor, nil },
		check: func(data json.RawMessage) error {
			var v struct {
				Typename string `json:"__typename"`
			}
			if err := json.Unmarshal(data, &v); err != nil || v.Typename != "Query" {
				return fmt.Errorf("answer %s, want {\"__typename\":\"Query\"}", data)
			}
			return nil
		},
	}
}

// operations are the README's queries and a step, measured in this order
// (the writes last, so the reads see the store as loaded).
func operations(s *sample) []operation {
	search := func(i int) string { return s.searches[i%len(s.searches)] }
	recent := s.codes[:min(len(s.codes), recentCodes)]
	return []operation{
		dossierOp("full dossier query", "dossier", s.codes, "drawn across the store"),
		dossierOp("full dossier query, recently read dossiers", "dossier-recent", recent,
			"the first of those above, read a moment before (by the row above) and kept whole in the server's cache"),
		pageOp(s), {
			name: "directive search with facets",
			slug: "search",
			what: fmt.Sprintf("`directives(first: 10, filter: {search})` with `totalCount`, the type, issuer and year facets and 5 fields an edge; "+
				"searches %q in turn", s.searches),
			request: func(_, i int) (string, map[string]any) { return gqlSearch, map[string]any{"q": search(i)} },
			check: func(data json.RawMessage) error {
				var v struct {
					Directives struct {
						TotalCount int
						Facets     struct{ Types, Issuers, Years []json.RawMessage }
						Edges      []json.RawMessage
					}
				}
				if err := json.Unmarshal(data, &v); err != nil {
					return err
				}
				d := v.Directives
				if d.TotalCount == 0 || len(d.Edges) == 0 || len(d.Facets.Types) == 0 || len(d.Facets.Years) == 0 {
					return fmt.Errorf("search %q found nothing, or no facets: %.300s", search(0), data)
				}
				return nil
			},
			target: target{"p50 ≤ 10 ms", func(r, _ result) bool { return r.p50 <= 10*time.Millisecond }},
		}, {
			name: "statistics dashboard",
			slug: "stats",
			what: fmt.Sprintf("`dossierStats` %s..%s by `[MONTH, AGENCY]` as of %s, with totals, stocks and durations", s.from, s.to, s.asOf),
			request: func(int, int) (string, map[string]any) {
				return gqlStats, map[string]any{"from": s.from, "to": s.to, "asOf": s.asOf}
			},
			check: func(data json.RawMessage) error {
				var v struct {
					DossierStats struct {
						Total  struct{ Received struct{ Total int } }
						Groups []json.RawMessage
					}
				}
				if err := json.Unmarshal(data, &v); err != nil {
					return err
				}
				if len(v.DossierStats.Groups) == 0 || v.DossierStats.Total.Received.Total == 0 {
					return fmt.Errorf("the dashboard counts nothing: %.300s", data)
				}
				return nil
			},
			target: target{"p50 ≤ 30 ms", func(r, _ result) bool { return r.p50 <= 30*time.Millisecond }},
		}, stepOp(s)}
}

// pageOp reads a page of 20 dossiers of one agency with their procedures.
func pageOp(s *sample) operation {
	agency := func(i int) string { return s.agencies[i%len(s.agencies)] }
	return operation{
		name: "page of 20 with procedures, filtered and sorted",
		slug: "page",
		what: fmt.Sprintf("`dossiers(first: 20, filter: {agencyCode, status: RESULT_RETURNED}, orderBy: RECEIVED_AT_DESC)` "+
			"with `totalCount`, each dossier's procedure and `pageInfo`; %d agencies in turn", len(s.agencies)),
		request: func(_, i int) (string, map[string]any) { return gqlPage, map[string]any{"agency": agency(i)} },
		check: func(data json.RawMessage) error {
			var v struct {
				Dossiers struct {
					TotalCount int
					Edges      []struct {
						Node struct{ Procedure *json.RawMessage }
					}
				}
			}
			if err := json.Unmarshal(data, &v); err != nil {
				return err
			}
			if len(v.Dossiers.Edges) != 20 || v.Dossiers.TotalCount < 20 || v.Dossiers.Edges[0].Node.Procedure == nil {
				return fmt.Errorf("not a full page with procedures: %.300s", data)
			}
			return nil
		},
		target: target{"p50 ≤ 10 ms", func(r, _ result) bool { return r.p50 <= 10*time.Millisecond }},
		note: func(r result) string {
			if n := r.requests + r.errors; n > len(s.agencies) {
				return fmt.Sprintf("after the first %d requests the same pages came round again, their dossiers then likely in the server's cache", len(s.agencies))
			}
			return "no page was asked twice"
		},
	}
}

// stepOp records TRANSFER steps: each client is one writer with open
// dossiers of its own, taken in turn, each step a minute after the
// dossier's previous one.
func stepOp(s *sample) operation {
	total := 0
	for _, w := range s.open {
		total += len(w)
	}
	next := make([]int, len(s.open)) // per writer: only that writer touches its slot
	step := func(worker, _ int) (string, map[string]any) {
		ds := s.open[worker%len(s.open)]
		d := ds[next[worker]%len(ds)]
		next[worker]++
		d.steps++
		at := d.last.Add(time.Duration(d.steps) * time.Minute)
		return gqlStep, map[string]any{"code": d.code, "at": at.Format(time.RFC3339), "unit": fmt.Sprintf("Phòng %d", d.steps%7+1)}
	}
	return operation{
		name: fmt.Sprintf("`recordDossierStep`, %d writers", len(s.open)),
		slug: "step",
		what: fmt.Sprintf("TRANSFER with `toUnit`, a minute after the dossier's last step, on %s open dossiers "+
			"(RECEIVED or IN_PROCESS, each writer its own, read with their histories before measuring)", thousands(total)),
		request: step,
		check: func(data json.RawMessage) error {
			var v struct {
				RecordDossierStep *struct{ Status string }
			}
			if err := json.Unmarshal(data, &v); err != nil || v.RecordDossierStep == nil {
				return errors.New("no dossier in the answer")
			}
			if v.RecordDossierStep.Status != "IN_PROCESS" {
				return fmt.Errorf("status %s after a TRANSFER, want IN_PROCESS", v.RecordDossierStep.Status)
			}
			return nil
		},
		target: target{"p50 ≤ 20 ms, none failing", func(r, _ result) bool { return r.p50 <= 20*time.Millisecond && r.errors == 0 }},
	}
}

// recentCodes is how many dossiers the second dossier row asks for: a desk's
// working set, read again while in the server's cache.
const recentCodes = 1000

// dossierOp is the README's full dossier query over codes, in turn.
func dossierOp(name, slug string, codes []string, drawn string) operation {
	code := func(i int) string { return codes[i%len(codes)] }
	return operation{
		name: name,
		slug: slug,
		what: fmt.Sprintf("the README's third example: `dossier(code:)` with its procedure, legal bases and their directives, "+
			"history and provenance; %s codes, %s, asked in turn", thousands(len(codes)), drawn),
		request: func(_, i int) (string, map[string]any) { return gqlDossier, map[string]any{"code": code(i)} },
		check: func(data json.RawMessage) error {
			var v struct {
				Dossier *struct {
					Code      string
					Procedure *struct{ LegalBases []json.RawMessage }
					History   []json.RawMessage
				}
			}
			if err := json.Unmarshal(data, &v); err != nil || v.Dossier == nil || v.Dossier.Code != code(0) {
				return fmt.Errorf("no dossier %s in %.300s", code(0), data)
			}
			if v.Dossier.Procedure == nil || len(v.Dossier.History) == 0 {
				return fmt.Errorf("dossier %s without its procedure or history: %.300s", code(0), data)
			}
			return nil
		},
		target: target{"p50 ≤ 3× the floor's and ≥ 1,500 req/s", func(r, floor result) bool {
			return r.p50 <= 3*floor.p50 && r.throughput() >= 1500
		}},
		note: func(r result) string {
			if n := r.requests + r.errors; n > len(codes) {
				return fmt.Sprintf("%s requests over %s codes: after the first %s, the codes came round again, "+
					"and were likely still in the server's cache of recently used dossiers", thousands(n), thousands(len(codes)), thousands(len(codes)))
			}
			return "no code was asked twice: every dossier was read from the engine, none from the server's cache of recently used dossiers"
		},
	}
}
