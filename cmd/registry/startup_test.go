package main

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/vnregistry/registry/internal/engine"
	"github.com/vnregistry/registry/internal/gateway"
	"github.com/vnregistry/registry/internal/server"
)

// cliEnv, when set to a JSON array of arguments, makes the test binary the
// registry command with those arguments (a tool a test can kill).
const cliEnv = "REGISTRY_TEST_CLI"

func init() {
	spec, ok := os.LookupEnv(cliEnv)
	if !ok {
		return
	}
	var args []string
	if err := json.Unmarshal([]byte(spec), &args); err != nil {
		os.Exit(2)
	}
	os.Exit(run(context.Background(), args, os.Stdout, os.Stderr))
}

// generated fills an embedded data directory with n generated dossiers, as
// `registry generate` does.
func generated(t *testing.T, n int) string {
	t.Helper()
	dir := t.TempDir()
	var out bytes.Buffer
	if code := run(t.Context(), []string{"generate", "--data", dir, "--dossiers", strconv.Itoa(n), "--seed", "3"}, &out, &out); code != 0 {
		t.Fatalf("generate: exit %d\n%s", code, out.String())
	}
	return dir
}

// TestReadyOnlyOnceInMemory: started on a store with dossiers, the server
// listens at once but says it is starting, and how far it has come, on
// /readyz (503) and /graphql (UNAVAILABLE), until lists, lookups and
// statistics answer from memory; from its first 200, they do.
func TestReadyOnlyOnceInMemory(t *testing.T) {
	t.Parallel()
	const dossiers = 6000
	dir := generated(t, dossiers)
	cfg := &serveConfig{store: storeConfig{data: dir, database: "registry"}, addr: freeAddr(t),
		http: server.Config{Rate: 10000, Burst: 10000, Concurrency: 10000}}
	s := startUnready(t, cfg, &syncBuffer{})

	var starting []string
	graphqlStarting := false
	deadline := time.Now().Add(hangGuard)
	for {
		if time.Now().After(deadline) {
			t.Fatalf("not ready within %v; answers seen: %q", hangGuard, starting)
		}
		resp, err := s.client.Get(s.url + "/readyz")
		if err != nil {
			time.Sleep(time.Millisecond)
			continue
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode == http.StatusOK {
			break
		}
		if resp.StatusCode != http.StatusServiceUnavailable || !strings.Contains(string(body), `"status":"starting"`) {
			t.Fatalf("/readyz while starting: %d %s", resp.StatusCode, body)
		}
		if !slices.Contains(starting, string(body)) {
			starting = append(starting, string(body))
		}
		if !graphqlStarting {
			a := s.postAnswer(`{ dossiers(first: 1) { totalCount } }`, nil)
			if a.status == http.StatusOK { // became ready in between
				continue
			}
			if a.status != http.StatusServiceUnavailable || a.code() != "UNAVAILABLE" || !strings.Contains(string(a.raw), "starting: ") {
				t.Errorf("/graphql while starting: %d %s, want 503 UNAVAILABLE saying it is starting", a.status, a.raw)
			}
			graphqlStarting = true
		}
	}
	if len(starting) == 0 || !graphqlStarting {
		t.Fatalf("the server was ready at its first answer: the build was not observed (%q)", starting)
	}
	loading := regexp.MustCompile(`loading \d+ of ` + strconv.Itoa(dossiers) + ` dossiers`)
	if !slices.ContainsFunc(starting, loading.MatchString) {
		t.Errorf("/readyz never said how far the build had come: %q", starting)
	}
	t.Logf("distinct answers of /readyz while starting: %q", starting)

	a := s.postAnswer(`{ dossiers(first: 1) { totalCount } dossierStats(filter: {from: "2021-01", to: "2021-12"}) { total { received { total } } } }`, nil)
	var got struct {
		Data struct {
			Dossiers     struct{ TotalCount int }
			DossierStats struct {
				Total struct{ Received struct{ Total int } }
			}
		}
	}
	if err := json.Unmarshal(a.raw, &got); err != nil || len(a.resp.Errors) > 0 {
		t.Fatalf("first query once ready: %v %s", err, a.raw)
	}
	if got.Data.Dossiers.TotalCount != dossiers || got.Data.DossierStats.Total.Received.Total == 0 {
		t.Errorf("once ready: %d dossiers listed (want %d), %d received in the statistics", got.Data.Dossiers.TotalCount, dossiers, got.Data.DossierStats.Total.Received.Total)
	}
}

// TestBulkLoadKilledThenStarted: a `registry generate` killed with SIGKILL
// half-way leaves dossiers whose rollups were never written (bulk loads
// rebuild them at the end); the next start of the store repairs them by
// itself, so `registry stats verify` finds no difference.
func TestBulkLoadKilledThenStarted(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	args, _ := json.Marshal([]string{"generate", "--data", dir, "--dossiers", "40000", "--seed", "5"})
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), cliEnv+"="+string(args))
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// Kill once a few batches are in: the progress lines say how many.
	lines := bufio.NewScanner(stderr)
	progress := regexp.MustCompile(`progress: \S+ (\d+) records`)
	killed := false
	for lines.Scan() {
		if m := progress.FindStringSubmatch(lines.Text()); m != nil {
			if n, _ := strconv.Atoi(m[1]); n >= 5000 {
				_ = cmd.Process.Signal(syscall.SIGKILL)
				killed = true
				break
			}
		}
	}
	_ = cmd.Wait()
	if !killed {
		t.Fatal("generate ended before it could be killed half-way")
	}

	eng, err := engine.Start(dir, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer eng.Stop()
	st, err := gateway.Open(t.Context(), gateway.Config{URI: eng.URI(), Database: "registry", Engine: eng})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close(context.Background())
	loaded, _ := st.Progress()
	if loaded == 0 || loaded >= 40000 {
		t.Fatalf("%d dossiers stored by the killed load: not half-way", loaded)
	}
	drift, err := st.VerifyRollups(t.Context())
	if err != nil || len(drift) > 0 {
		t.Fatalf("after the start that followed the kill: %d differences (%v), first %v", len(drift), err, drift[:min(1, len(drift))])
	}
	res, err := st.Rollup(t.Context(), "", "9999-12", nil)
	if err != nil || len(res) == 0 {
		t.Errorf("statistics after the repair: %d cells (%v), want the killed load's", len(res), err)
	}
	t.Logf("%d dossiers stored before the kill; rollups repaired at the next start", loaded)
}
