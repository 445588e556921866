package transfer

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/vnregistry/registry/internal/calendar"
)

// Loader stores validated records that are not there yet (see store.Load).
type Loader interface {
	Load(ctx context.Context, records []any) (inserted []bool, refused []error, err error)
}

// Options tune an import.
type Options struct {
	BatchSize int // records per load; default 500
	Calendar  *calendar.Calendar
	Now       time.Time
	// Listing reads every file as a gazette listing of directives (see
	// NewListingReader), CSV when its name ends in .csv.
	Listing bool
	// Refused learns of every line not stored, with its reason.
	Refused func(file string, line int, err error)
	// Progress learns how far the import is, in bytes of all files.
	Progress func(done, total int64, lines int)
}

// Summary counts what an import did.
type Summary struct {
	Lines    int // records read
	Inserted int // new records stored
	Existing int // records already there, left as they were
	Refused  int // lines refused (invalid, or referring to nothing)
}

func (s Summary) String() string {
	return fmt.Sprintf("%d records: %d stored, %d already present, %d refused", s.Lines, s.Inserted, s.Existing, s.Refused)
}

// Import reads each file (NDJSON, or CSV when its name ends in .csv: the kind
// is then the name's first word, e.g. dossiers.csv or dossiers-2021.csv;
// with o.Listing, each file is a gazette listing, see NewListingReader),
// validates every line and loads the good ones in batches. A bad line is
// reported and skipped; nothing of it is written. Records already present
// are left alone, so an import interrupted by a crash is resumed by running
// it again.
func Import(ctx context.Context, l Loader, files []string, o Options) (Summary, error) {
	if o.BatchSize <= 0 {
		o.BatchSize = 500
	}
	var total int64
	for _, f := range files {
		fi, err := os.Stat(f)
		if err != nil {
			return Summary{}, err
		}
		total += fi.Size()
	}
	var sum Summary
	var done int64
	for _, f := range files {
		n, err := importFile(ctx, l, f, o, &sum, func(read int64) {
			if o.Progress != nil {
				o.Progress(done+read, total, sum.Lines)
			}
		})
		done += n
		if err != nil {
			return sum, err
		}
	}
	return sum, nil
}

func importFile(ctx context.Context, l Loader, file string, o Options, sum *Summary, progress func(int64)) (int64, error) {
	fh, err := os.Open(file)
	if err != nil {
		return 0, err
	}
	defer fh.Close()
	isCSV := strings.EqualFold(filepath.Ext(file), ".csv")
	var kind Kind
	if isCSV && !o.Listing {
		word, _, _ := strings.Cut(strings.TrimSuffix(filepath.Base(file), filepath.Ext(file)), "-")
		if kind, err = ParseKind(strings.ToLower(word)); err != nil {
			return 0, fmt.Errorf("%s: a CSV file is named for its kind (agencies.csv, dossiers-2021.csv), or read as a gazette listing (--listing): %w", file, err)
		}
	}
	in := &counter{r: fh}
	rd := NewReader(in, filepath.Base(file), kind, o.Calendar, o.Now)
	if o.Listing {
		rd = NewListingReader(in, filepath.Base(file), isCSV, o.Calendar, o.Now)
	}
	var batch []any
	var lines []int
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		inserted, refused, err := loadEach(ctx, l, batch)
		if err != nil {
			return fmt.Errorf("%s: loading lines %d-%d: %w", file, lines[0], lines[len(lines)-1], err)
		}
		for i := range batch {
			switch {
			case refused[i] != nil:
				sum.Refused++
				o.refuse(file, lines[i], refused[i])
			case inserted[i]:
				sum.Inserted++
			default:
				sum.Existing++
			}
		}
		batch, lines = batch[:0], lines[:0]
		progress(in.n)
		return nil
	}
	for {
		line, ok, err := rd.Next()
		if err != nil {
			return in.n, fmt.Errorf("%s: %w", file, err)
		}
		if !ok {
			break
		}
		sum.Lines++
		if line.Err != nil {
			sum.Refused++
			o.refuse(file, line.Number, line.Err)
			continue
		}
		batch, lines = append(batch, line.Record), append(lines, line.Number)
		if len(batch) >= o.BatchSize {
			if err := flush(); err != nil {
				return in.n, err
			}
		}
	}
	return in.n, flush()
}

func (o *Options) refuse(file string, line int, err error) {
	if o.Refused != nil {
		o.Refused(file, line, err)
	}
}

// counter counts the bytes read through it, for progress.
type counter struct {
	r io.Reader
	n int64
}

func (c *counter) Read(p []byte) (int, error) {
	n, err := c.r.Read(p)
	c.n += int64(n)
	return n, err
}
