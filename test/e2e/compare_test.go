//go:build unix

package e2e

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	promadapter "github.com/fledge-canary/fledge/adapters/prometheus"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/query"
	"github.com/fledge-canary/fledge/sim/metrics"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// tolerance is the relative difference allowed between the two engines'
// values: the same formulas over the same samples, summed in whatever order
// each engine sums.
const tolerance = 1e-9

// Kinds of expected answers.
const (
	wantValue    = "a value"
	wantNoValues = "no values"
	wantError    = "an error"
)

// comparison is one query asked of both engines.
type comparison struct {
	name   string
	render func(interval string) string // the query over a range
	want   string
}

// comparisons are the builtin OSM queries and the tutorial's 404s query,
// rendered with interval 30s, and the documented edge cases.
func comparisons(t *testing.T) []comparison {
	t.Helper()
	model := func(target, interval string) query.Model {
		return query.Model{Name: target, Namespace: namespace, Target: target, Interval: interval}
	}
	must := func(q string, err error) string {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return q
	}
	notFound := tutorialNotFoundQuery(t)
	return []comparison{
		{name: "request-success-rate", want: wantValue,
			render: func(iv string) string { return must(query.SuccessRate(model(target, iv))) }},
		{name: "request-duration", want: wantValue,
			render: func(iv string) string { return must(query.Duration(model(target, iv))) }},
		{name: "404s percentage", want: wantValue,
			render: func(iv string) string { return must(query.Render(notFound, model(target, iv))) }},
		{name: "scalar", want: wantValue, render: func(iv string) string {
			return fmt.Sprintf(`scalar(sum(rate(osm_request_total{destination_namespace=%q, destination_name=%q}[%s])))`,
				namespace, target, iv)
		}},
		// An empty vector: no such target.
		{name: "no values (empty vector)", want: wantNoValues,
			render: func(iv string) string { return must(query.SuccessRate(model("absent", iv))) }},
		// 0/0: idle's counters stopped more than 5s ago.
		{name: "no values (NaN)", want: wantNoValues,
			render: func(string) string { return must(query.SuccessRate(model(idle, "5s"))) }},
		// podinfo, podinfo-primary and idle.
		{name: "several series", want: wantError, render: func(iv string) string {
			return fmt.Sprintf(`sum by (destination_name) (rate(osm_request_total{destination_namespace=%q}[%s]))`, namespace, iv)
		}},
	}
}

// tutorialNotFoundQuery is the query of the tutorial's not-found-percentage
// MetricTemplate, as the corpus has it.
func tutorialNotFoundQuery(t *testing.T) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(repoRoot, "scenarios", "manifests", "podinfo-canary-404s.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	m, err := v1.Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	for _, tmpl := range m.MetricTemplates {
		if tmpl.Name == "not-found-percentage" {
			return tmpl.Spec.Query
		}
	}
	t.Fatal("no not-found-percentage MetricTemplate in podinfo-canary-404s.yaml")
	return ""
}

// answer is one engine's answer.
type answer struct {
	v   float64
	err error
}

func (a answer) String() string {
	if a.err != nil {
		return "error: " + a.err.Error()
	}
	return fmt.Sprint(a.v)
}

// kind classifies an answer as wantValue, wantNoValues or wantError.
func (a answer) kind() string {
	switch {
	case a.err == nil:
		return wantValue
	case errors.Is(a.err, engine.ErrNoValues):
		return wantNoValues
	}
	return wantError
}

// agree reports whether two answers are the same: close values, both no
// values, or errors with the same text.
func agree(a, b answer) bool {
	if a.kind() != b.kind() {
		return false
	}
	switch a.kind() {
	case wantValue:
		return math.Abs(a.v-b.v) <= tolerance*max(1, math.Abs(a.v), math.Abs(b.v))
	case wantError:
		return a.err.Error() == b.err.Error()
	}
	return true
}

// engines are the two ways of answering a query.
type engines struct {
	prom     *promadapter.Client
	embedded *metrics.Embedded
}

func (e engines) ask(ctx context.Context, promql string, at time.Time) (prom, embedded answer) {
	q := engine.Query{PromQL: promql, At: at}
	prom.v, prom.err = e.prom.Query(ctx, q)
	embedded.v, embedded.err = e.embedded.Query(ctx, q)
	return prom, embedded
}

// passResult is what a comparison pass learnt.
type passResult struct {
	first    int64 // the first scrape's time, ms
	boundary int   // on-scrape evaluations with a sample at exactly t-30s
	asked    int
}

// comparePass compares the two engines over stored, Prometheus' samples
// as read back, and store, the same samples in an embedded store, at the
// last `times` scrapes: half-way to the next scrape, and exactly on the
// scrape. Where a sample sits at exactly t-30s, Prometheus 2 must match the
// embedded engine over 30.001s (see the package documentation).
func comparePass(t *testing.T, p *promServer, stored map[string]*storedSeries, store *tsdb.Store, times int) passResult {
	t.Helper()
	ctx := context.Background()
	// The scrape times: those of the canary's 500s, which every scrape has.
	var scrapes []int64
	for _, s := range stored {
		if s.lset.Get("destination_name") == target && s.lset.Get("response_code") == "500" {
			scrapes = s.t
		}
	}
	if len(scrapes) < times+1 {
		t.Fatalf("only %d scrapes of the canary's 500s stored, want at least %d", len(scrapes), times+1)
	}
	res := passResult{first: scrapes[0]}
	gaps := map[int64]int{}
	for i := 1; i < len(scrapes); i++ {
		gaps[scrapes[i]-scrapes[i-1]]++
	}
	t.Logf("%d scrapes; gaps between them (ms: count): %v", len(scrapes), gaps)
	e := engines{prom: promadapter.New(promadapter.Options{DefaultAddress: p.URL}), embedded: metrics.New(tsdb.NewEngine(store))}
	var when []time.Time
	for i := len(scrapes) - 1 - times; i < len(scrapes)-1; i++ {
		when = append(when, time.UnixMilli((scrapes[i]+scrapes[i+1])/2), time.UnixMilli(scrapes[i]))
	}
	for _, c := range comparisons(t) {
		boundary, maxDiff := 0, 0.0
		for _, at := range when {
			prom, emb := e.ask(ctx, c.render("30s"), at)
			res.asked++
			if prom.kind() != c.want {
				t.Errorf("%s at %s: Prometheus %v, want %s", c.name, at.Format("15:04:05.000"), prom, c.want)
			}
			if !sampleAt(stored, at.Add(-30*time.Second)) {
				if !agree(prom, emb) {
					t.Errorf("%s at %s: Prometheus %v, embedded %v", c.name, at.Format("15:04:05.000"), prom, emb)
				}
				continue
			}
			// A sample at exactly t-30s: Prometheus 2 counts it, 3 does
			// not. Asked for (t-30.001s, t], the embedded engine sees what
			// Prometheus 2 sees in [t-30s, t].
			boundary++
			closed := answer{}
			closed.v, closed.err = e.embedded.Query(ctx, engine.Query{PromQL: c.render("30001ms"), At: at})
			if !agree(prom, closed) {
				t.Errorf("%s at %s (a sample at t-30s): Prometheus %v, embedded over 30s %v, over 30.001s %v",
					c.name, at.Format("15:04:05.000"), prom, emb, closed)
			}
			if prom.err == nil && emb.err == nil && prom.v != 0 {
				maxDiff = max(maxDiff, math.Abs(emb.v-prom.v)/math.Abs(prom.v))
			}
		}
		res.boundary += boundary
		last, _ := e.ask(ctx, c.render("30s"), when[len(when)-2])
		note := ""
		if boundary > 0 && c.want == wantValue {
			note = fmt.Sprintf("; %d of %d times had a sample at exactly t-30s, where Prometheus equals the embedded engine over 30.001s"+
				" and differs from it over 30s by up to %.3g%%", boundary, len(when), 100*maxDiff)
		}
		t.Logf("%-24s %s%s", c.name+":", last, note)
	}
	checkRawEdgeCases(t, p, when[len(when)-2])
	return res
}

// sampleAt reports whether any stored series has a sample at exactly at.
func sampleAt(stored map[string]*storedSeries, at time.Time) bool {
	for _, s := range stored {
		if _, found := slices.BinarySearch(s.t, at.UnixMilli()); found {
			return true
		}
	}
	return false
}

// checkRawEdgeCases makes sure the edge cases are what they claim, in
// Prometheus' own words: an empty vector, a NaN sample, three series.
func checkRawEdgeCases(t *testing.T, p *promServer, at time.Time) {
	t.Helper()
	for _, c := range comparisons(t) {
		want := map[string]string{"no values (empty vector)": "[]", "no values (NaN)": "NaN", "several series": "3 series"}[c.name]
		if want == "" {
			continue
		}
		res, err := p.query(context.Background(), c.render("30s"), at)
		if err != nil {
			t.Fatal(err)
		}
		list, err := res.series()
		if err != nil {
			t.Fatal(err)
		}
		got := fmt.Sprintf("%d series", len(list))
		switch {
		case len(list) == 0:
			got = "[]"
		case len(list) == 1:
			if _, v, err := sample(list[0].Value); err == nil && math.IsNaN(v) {
				got = "NaN"
			}
		}
		if got != want {
			t.Errorf("%s: Prometheus answered %s (%s), want %s", c.name, got, strings.TrimSpace(string(res.Result)), want)
		}
	}
}
