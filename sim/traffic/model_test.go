package traffic_test

import (
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

var epoch = time.Unix(0, 0).UTC()

func newModel(t testing.TB, seed uint64, sources ...traffic.Source) (*traffic.Model, *tsdb.Store) {
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
	return m, store
}

// dump returns every series of the store as "labels => t:v t:v ...".
func dump(t testing.TB, store *tsdb.Store) map[string][]float64 {
	t.Helper()
	q, _ := store.Querier(math.MinInt64, math.MaxInt64)
	set := q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchRegexp, "__name__", ".+"))
	out := map[string][]float64{}
	var it chunkenc.Iterator
	for set.Next() {
		it = set.At().Iterator(it)
		key := set.At().Labels().String()
		for it.Next() != chunkenc.ValNone {
			ts, v := it.At()
			out[key] = append(out[key], float64(ts), v)
		}
	}
	return out
}

func TestSeriesAppearWithTraffic(t *testing.T) {
	m, store := newModel(t, 1, traffic.Source{
		Name: "loadtester", Target: traffic.Canary, RPS: 10,
		Codes: map[int]float64{200: 1, 500: 0}, From: epoch.Add(25 * time.Second),
	})
	if err := m.Advance(epoch.Add(20*time.Second), nil); err != nil {
		t.Fatal(err)
	}
	if n, _ := store.Stats(); n != 0 {
		t.Fatalf("%d series before any traffic", n)
	}
	if err := m.Advance(epoch.Add(60*time.Second), nil); err != nil {
		t.Fatal(err)
	}
	series := dump(t, store)
	// 200s and the histogram (20 buckets, sum, count); no 500s were answered.
	if len(series) != 1+20+2 {
		t.Errorf("%d series, want 23: %v", len(series), keys(series))
	}
	base := []string{"destination_kind", "Deployment", "destination_name", "podinfo", "destination_namespace", "test",
		"source_kind", "Deployment", "source_name", "loadtester", "source_namespace", "test"}
	total := labels.FromStrings(append(base, "__name__", "osm_request_total", "response_code", "200")...).String()
	samples := series[total]
	if len(samples) != 2*4 || samples[0] != 30_000 {
		t.Fatalf("%s: samples %v, want 4 scrapes from 30s", total, samples)
	}
	for i := 3; i < len(samples); i += 2 {
		if samples[i] < samples[i-2] {
			t.Errorf("counter decreased: %v", samples)
		}
	}
	for _, name := range []string{"osm_request_duration_ms_count", "osm_request_duration_ms_bucket"} {
		ls := labels.FromStrings(append(base, "__name__", name)...)
		if name == "osm_request_duration_ms_bucket" {
			ls = labels.FromStrings(append(base, "__name__", name, "le", "+Inf")...)
		}
		if got := series[ls.String()]; len(got) != len(samples) || got[len(got)-1] != samples[len(samples)-1] {
			t.Errorf("%s = %v, want the request count %v", ls, got, samples)
		}
	}
	le := labels.FromStrings(append(base, "__name__", "osm_request_duration_ms_bucket", "le", "1.8e+06")...)
	if _, ok := series[le.String()]; !ok {
		t.Errorf("no series %s", le)
	}
}

func keys(m map[string][]float64) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	return out
}

func TestSplitAndTotals(t *testing.T) {
	m, _ := newModel(t, 7,
		traffic.Source{Name: "frontend", Target: traffic.Apex, RPS: 100, Codes: map[int]float64{200: 0.9, 503: 0.1}},
		traffic.Source{Name: "curl", Target: traffic.Primary, RPS: 1})
	weights := func() (int, int) { return 90, 10 }
	if err := m.Advance(epoch.Add(10*time.Minute), weights); err != nil {
		t.Fatal(err)
	}
	totals := m.Totals()
	canary, primary := totals["podinfo"], totals["podinfo-primary"]
	all := float64(canary.Requests + primary.Requests)
	if want := 100.0*600 + 600; math.Abs(all-want) > 5*math.Sqrt(want) {
		t.Errorf("%v requests, want about %v", all, want)
	}
	if share := float64(canary.Requests) / (all - 600); math.Abs(share-0.1) > 0.01 {
		t.Errorf("canary share %v, want 0.1", share)
	}
	if rate := float64(canary.Failed) / float64(canary.Requests); math.Abs(rate-0.1) > 0.02 {
		t.Errorf("canary failure rate %v, want 0.1", rate)
	}
}

func TestStop(t *testing.T) {
	m, _ := newModel(t, 1, traffic.Source{Name: "a", Target: traffic.Canary, RPS: 1000})
	if err := m.Stop("a", epoch.Add(30*time.Second)); err != nil {
		t.Fatal(err)
	}
	if err := m.Advance(epoch.Add(time.Minute), nil); err != nil {
		t.Fatal(err)
	}
	if n := m.Totals()["podinfo"].Requests; n < 29_000 || n > 31_000 {
		t.Errorf("%d requests, want about 30000", n)
	}
	if err := m.Stop("a", epoch); err == nil {
		t.Error("stopping in the past accepted")
	}
	if err := m.Stop("b", epoch.Add(time.Hour)); err == nil {
		t.Error("stopping an unknown source accepted")
	}
}

func TestDeterminism(t *testing.T) {
	run := func(seed uint64) map[string][]float64 {
		m, store := newModel(t, seed,
			traffic.Source{Name: "a", Target: traffic.Apex, RPS: 20, Codes: map[int]float64{200: 0.95, 500: 0.05},
				Latency: traffic.LogNormal(20*time.Millisecond, 200*time.Millisecond)},
			traffic.Source{Name: "b", Target: traffic.Canary, RPS: 3})
		for i := 1; i <= 6; i++ {
			w := 10 * i
			if err := m.Advance(epoch.Add(time.Duration(i)*time.Minute), func() (int, int) { return 100 - w, w }); err != nil {
				t.Fatal(err)
			}
		}
		return dump(t, store)
	}
	a, b, c := run(42), run(42), run(43)
	if !equal(a, b) {
		t.Error("same seed gave different series")
	}
	if equal(a, c) {
		t.Error("different seeds gave identical series")
	}
}

func equal(a, b map[string][]float64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, va := range a {
		vb, ok := b[k]
		if !ok || len(va) != len(vb) {
			return false
		}
		for i := range va {
			if va[i] != vb[i] {
				return false
			}
		}
	}
	return true
}

func TestAddingASourceKeepsOthersDraws(t *testing.T) {
	only := traffic.Source{Name: "a", Target: traffic.Canary, RPS: 50}
	m1, _ := newModel(t, 9, only)
	m2, _ := newModel(t, 9, traffic.Source{Name: "z", Target: traffic.Primary, RPS: 50}, only)
	for _, m := range []*traffic.Model{m1, m2} {
		if err := m.Advance(epoch.Add(time.Minute), nil); err != nil {
			t.Fatal(err)
		}
	}
	if a, b := m1.Totals()["podinfo"], m2.Totals()["podinfo"]; a != b {
		t.Errorf("canary counts %v and %v differ", a, b)
	}
}

func TestErrors(t *testing.T) {
	m, _ := newModel(t, 1, traffic.Source{Name: "a"})
	bad := []traffic.Source{
		{},
		{Name: "a"},
		{Name: "b", RPS: -1},
		{Name: "b", RPS: math.NaN()},
		{Name: "b", Target: 7},
		{Name: "b", Codes: map[int]float64{200: 0}},
		{Name: "b", Codes: map[int]float64{99: 1}},
		{Name: "b", Codes: map[int]float64{200: -1}},
		{Name: "b", Latency: traffic.Distribution{P99: time.Second}},
		{Name: "b", Latency: traffic.LogNormal(time.Second, time.Millisecond)},
		{Name: "b", From: epoch.Add(time.Hour), Until: epoch},
	}
	for _, s := range bad {
		if err := m.Add(s); err == nil {
			t.Errorf("Add(%+v) accepted", s)
		}
	}
	if err := m.Advance(epoch.Add(-time.Second), nil); err == nil {
		t.Error("advancing into the past accepted")
	}
	if _, err := traffic.New(traffic.Config{Namespace: "x"}, tsdb.NewStore()); err == nil {
		t.Error("config without target accepted")
	}
}

func TestAppendErrorsSurface(t *testing.T) {
	store := tsdb.NewStore()
	m, _ := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Start: epoch}, store)
	_ = m.Add(traffic.Source{Name: "a", Target: traffic.Canary, RPS: 100})
	// A sample from the future makes the model's next append out of order.
	ls := labels.FromStrings("__name__", "osm_request_total", "destination_kind", "Deployment",
		"destination_name", "podinfo", "destination_namespace", "test", "response_code", "200",
		"source_kind", "Deployment", "source_name", "a", "source_namespace", "test")
	if err := store.Append(ls, epoch.Add(time.Hour), 1); err != nil {
		t.Fatal(err)
	}
	err := m.Advance(epoch.Add(time.Minute), nil)
	if err == nil || !strings.Contains(err.Error(), storage.ErrOutOfOrderSample.Error()) {
		t.Errorf("err = %v, want out of order", err)
	}
}
