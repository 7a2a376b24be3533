package replay

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"

	"github.com/fledge-canary/fledge/sim/tsdb"
)

// TrafficProfile is the traffic a Deployment served over a window, as
// OSM's series record it.
type TrafficProfile struct {
	// Deployment is NAME.NAMESPACE.
	Deployment string    `json:"deployment"`
	From       time.Time `json:"from"`
	To         time.Time `json:"to"`
	// RPS is the requests per second it answered.
	RPS float64 `json:"rps"`
	// ErrorRate and NotFoundRate are its shares of 5xx and 404 answers,
	// in percent.
	ErrorRate    float64 `json:"errorRate"`
	NotFoundRate float64 `json:"notFoundRate"`
	// P50 and P99 are its latency quantiles from the histogram's buckets.
	P50 time.Duration `json:"p50"`
	P99 time.Duration `json:"p99"`
}

func (p TrafficProfile) String() string {
	return fmt.Sprintf("%s from %s to %s: %.2f rps, %.3f%% 5xx, %.3f%% 404, p50 %v, p99 %v",
		p.Deployment, stamp(p.From), stamp(p.To), p.RPS, p.ErrorRate, p.NotFoundRate,
		p.P50.Round(time.Microsecond), p.P99.Round(time.Microsecond))
}

// profileQueries are the PromQL of a profile, with %s the Deployment's
// selector labels and %s the window.
var profileQueries = struct{ rps, errors, notFound, quantile string }{
	rps:      `sum(rate(osm_request_total{%s}[%s]))`,
	errors:   `sum(rate(osm_request_total{%s,response_code=~"5.."}[%s])) / sum(rate(osm_request_total{%s}[%s])) * 100`,
	notFound: `sum(rate(osm_request_total{%s,response_code="404"}[%s])) / sum(rate(osm_request_total{%s}[%s])) * 100`,
	quantile: `histogram_quantile(%g, sum by (le) (rate(osm_request_duration_ms_bucket{%s}[%s])))`,
}

func deploymentLabels(namespace, name string) string {
	return fmt.Sprintf(`destination_namespace=%q,destination_kind="Deployment",destination_name=%q`, namespace, name)
}

// ProfileSelectors are the series a profile of the Deployment reads.
func ProfileSelectors(namespace, name string) [][]*labels.Matcher {
	var out [][]*labels.Matcher
	for _, metric := range []string{"osm_request_total", "osm_request_duration_ms_bucket"} {
		sel, err := parser.NewParser(parser.Options{}).ParseMetricSelector(metric + "{" + deploymentLabels(namespace, name) + "}")
		if err != nil {
			panic(err) // the selector is ours
		}
		out = append(out, sel)
	}
	return out
}

// MeasureProfile measures the traffic of the Deployment namespace/name
// over the window that ends at the last sample of its series (or at end,
// when not zero), shortened to the recorded data.
func MeasureProfile(ctx context.Context, rec *Recording, namespace, name string, window time.Duration, end time.Time) (TrafficProfile, error) {
	p := TrafficProfile{Deployment: name + "." + namespace}
	first, last, ok := rec.span(ctx, ProfileSelectors(namespace, name)[:1], All)
	if !ok {
		return p, fmt.Errorf("%s has no osm_request_total series of deployment %s", rec.Source, p.Deployment)
	}
	if !end.IsZero() && end.Before(last) {
		last = end
	}
	p.From, p.To = maxTime(first, last.Add(-window)), last
	if !p.To.After(p.From) {
		return p, fmt.Errorf("%s: %w for deployment %s in the window (its samples run from %s to %s)",
			rec.Source, errNoData, p.Deployment, stamp(first), stamp(last))
	}
	m := &measurer{ctx: ctx, eng: tsdb.NewEngine(rec.Store), at: p.To,
		sel: deploymentLabels(namespace, name), rng: formatRange(p.To.Sub(p.From))}
	q := profileQueries
	p.RPS = m.value(fmt.Sprintf(q.rps, m.sel, m.rng))
	p.ErrorRate = m.value(fmt.Sprintf(q.errors, m.sel, m.rng, m.sel, m.rng))
	p.NotFoundRate = m.value(fmt.Sprintf(q.notFound, m.sel, m.rng, m.sel, m.rng))
	p.P50 = m.millis(fmt.Sprintf(q.quantile, 0.5, m.sel, m.rng))
	p.P99 = m.millis(fmt.Sprintf(q.quantile, 0.99, m.sel, m.rng))
	if m.err != nil {
		return p, fmt.Errorf("%s: %w", rec.Source, m.err)
	}
	if !(p.RPS > 0) {
		return p, fmt.Errorf("%s: deployment %s answered no request between %s and %s", rec.Source, p.Deployment, stamp(p.From), stamp(p.To))
	}
	if p.P50 <= 0 || p.P99 <= 0 {
		return p, fmt.Errorf("%s has no osm_request_duration_ms_bucket samples of deployment %s between %s and %s",
			rec.Source, p.Deployment, stamp(p.From), stamp(p.To))
	}
	return p, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// formatRange writes a PromQL range in whole milliseconds.
func formatRange(d time.Duration) string { return fmt.Sprintf("%dms", d.Milliseconds()) }

// measurer evaluates a profile's queries; the first error sticks.
type measurer struct {
	ctx      context.Context
	eng      *tsdb.Engine
	at       time.Time
	sel, rng string
	err      error
}

// value is the query's single value; no sample is 0 (no such answers).
func (m *measurer) value(q string) float64 {
	if m.err != nil {
		return 0
	}
	v, _, err := m.eng.Instant(m.ctx, q, m.at)
	if err != nil {
		m.err = err
		return 0
	}
	vec, ok := v.(promql.Vector)
	if !ok || len(vec) != 1 || math.IsNaN(vec[0].F) {
		return 0
	}
	return vec[0].F
}

// millis is the query's value read as milliseconds.
func (m *measurer) millis(q string) time.Duration {
	return time.Duration(math.Round(m.value(q) * float64(time.Millisecond)))
}
