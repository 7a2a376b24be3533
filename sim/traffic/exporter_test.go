package traffic_test

import (
	"errors"
	"io"
	"math"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// tee appends to several appenders.
type tee []traffic.Appender

func (t tee) Append(lset labels.Labels, at time.Time, v float64) error {
	for _, a := range t {
		if err := a.Append(lset, at, v); err != nil {
			return err
		}
	}
	return nil
}

// parse reads a text exposition: the series (by labels) and the type of
// each family. Label sets are read by the PromQL parser, whose string
// escapes are the format's.
func parse(t *testing.T, text string) (map[string]float64, map[string]string) {
	t.Helper()
	p := parser.NewParser(parser.Options{})
	values, types := map[string]float64{}, map[string]string{}
	for _, line := range strings.Split(strings.TrimSuffix(text, "\n"), "\n") {
		if rest, ok := strings.CutPrefix(line, "# TYPE "); ok {
			name, typ, _ := strings.Cut(rest, " ")
			if _, dup := types[name]; dup {
				t.Errorf("second TYPE line for %s", name)
			}
			types[name] = typ
			continue
		}
		i := strings.LastIndexByte(line, ' ')
		if i < 0 {
			t.Fatalf("line %q has no value", line)
		}
		lset, err := p.ParseMetric(line[:i])
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		v, err := strconv.ParseFloat(line[i+1:], 64)
		if err != nil {
			t.Fatalf("line %q: %v", line, err)
		}
		values[lset.String()] = v
	}
	return values, types
}

// TestExpositionIsTheStoresLatestScrape checks that what a scraper reads
// from the exposition is the model's latest scrape, series by series.
func TestExpositionIsTheStoresLatestScrape(t *testing.T) {
	exp := traffic.NewExposition()
	store := tsdb.NewStore()
	m, err := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Seed: 1, Start: epoch}, tee{store, exp})
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range []traffic.Source{
		{Name: "frontend", Target: traffic.Apex, RPS: 50, Codes: map[int]float64{200: 0.9, 404: 0.05, 500: 0.05},
			Latency: traffic.LogNormal(20*time.Millisecond, 300*time.Millisecond)},
		{Name: "hey", Target: traffic.Canary, RPS: 10},
	} {
		if err := m.Add(s); err != nil {
			t.Fatal(err)
		}
	}
	if err := m.Advance(epoch.Add(time.Minute), func() (int, int) { return 80, 20 }); err != nil {
		t.Fatal(err)
	}
	last := map[string]float64{}
	for key, tv := range dump(t, store) {
		last[key] = tv[len(tv)-1]
	}
	var b strings.Builder
	n, err := exp.WriteTo(&b)
	if err != nil || n != int64(b.Len()) {
		t.Fatalf("WriteTo = %d, %v; wrote %d bytes", n, err, b.Len())
	}
	values, types := parse(t, b.String())
	if len(values) != len(last) {
		t.Errorf("%d series exposed, the store has %d", len(values), len(last))
	}
	for key, v := range last {
		if got, ok := values[key]; !ok || got != v {
			t.Errorf("%s = %v (exposed: %v), want %v", key, got, ok, v)
		}
	}
	wantTypes := map[string]string{"osm_request_total": "counter", "osm_request_duration_ms": "histogram"}
	if len(types) != len(wantTypes) {
		t.Errorf("types %v, want %v", types, wantTypes)
	}
	for name, typ := range wantTypes {
		if types[name] != typ {
			t.Errorf("type of %s = %q, want %q", name, types[name], typ)
		}
	}
	if !strings.Contains(b.String(), `le="1.0"`) || !strings.Contains(b.String(), `le="+Inf"`) {
		t.Errorf("le not written as the model stores it:\n%s", b.String())
	}
}

// TestExpositionFollowsTheModel appends straight from a model and serves
// it: each request advances the model first.
func TestExpositionFollowsTheModel(t *testing.T) {
	exp := traffic.NewExposition()
	m, err := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Seed: 1, Start: epoch, Scrape: time.Second},
		exp)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Add(traffic.Source{Name: "hey", Target: traffic.Canary, RPS: 100, Codes: map[int]float64{200: 0.7, 500: 0.3}}); err != nil {
		t.Fatal(err)
	}
	now := epoch
	srv := httptest.NewServer(exp.Handler(func() error {
		now = now.Add(10 * time.Second)
		return m.Advance(now, nil)
	}))
	defer srv.Close()
	get := func() map[string]float64 {
		resp, err := http.Get(srv.URL)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != http.StatusOK || resp.Header.Get("Content-Type") != traffic.ContentType {
			t.Fatalf("status %d, content type %q: %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
		}
		values, _ := parse(t, string(body))
		return values
	}
	total := func(values map[string]float64) (all, failed float64) {
		for key, v := range values {
			if strings.Contains(key, `"osm_request_total"`) {
				all += v
				if strings.Contains(key, `response_code="500"`) {
					failed += v
				}
			}
		}
		return all, failed
	}
	first, _ := total(get())
	second, failed := total(get())
	totals := m.Totals()["podinfo"]
	if !(first > 0 && second > first) || second != float64(totals.Requests) || failed != float64(totals.Failed) {
		t.Errorf("served %v then %v requests (%v failed); the model counted %+v", first, second, failed, totals)
	}
	for _, s := range exp.Snapshot() {
		if !s.T.Equal(epoch.Add(20 * time.Second)) {
			t.Errorf("%s at %s, want the model's last scrape", s.Labels, s.T)
		}
	}
}

func TestExpositionErrorsAndEscaping(t *testing.T) {
	exp := traffic.NewExposition()
	ls := labels.FromStrings("__name__", "weird", "path", "a\"b\\c\nd")
	if err := exp.Append(ls, epoch.Add(time.Second), 1); err != nil {
		t.Fatal(err)
	}
	if err := exp.Append(ls, epoch, 2); err == nil || !strings.Contains(err.Error(), "out of order") {
		t.Errorf("older sample: err = %v", err)
	}
	if err := exp.Append(labels.FromStrings("__name__", "infinite"), epoch, math.Inf(1)); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	if _, err := exp.WriteTo(&b); err != nil {
		t.Fatal(err)
	}
	values, types := parse(t, b.String())
	if v := values[ls.String()]; v != 1 {
		t.Errorf("escaped series = %v in\n%s", v, b.String())
	}
	if v := values[`{__name__="infinite"}`]; !math.IsInf(v, 1) {
		t.Errorf("inf = %v", v)
	}
	if types["weird"] != "untyped" {
		t.Errorf("types %v", types)
	}
	srv := httptest.NewServer(exp.Handler(func() error { return errors.New("model broke") }))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != http.StatusInternalServerError || !strings.Contains(string(body), "model broke") {
		t.Errorf("failing update: %d %s", resp.StatusCode, body)
	}
}
