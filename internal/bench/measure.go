package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"net/http"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// poster posts GraphQL documents to the server.
type poster struct {
	url    string
	client *http.Client
}

func newGateway(url string, clients int) *poster {
	return &poster{url: url, client: &http.Client{Transport: &http.Transport{
		Proxy: nil, MaxIdleConns: 4 * clients, MaxIdleConnsPerHost: 4 * clients,
	}}}
}

// do posts one document; an HTTP status other than 200 or any GraphQL
// error fails the request.
func (g *poster) do(ctx context.Context, query string, vars map[string]any) (json.RawMessage, error) {
	body, err := json.Marshal(map[string]any{"query": query, "variables": vars})
	if err != nil {
		return nil, err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, g.url, bytes.NewReader(body))
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Accept", "application/graphql-response+json, application/json")
	resp, err := g.client.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("HTTP %d: %.300s", resp.StatusCode, raw)
	}
	var r struct {
		Data   json.RawMessage `json:"data"`
		Errors []struct {
			Message    string         `json:"message"`
			Extensions map[string]any `json:"extensions"`
		} `json:"errors"`
	}
	if err := json.Unmarshal(raw, &r); err != nil {
		return nil, fmt.Errorf("response: %w", err)
	}
	if len(r.Errors) > 0 {
		return nil, fmt.Errorf("%s (%v)", r.Errors[0].Message, r.Errors[0].Extensions["code"])
	}
	return r.Data, nil
}

// result is one operation's measurement.
type result struct {
	requests, errors int // succeeded, failed
	elapsed          time.Duration
	p50, p99         time.Duration
	firstErr         error
}

// throughput is successful requests a second.
func (r result) throughput() float64 {
	if r.elapsed <= 0 {
		return 0
	}
	return float64(r.requests) / r.elapsed.Seconds()
}

// measure runs cfg.Concurrency clients making requests 0, 1, 2... until
// cfg.Duration has passed or cfg.MaxRequests were started; requests in
// flight at the end finish and count.
func measure(ctx context.Context, cfg Config, do func(ctx context.Context, worker, i int) error) result {
	var (
		next     atomic.Int64
		mu       sync.Mutex
		lat      []time.Duration
		res      result
		wg       sync.WaitGroup
		began    = time.Now()
		deadline = began.Add(cfg.Duration)
	)
	for w := range cfg.Concurrency {
		wg.Go(func() {
			var mine []time.Duration
			var errs int
			var first error
			for ctx.Err() == nil && time.Now().Before(deadline) {
				i := int(next.Add(1) - 1)
				if i >= cfg.MaxRequests {
					break
				}
				rctx, cancel := context.WithTimeout(ctx, cfg.Timeout)
				t0 := time.Now()
				err := do(rctx, w, i)
				took := time.Since(t0)
				cancel()
				if err != nil {
					errs++
					if first == nil {
						first = err
					}
					continue
				}
				mine = append(mine, took)
			}
			mu.Lock()
			lat = append(lat, mine...)
			res.errors += errs
			if res.firstErr == nil {
				res.firstErr = first
			}
			mu.Unlock()
		})
	}
	wg.Wait()
	res.elapsed = time.Since(began)
	res.requests = len(lat)
	slices.Sort(lat)
	res.p50, res.p99 = quantile(lat, 0.50), quantile(lat, 0.99)
	return res
}

// quantile is the nearest-rank q-quantile of sorted values.
func quantile(sorted []time.Duration, q float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[max(0, min(i, len(sorted)-1))]
}

func median(d []time.Duration) time.Duration {
	s := slices.Sorted(slices.Values(d))
	if len(s) == 0 {
		return 0
	}
	if len(s)%2 == 1 {
		return s[len(s)/2]
	}
	return (s[len(s)/2-1] + s[len(s)/2]) / 2
}
