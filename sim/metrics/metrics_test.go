package metrics_test

import (
	"context"
	"errors"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/query"
	"github.com/fledge-canary/fledge/sim/metrics"
	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

var epoch = time.Unix(0, 0).UTC()

// notFound is the tutorial's inline query: the percentage of 404s.
const notFound = `
    100 - (
      sum(rate(osm_request_total{destination_namespace="{{ namespace }}", destination_kind="Deployment",
                destination_name="{{ target }}", response_code!="404"}[{{ interval }}]))
      /
      sum(rate(osm_request_total{destination_namespace="{{ namespace }}", destination_kind="Deployment",
                destination_name="{{ target }}"}[{{ interval }}])) * 100
    )`

// render renders a query for the canary test/podinfo.
func render(t *testing.T, f func(query.Model) (string, error), interval string) string {
	t.Helper()
	q, err := f(query.Model{Name: "podinfo", Namespace: "test", Target: "podinfo", Interval: interval})
	if err != nil {
		t.Fatal(err)
	}
	return q
}

func custom(text string) func(query.Model) (string, error) {
	return func(m query.Model) (string, error) { return query.Render(text, m) }
}

// sim is a store fed by a traffic model, and the metrics over it.
type sim struct {
	model   *traffic.Model
	metrics *metrics.Embedded
}

func newSim(t testing.TB, seed uint64, sources ...traffic.Source) *sim {
	t.Helper()
	store := tsdb.NewStore()
	m, err := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Seed: seed, Start: epoch}, store)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range sources {
		if err := m.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	return &sim{model: m, metrics: metrics.New(tsdb.NewEngine(store))}
}

// at advances the traffic to at (weights primary/canary) and evaluates q.
func (s *sim) at(t testing.TB, at time.Duration, primary, canary int, q string) (float64, error) {
	t.Helper()
	if err := s.model.Advance(epoch.Add(at), func() (int, int) { return primary, canary }); err != nil {
		t.Fatal(err)
	}
	return s.metrics.Query(context.Background(), engine.Query{PromQL: q, At: epoch.Add(at)})
}

// TestOSMQueries checks the queries' values against the traffic's
// parameters. Tolerances are about four standard deviations of the value
// over seeds: 600 requests a minute give a success rate within ±1.9 points
// (1σ). The P99 sits on a bucket bound (500 ms), where Prometheus' linear
// interpolation is exact on average but steep above the bound.
func TestOSMQueries(t *testing.T) {
	ms := time.Millisecond
	tests := []struct {
		name            string
		source          traffic.Source
		primary, canary int // weights
		render          func(query.Model) (string, error)
		interval        string
		want, tolerance float64
		wantAbove       float64 // instead of want: a lower bound
	}{
		{name: "success rate, 30% 500s", render: query.SuccessRate, interval: "1m", want: 70, tolerance: 7.5,
			source: traffic.Source{Name: "hey", Target: traffic.Canary, RPS: 10, Codes: map[int]float64{200: 0.7, 500: 0.3}}},
		{name: "success rate, healthy canary", render: query.SuccessRate, interval: "1m", want: 100,
			source: traffic.Source{Name: "hey", Target: traffic.Canary, RPS: 10}},
		{name: "duration, log-normal p99", render: query.Duration, interval: "1m", want: 500, tolerance: 100,
			source: traffic.Source{Name: "hey", Target: traffic.Canary, RPS: 1000, Latency: traffic.LogNormal(100*ms, 500*ms)}},
		{name: "duration, 1s delay", render: query.Duration, interval: "30s", wantAbove: 1000,
			source: traffic.Source{Name: "hey", Target: traffic.Canary, RPS: 10,
				Latency: traffic.LogNormal(5*ms, 20*ms).Plus(time.Second)}},
		{name: "404s percentage", render: custom(notFound), interval: "1m", want: 5, tolerance: 2.5,
			source: traffic.Source{Name: "hey", Target: traffic.Canary, RPS: 20, Codes: map[int]float64{200: 0.95, 404: 0.05}}},
		{name: "apex split 90/10: canary sees 10%", primary: 90, canary: 10, interval: "1m", want: 10, tolerance: 2,
			render: custom(`sum(rate(osm_request_total{destination_name="{{ target }}"}[{{ interval }}])) /
				sum(rate(osm_request_total{destination_namespace="{{ namespace }}"}[{{ interval }}])) * 100`),
			source: traffic.Source{Name: "frontend", Target: traffic.Apex, RPS: 100}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSim(t, 1, tc.source)
			got, err := s.at(t, 5*time.Minute, tc.primary, tc.canary, render(t, tc.render, tc.interval))
			if err != nil {
				t.Fatal(err)
			}
			t.Logf("%s = %v", tc.name, got)
			if tc.wantAbove != 0 {
				if !(got > tc.wantAbove) {
					t.Errorf("got %v, want above %v", got, tc.wantAbove)
				}
				return
			}
			if math.Abs(got-tc.want) > tc.tolerance {
				t.Errorf("got %v, want %v ± %v", got, tc.want, tc.tolerance)
			}
		})
	}
}

func TestNoTrafficIsNoValues(t *testing.T) {
	success := render(t, query.SuccessRate, "1m")
	tests := []struct {
		name   string
		source traffic.Source
		at     time.Duration
	}{
		{name: "no source at all (empty vector)", at: 5 * time.Minute},
		{name: "traffic to the primary only", source: traffic.Source{Name: "a", Target: traffic.Primary, RPS: 10},
			at: 5 * time.Minute},
		{name: "canary traffic stopped two minutes ago (0/0)", at: 5 * time.Minute,
			source: traffic.Source{Name: "a", Target: traffic.Canary, RPS: 10, Until: epoch.Add(3 * time.Minute)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var s *sim
			if tc.source.Name == "" {
				s = newSim(t, 1)
			} else {
				s = newSim(t, 1, tc.source)
			}
			if _, err := s.at(t, tc.at, 100, 0, success); !errors.Is(err, engine.ErrNoValues) {
				t.Errorf("err = %v, want ErrNoValues", err)
			}
		})
	}
}

func TestDeterminism(t *testing.T) {
	source := traffic.Source{Name: "frontend", Target: traffic.Apex, RPS: 15,
		Codes: map[int]float64{200: 0.9, 500: 0.1}, Latency: traffic.LogNormal(20*time.Millisecond, 400*time.Millisecond)}
	queries := []string{render(t, query.SuccessRate, "1m"), render(t, query.Duration, "30s")}
	run := func(seed uint64) []float64 {
		s := newSim(t, seed, source)
		var out []float64
		for i := 1; i <= 6; i++ {
			for _, q := range queries {
				v, err := s.at(t, time.Duration(i)*time.Minute, 50, 50, q)
				if err != nil {
					t.Fatal(err)
				}
				out = append(out, v)
			}
		}
		return out
	}
	a, b, c := run(7), run(7), run(8)
	same := func(x, y []float64) bool {
		for i := range x {
			if x[i] != y[i] {
				return false
			}
		}
		return true
	}
	if !same(a, b) {
		t.Errorf("same seed, different values:\n%v\n%v", a, b)
	}
	if same(a, c) {
		t.Errorf("different seeds, identical values: %v", a)
	}
}

func TestResultRules(t *testing.T) {
	s := newSim(t, 1,
		traffic.Source{Name: "a", Target: traffic.Canary, RPS: 10},
		traffic.Source{Name: "b", Target: traffic.Canary, RPS: 10})
	tests := []struct {
		name, q    string
		want       float64
		wantErr    string
		wantNoVals bool
	}{
		{name: "scalar", q: `scalar(vector(3))`, want: 3},
		{name: "+Inf is a value", q: `vector(1) / 0`, want: math.Inf(1)},
		{name: "NaN scalar", q: `scalar(vector(0) / 0)`, wantNoVals: true},
		{name: "several series", q: `sum by (source_name) (osm_request_total)`, wantErr: "query returned 2 series, expected one"},
		{name: "range vector", q: `osm_request_total[1m]`, wantErr: "returned a matrix"},
		{name: "string", q: `"x"`, wantErr: "returned a string"},
		{name: "parse error", q: `sum(rate(osm_request_total[1m])`, wantErr: `"sum(rate(osm_request_total[1m])"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := s.at(t, 2*time.Minute, 100, 0, tc.q)
			switch {
			case tc.wantNoVals:
				if !errors.Is(err, engine.ErrNoValues) || err.Error() != "no values found" {
					t.Errorf("err = %v, want ErrNoValues", err)
				}
			case tc.wantErr != "":
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("err = %v, want it to contain %s", err, tc.wantErr)
				}
			case err != nil || got != tc.want:
				t.Errorf("got %v, %v; want %v", got, err, tc.want)
			}
		})
	}
	if err := s.metrics.Available(context.Background(), engine.Source{Address: "http://nowhere"}); err != nil {
		t.Errorf("Available = %v", err)
	}
}

// BenchmarkSuccessRateQuery evaluates the builtin success-rate query over a
// tutorial-sized store (six minutes of canary and primary traffic).
func BenchmarkSuccessRateQuery(b *testing.B) {
	s := newSim(b, 1, traffic.Source{Name: "frontend", Target: traffic.Apex, RPS: 20,
		Codes: map[int]float64{200: 0.99, 500: 0.01}})
	q, _ := query.SuccessRate(query.Model{Namespace: "test", Target: "podinfo", Interval: "1m"})
	if _, err := s.at(b, 6*time.Minute, 50, 50, q); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := s.metrics.Query(context.Background(), engine.Query{PromQL: q, At: epoch.Add(6 * time.Minute)}); err != nil {
			b.Fatal(err)
		}
	}
}
