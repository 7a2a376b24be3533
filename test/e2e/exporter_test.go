//go:build unix

package e2e

import (
	"fmt"
	"net/http/httptest"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"

	"github.com/fledge-canary/fledge/sim/traffic"
)

// The series' namespace and targets. The controller's canary lives in
// namespace "test" and targets podinfo; idle's only traffic stops after
// idleFor, so that its success rate over a short window is 0/0.
const (
	namespace = "test"
	target    = "podinfo"
	idle      = "idle"
	idleFor   = 2 * time.Second
)

// exporter serves the traffic models' current series, advancing them to
// the wall clock on every scrape, and remembers every value it served.
type exporter struct {
	URL   string
	Start time.Time

	mu     sync.Mutex
	served map[string][]float64 // by labels without job and instance: distinct values in order
	scrape int
}

// startExporter starts the models at now: apex traffic split 90/10 between
// the primary and the canary (fixed weights, whatever the TrafficSplit
// says), with 3% 404s, and a load tester hitting the canary with 30% 500s.
func startExporter(t *testing.T) *exporter {
	t.Helper()
	start := time.Now()
	exp := traffic.NewExposition()
	// The models' own scrape grid only sets how fresh the exposition is:
	// a Prometheus scrape shows the counters of at most 10ms before.
	cfg := traffic.Config{Namespace: namespace, Target: target, Seed: 1, Start: start, Scrape: 10 * time.Millisecond}
	podinfo, err := traffic.New(cfg, exp)
	if err != nil {
		t.Fatal(err)
	}
	cfg.Target, cfg.Seed = idle, 2
	idleModel, err := traffic.New(cfg, exp)
	if err != nil {
		t.Fatal(err)
	}
	for _, add := range []struct {
		m *traffic.Model
		s traffic.Source
	}{
		{podinfo, traffic.Source{Name: "frontend", Target: traffic.Apex, RPS: 100,
			Codes: map[int]float64{200: 0.97, 404: 0.03}, Latency: traffic.LogNormal(20*time.Millisecond, 100*time.Millisecond)}},
		{podinfo, traffic.Source{Name: "loadtester", Target: traffic.Canary, RPS: 20,
			Codes: map[int]float64{200: 0.7, 500: 0.3}, Latency: traffic.LogNormal(30*time.Millisecond, 150*time.Millisecond)}},
		{idleModel, traffic.Source{Name: "hey", Target: traffic.Canary, RPS: 20, Until: start.Add(idleFor)}},
	} {
		if err := add.m.Add(add.s); err != nil {
			t.Fatal(err)
		}
	}
	e := &exporter{Start: start, served: map[string][]float64{}}
	weights := func() (primary, canary int) { return 90, 10 }
	srv := httptest.NewServer(exp.Handler(func() error {
		now := time.Now()
		for _, m := range []*traffic.Model{podinfo, idleModel} {
			if err := m.Advance(now, weights); err != nil {
				return err
			}
		}
		e.record(exp.Snapshot())
		return nil
	}))
	t.Cleanup(srv.Close)
	e.URL = srv.URL
	return e
}

// record notes the values about to be served.
func (e *exporter) record(samples []traffic.Sample) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.scrape++
	for _, s := range samples {
		key := s.Labels.String()
		if vs := e.served[key]; len(vs) == 0 || vs[len(vs)-1] != s.V {
			e.served[key] = append(vs, s.V)
		}
	}
}

// scrapes is how many times the exporter was scraped.
func (e *exporter) scrapes() int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.scrape
}

// checkStored verifies that what Prometheus stored is what the exporter
// served: every stored series is an exported one (plus job and instance),
// and its values are values the exporter showed, in the order it showed
// them. It returns how many samples it checked.
func (e *exporter) checkStored(stored map[string]*storedSeries) (int, error) {
	e.mu.Lock()
	defer e.mu.Unlock()
	n := 0
	for _, s := range stored {
		key := labels.NewBuilder(s.lset).Del("job", "instance").Labels().String()
		served, ok := e.served[key]
		if !ok {
			return n, fmt.Errorf("Prometheus stored %s, which the exporter never served", s.lset)
		}
		i := 0
		for _, v := range s.v {
			j := slices.Index(served[i:], v)
			if j < 0 {
				return n, fmt.Errorf("Prometheus stored %v for %s; the exporter served %v", v, key, served)
			}
			i += j
			n++
		}
	}
	return n, nil
}
