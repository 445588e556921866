package stats

import (
	"io"
	"strconv"

	"github.com/vnregistry/registry/internal/csvout"
)

// csvHeader names the columns WriteCSV writes, in order.
var csvHeader = []string{
	"period", "period_from", "period_to", "agency", "procedure", "field", "level", "channel",
	"received_total", "received_new", "received_online", "received_in_person", "received_postal", "carried_over",
	"resolved", "early", "on_time", "late", "national_on_time", "national_late",
	"in_progress", "within_deadline", "overdue", "in_progress_as_of",
	"withdrawn", "stopped", "mean_working_days", "median_working_days",
	"rate_definition", "rate_early", "rate_on_time", "rate_late", "rate_online",
}

// WriteCSV writes the groups of res and then the total (the row whose period
// is the whole range and whose dimension columns are empty), with rates under
// def. Empty cells are nulls: undefined rates, missing durations. Text cells
// (a procedure's field, codes) go through csvout, so a spreadsheet never runs
// them.
func WriteCSV(w io.Writer, res Result, def Definition) error {
	cw := csvout.NewWriter(w)
	if err := cw.Header(csvHeader...); err != nil {
		return err
	}
	text := csvout.Text
	for _, r := range append(res.Groups, res.Total) {
		rates := r.Rates(def)
		rec := []csvout.Cell{
			text(r.Period.Label), text(string(r.Period.Start())), text(string(r.Period.End())), text(r.Agency), text(r.Procedure), text(r.Field), text(string(r.Level)), text(string(r.Channel)),
			itoa(r.ReceivedTotal()), itoa(r.ReceivedNew()), itoa(r.ReceivedOnline), itoa(r.ReceivedInPerson), itoa(r.ReceivedPostal), itoa(r.CarriedOver),
			itoa(r.Resolved()), itoa(r.Early), itoa(r.OnTime), itoa(r.Late), itoa(r.NationalOnTime()), itoa(r.NationalLate),
			itoa(r.InProgress()), itoa(r.InProgressWithin), itoa(r.InProgressOverdue), text(string(r.StockDate)),
			itoa(r.Withdrawn), itoa(r.Stopped), ftoa(r.MeanWorkingDays()), ftoa(r.MedianWorkingDays()),
			text(string(def)), ftoa(rates.Early), ftoa(rates.OnTime), ftoa(rates.Late), ftoa(rates.Online),
		}
		if err := cw.Write(rec); err != nil {
			return err
		}
	}
	return cw.Flush()
}

func itoa(n int) csvout.Cell { return csvout.Number(strconv.Itoa(n)) }

func ftoa(f *float64) csvout.Cell {
	if f == nil {
		return csvout.Number("")
	}
	return csvout.Number(strconv.FormatFloat(*f, 'f', -1, 64))
}
