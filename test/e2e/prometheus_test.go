//go:build unix

package e2e

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/fledge-canary/fledge/sim/tsdb"
)

// repoRoot is the repository's root, from this package's directory.
const repoRoot = "../.."

// promServer is a Prometheus started by hack/prometheus.sh.
type promServer struct {
	URL     string
	Version string
	dir     string
	pgid    int
	stop    func() error
}

// startPrometheus starts Prometheus scraping target every second, its data
// in a temporary directory, and stops it when the test ends. It fails the
// test when Prometheus cannot be installed or started.
func startPrometheus(t *testing.T, target string) *promServer {
	t.Helper()
	dir := t.TempDir()
	config := filepath.Join(dir, "prometheus.yml")
	yml := fmt.Sprintf(`global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: osm
    static_configs:
      - targets: [%q]
`, target)
	if err := os.WriteFile(config, []byte(yml), 0o644); err != nil {
		t.Fatal(err)
	}
	script, err := filepath.Abs(filepath.Join(repoRoot, "hack", "prometheus.sh"))
	if err != nil {
		t.Fatal(err)
	}
	data := filepath.Join(dir, "data")
	// Installing the package may take minutes; starting takes a second.
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, "bash", script, config, data)
	// The script starts Prometheus in the background in its own process
	// group, which outlives the script: the group is what stop kills.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	started := time.Now()
	runErr := cmd.Run()
	p := &promServer{URL: strings.TrimSpace(stdout.String()), dir: data}
	if cmd.Process != nil {
		p.pgid = cmd.Process.Pid
	}
	p.stop = sync.OnceValue(p.kill)
	t.Cleanup(func() {
		if err := p.stop(); err != nil {
			t.Errorf("stopping Prometheus: %v", err)
		}
		if t.Failed() {
			logTail(t, filepath.Join(data, "prometheus.log"))
		}
	})
	if runErr != nil || !strings.HasPrefix(p.URL, "http://") {
		t.Fatalf("this test needs a real Prometheus, and hack/prometheus.sh could not install or start it "+
			"(%v; stdout %q):\n%s", runErr, stdout.String(), stderr.String())
	}
	t.Logf("Prometheus at %s after %v (hack/prometheus.sh: %s)", p.URL, time.Since(started).Round(time.Millisecond),
		strings.TrimSpace(stderr.String()))
	p.Version = p.buildVersion(t)
	return p
}

// buildVersion asks the server for its version.
func (p *promServer) buildVersion(t *testing.T) string {
	t.Helper()
	resp, err := http.Get(p.URL + "/api/v1/status/buildinfo")
	if err != nil {
		t.Fatalf("Prometheus build info: %v", err)
	}
	defer resp.Body.Close()
	var info struct {
		Data struct {
			Version   string `json:"version"`
			GoVersion string `json:"goVersion"`
		} `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&info); err != nil {
		t.Fatalf("Prometheus build info: %v", err)
	}
	return info.Data.Version + " (" + info.Data.GoVersion + ")"
}

// kill stops Prometheus: SIGTERM to its process group, SIGKILL if it still
// answers 10s later. It returns once the server refuses connections.
func (p *promServer) kill() error {
	if p.pgid <= 0 {
		return nil
	}
	if err := syscall.Kill(-p.pgid, syscall.SIGTERM); err != nil && !errors.Is(err, syscall.ESRCH) {
		return fmt.Errorf("SIGTERM to process group %d: %w", p.pgid, err)
	}
	if p.URL == "" || p.waitDown(10*time.Second) {
		return nil
	}
	_ = syscall.Kill(-p.pgid, syscall.SIGKILL)
	if !p.waitDown(5 * time.Second) {
		return fmt.Errorf("Prometheus (process group %d) still answers at %s", p.pgid, p.URL)
	}
	return nil
}

// waitDown polls until the server refuses connections.
func (p *promServer) waitDown(timeout time.Duration) bool {
	hc := &http.Client{Timeout: time.Second}
	for deadline := time.Now().Add(timeout); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		resp, err := hc.Get(p.URL + "/-/ready")
		if err != nil {
			return true
		}
		resp.Body.Close()
	}
	return false
}

func logTail(t *testing.T, path string) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		return
	}
	lines := strings.Split(strings.TrimSpace(string(data)), "\n")
	t.Logf("last lines of %s:\n%s", path, strings.Join(lines[max(0, len(lines)-20):], "\n"))
}

// apiResult is the data of an instant query's answer.
type apiResult struct {
	ResultType string          `json:"resultType"`
	Result     json.RawMessage `json:"result"`
}

// rawSeries is one series of a matrix or a vector.
type rawSeries struct {
	Metric map[string]string `json:"metric"`
	Values [][2]any          `json:"values"` // matrix
	Value  [2]any            `json:"value"`  // vector
}

// query runs an instant query at at through the HTTP API, without the
// adapter: for the raw samples and the test's own checks.
func (p *promServer) query(ctx context.Context, q string, at time.Time) (apiResult, error) {
	u := p.URL + "/api/v1/query?" + url.Values{
		"query": {q}, "time": {strconv.FormatFloat(float64(at.UnixMilli())/1000, 'f', 3, 64)},
	}.Encode()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return apiResult{}, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return apiResult{}, err
	}
	defer resp.Body.Close()
	var body struct {
		Status string    `json:"status"`
		Error  string    `json:"error"`
		Data   apiResult `json:"data"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return apiResult{}, fmt.Errorf("query %q: %w", q, err)
	}
	if body.Status != "success" {
		return apiResult{}, fmt.Errorf("query %q: %s", q, body.Error)
	}
	return body.Data, nil
}

// series decodes a vector or matrix answer.
func (r apiResult) series() ([]rawSeries, error) {
	if r.ResultType != "vector" && r.ResultType != "matrix" {
		return nil, fmt.Errorf("result type %q, want a vector or a matrix", r.ResultType)
	}
	var out []rawSeries
	err := json.Unmarshal(r.Result, &out)
	return out, err
}

// sample decodes a [<unix seconds>, "<value>"] pair.
func sample(pair [2]any) (ms int64, v float64, err error) {
	ts, ok := pair[0].(float64)
	s, ok2 := pair[1].(string)
	if !ok || !ok2 {
		return 0, 0, fmt.Errorf("malformed sample %v", pair)
	}
	v, err = strconv.ParseFloat(s, 64)
	return int64(math.Round(ts * 1000)), v, err
}

// storedSamples reads back every osm_* sample Prometheus holds up to at, by
// series (labels as Prometheus stores them, with job and instance).
func (p *promServer) storedSamples(ctx context.Context, at time.Time) (map[string]*storedSeries, error) {
	res, err := p.query(ctx, `{__name__=~"osm_.+"}[10m]`, at)
	if err != nil {
		return nil, err
	}
	list, err := res.series()
	if err != nil {
		return nil, err
	}
	out := map[string]*storedSeries{}
	for _, s := range list {
		ss := &storedSeries{lset: labels.FromMap(s.Metric)}
		for _, pair := range s.Values {
			ms, v, err := sample(pair)
			if err != nil {
				return nil, err
			}
			ss.t = append(ss.t, ms)
			ss.v = append(ss.v, v)
		}
		out[ss.lset.String()] = ss
	}
	return out, nil
}

// storedSeries is one series' samples as Prometheus returned them.
type storedSeries struct {
	lset labels.Labels
	t    []int64 // milliseconds
	v    []float64
}

// toStore appends the samples to a fresh embedded store.
func toStore(stored map[string]*storedSeries) (*tsdb.Store, error) {
	store := tsdb.NewStore()
	for _, s := range stored {
		for i := range s.t {
			if err := store.Append(s.lset, time.UnixMilli(s.t[i]), s.v[i]); err != nil {
				return nil, err
			}
		}
	}
	return store, nil
}
