package playground

// Tabs are the documents the playground opens with, one tab each, so a
// newcomer runs something real on the sample data with one click: the
// README's examples, each named (the tab's title) and with a one-line
// comment.
var Tabs = []string{
	`# A dossier's whole history, with its procedure and the directives behind it (a sample dossier).
query DossierHistory {
  dossier(code: "000.00.06.H56-210301-0005") {
    code status statusCode statusLabel receivedAt dueDate appointmentDate
    outcome nationalOutcome workingDaysTaken allowedActions
    procedure { code name processingDays legalBases { symbol directives { typeName summary } } }
    history { seq action actionLabel at actor fromUnit toUnit note statusBefore statusAfter onTime }
    provenance { source recorded }
  }
}
`,
	`# A dashboard in one request: a page of dossiers with their histories, and the monthly statistics of the same agency.
query Dashboard {
  dossiers(first: 20, filter: {agencyCode: "000.00.06.H56", receivedFrom: "2021-03-01T00:00:00+07:00",
                              receivedTo: "2021-04-01T00:00:00+07:00"}, orderBy: RECEIVED_AT) {
    totalCount
    edges { node { code status outcome dueDate history { seq action at statusAfter onTime } } }
  }
  dossierStats(filter: {from: "2021-01", to: "2021-04", agencyCodes: ["000.00.06.H56"]},
               groupBy: [MONTH], asOf: "2021-04-30") {
    total { received { total } resolved { total early onTime late } }
    groups {
      period { label }
      received { total new online inPerson postal carriedOver }
      resolved { total early onTime late nationalOnTime nationalLate }
      inProgress { total withinDeadline overdue asOf }
      meanWorkingDays medianWorkingDays
      provincial: rates(definition: PROVINCIAL) { early onTime late online }
      national: rates(definition: NATIONAL_766) { onTime late }
    }
  }
}
`,
	`# Directives found without diacritics ("mot cua" finds "một cửa"), with facet counts, and the published reports.
query DirectiveSearch {
  directives(first: 10, filter: {search: "mot cua"}) {
    totalCount
    facets { types { value label count } issuers { value count } years { value count } }
    edges { node {
      symbol { text } typeName issuerCode issuerAsWritten issuedOn summary
      findings { code message }
      relations { kind label symbol excerpt directives { symbol { text } } }
      provenance { source excerpt offset }
    } }
  }
  reports(filter: {period: "2021-01"}) {
    edges { node {
      agencyName period resolved early onTime earlyRate onTimeRate
      findings { code message difference }
      provenance { source excerpt offset }
    } }
  }
}
`,
	`# Published figures beside those computed from the dossiers: a month, and a quarter against its three months.
query Reconciliation {
  january: reconciliation(agency: "000.00.06.H56", period: "2021-01") {
    computed { resolved { total early onTime } }
    comparisons { report { resolved early onTime } figures { measure reported computed difference agrees } notes }
  }
  quarter: reconciliation(agency: "000.00.06.H56", period: "2021-Q1") {
    computed { resolved { total early onTime late } }
    comparisons {
      report { period periodType resolved early onTime late findings { code message } }
      figures { measure reported computed difference agrees }
      notes
    }
  }
}
`,
}
