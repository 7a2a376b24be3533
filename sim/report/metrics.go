package report

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"

	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/sim"
)

// The builtin metrics, charted first and with their units.
const (
	successRate = "request-success-rate"
	duration    = "request-duration"
)

// check is one verdict of a metric at a tick (seconds since the start).
type check struct {
	t float64
	v decide.Verdict
}

// series are the checks of one metric, in time order.
type series struct {
	metric string
	checks []check
}

// collectSeries groups the checks of the ticks from the start on by
// metric: success rate first, then duration, then the others in the
// order they first ran.
func collectSeries(res *sim.Result) []*series {
	var out []*series
	by := map[string]*series{}
	for _, tk := range res.Ticks {
		if tk.Time.Before(res.Start) {
			continue
		}
		for _, v := range tk.Checks {
			s := by[v.Metric]
			if s == nil {
				s = &series{metric: v.Metric}
				by[v.Metric] = s
				out = append(out, s)
			}
			s.checks = append(s.checks, check{seconds(tk.Time.Sub(res.Start)), v})
		}
	}
	rank := func(s *series) int {
		switch s.metric {
		case successRate:
			return 0
		case duration:
			return 1
		}
		return 2
	}
	slices.SortStableFunc(out, func(a, b *series) int { return rank(a) - rank(b) })
	return out
}

// metricCharts are a chart per checked metric.
func metricCharts(runID string, res *sim.Result, span time.Duration) []*chart {
	var out []*chart
	for _, s := range collectSeries(res) {
		c := metricChart(runID, s, span)
		c.endNote(s, res)
		out = append(out, c)
	}
	return out
}

// metricLabels are a metric's chart title and y axis label.
func metricLabels(metric string) (string, string) {
	switch metric {
	case successRate:
		return "Success rate (" + metric + ")", "success rate (%)"
	case duration:
		return "P99 request duration (" + metric + ")", "P99 duration (ms)"
	}
	if len(metric) > 24 {
		return metric, "value"
	}
	return metric, metric
}

// finite reports whether a verdict has a value that can be plotted.
func finite(v decide.Verdict) bool {
	return v.HasValue && !math.IsNaN(v.Value) && !math.IsInf(v.Value, 0)
}

// metricDomain is the value range a chart must show: the finite values and
// the thresholds, and zero for anything but the success rate.
func metricDomain(s *series) (float64, float64) {
	lo, hi := math.Inf(1), math.Inf(-1)
	if s.metric != successRate {
		lo, hi = 0, 0
	}
	see := func(v float64) { lo, hi = min(lo, v), max(hi, v) }
	for _, c := range s.checks {
		if finite(c.v) {
			see(c.v.Value)
		}
		if c.v.Min != nil {
			see(*c.v.Min)
		}
		if c.v.Max != nil {
			see(*c.v.Max)
		}
	}
	if math.IsInf(lo, 1) {
		return 0, 1
	}
	return lo, hi
}

// metricChart is a metric's values over time: a line through the finite
// values, a dot per check coloured by its outcome, and the thresholds.
func metricChart(runID string, s *series, span time.Duration) *chart {
	title, yLabel := metricLabels(s.metric)
	lo, hi := metricDomain(s)
	c := newChart(slug(s.metric)+"-chart-"+runID, "metric-chart", title, yLabel, span, lo, hi, 0)
	c.Metric = s.metric
	var pts [][2]float64
	for _, ck := range s.checks {
		m := c.checkMark(ck)
		if finite(ck.v) {
			pts = append(pts, [2]float64{m.X, m.Y})
		}
		c.Points = append(c.Points, m)
		if ck.v.Query != "" && !slices.Contains(c.Queries, ck.v.Query) {
			c.Queries = append(c.Queries, ck.v.Query)
		}
	}
	c.Line, c.LineClass = svgfmt.Polyline(pts), "series"
	c.thresholds(s)
	items := []legendItem{
		{Shape: "line", Class: "swatch-series", Label: "value"},
		{Shape: "dot", Class: "swatch-pass", Label: "pass"},
		{Shape: "dot", Class: "swatch-fail", Label: "fail"},
	}
	if slices.ContainsFunc(s.checks, func(ck check) bool { return !finite(ck.v) }) {
		items = append(items, legendItem{Shape: "dot", Class: "swatch-nodata", Label: "no data / error"})
	}
	c.legend(append(items, legendItem{Shape: "line", Class: "swatch-threshold", Label: "threshold"})...)
	return c
}

// checkMark places a check: non-finite values sit on the plot's edge.
func (c *chart) checkMark(ck check) mark {
	v := ck.v
	m := mark{
		X: c.x.at(ck.t), Class: "check " + string(v.Outcome), Metric: v.Metric,
		Time: svgfmt.Value(ck.t),
	}
	switch {
	case finite(v):
		m.Y, m.Value = c.y.at(v.Value), svgfmt.Value(v.Value)
	case v.HasValue && math.IsInf(v.Value, 1):
		m.Y, m.Value = c.Plot.Top, svgfmt.Value(v.Value)
	default:
		m.Y = c.Plot.Bottom
		if v.HasValue {
			m.Value = svgfmt.Value(v.Value)
		}
	}
	shown := m.Value
	if shown == "" {
		shown = "no value"
	}
	m.Title = fmt.Sprintf("%s %s %s: %s", svgfmt.Clock(secs(ck.t)), v.Metric, shown, v.Outcome)
	if v.Message != "" {
		m.Title += " — " + v.Message
	}
	return m
}

// thresholds draws each distinct min and max bound of a series.
func (c *chart) thresholds(s *series) {
	seen := map[string]bool{}
	add := func(kind string, b *float64) {
		if b == nil || seen[kind+svgfmt.Value(*b)] {
			return
		}
		seen[kind+svgfmt.Value(*b)] = true
		y := c.y.at(*b)
		t := threshold{Y: y, Kind: kind, Value: svgfmt.Value(*b), Label: kind + " " + svgfmt.Value(*b)}
		if kind == "min" {
			t.ZoneY, t.ZoneH = y, c.Plot.Bottom-y
		} else {
			t.ZoneY, t.ZoneH = c.Plot.Top, y-c.Plot.Top
		}
		c.Thresholds = append(c.Thresholds, t)
	}
	for _, ck := range s.checks {
		add("min", ck.v.Min)
		add("max", ck.v.Max)
	}
}
