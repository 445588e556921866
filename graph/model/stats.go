package model

import (
	"github.com/vnregistry/registry/internal/calendar"
	"github.com/vnregistry/registry/internal/stats"
)

// DossierStats is a statistics result with the day its stocks were taken.
type DossierStats struct {
	AsOf   calendar.Date
	Total  *stats.Row
	Groups []*stats.Row
	// Suppressed counts groups withheld from anonymous readers.
	Suppressed int
}
