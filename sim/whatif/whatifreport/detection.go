package whatifreport

import (
	"fmt"
	"strconv"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// groupGap is the room between two families on a categorical axis, in
// slots.
const groupGap = 0.8

// slots places the cases on a categorical x axis: one slot each, in
// order, with a gap where the family changes; it returns the positions
// and the last one.
func slots(cases []whatif.CaseResult) ([]float64, float64) {
	pos := make([]float64, len(cases))
	x := 0.0
	for i, c := range cases {
		if i > 0 {
			x++
			if c.Kind != cases[i-1].Kind {
				x += groupGap
			}
		}
		pos[i] = x
	}
	return pos, x
}

// familyLabel names a family under its ticks, with the unit of its sizes.
func familyLabel(k whatif.Kind) string {
	switch k {
	case whatif.Errors:
		return "5xx (percentage points)"
	case whatif.NotFound:
		return "404 (percentage points)"
	case whatif.Latency:
		return "latency (added to every answer)"
	}
	return string(k)
}

// sizeLabel is a case's tick: its size with its unit.
func sizeLabel(c whatif.CaseResult) string {
	switch c.Kind {
	case whatif.Errors, whatif.NotFound:
		return "+" + strconv.FormatFloat(c.Size, 'f', -1, 64) + "%"
	case whatif.Latency:
		return c.Name
	}
	return "none"
}

// kindClass is the class that colours a family.
func kindClass(k whatif.Kind) string { return "kind-" + string(k) }

// detectionChart is the share of runs rolled back per case, with its 95%
// interval as an error bar, one line per family across its sizes.
func detectionChart(cases []whatif.CaseResult) *chart {
	pos, last := slots(cases)
	c := newChart("detection-chart", "Detection probability against regression size",
		"regression size, by family", "runs rolled back (%)", -0.7, last+0.7, 100)
	c.Desc = "Share of runs that rolled the canary back, per case, with its 95% Wilson interval; " +
		"for the healthy case it is the false-rollback rate."
	series := map[whatif.Kind][][2]float64{}
	var kinds []whatif.Kind
	for i, cr := range cases {
		r := cr.RolledBack
		x, y := c.x.at(pos[i]), c.y.at(100*r.P)
		lo, hi := c.y.at(100*r.Low), c.y.at(100*r.High)
		c.XTicks = append(c.XTicks, tick{x, sizeLabel(cr)})
		if _, seen := series[cr.Kind]; !seen {
			kinds = append(kinds, cr.Kind)
		}
		series[cr.Kind] = append(series[cr.Kind], [2]float64{x, y})
		c.Whiskers = append(c.Whiskers, mark{Class: "ci " + kindClass(cr.Kind), Case: cr.Name,
			D: fmt.Sprintf("M%s %sH%s M%s %sV%s M%s %sH%s", svgfmt.Px(x-5), svgfmt.Px(lo), svgfmt.Px(x+5),
				svgfmt.Px(x), svgfmt.Px(lo), svgfmt.Px(hi), svgfmt.Px(x-5), svgfmt.Px(hi), svgfmt.Px(x+5))})
		c.Points = append(c.Points, mark{X: x, Y: y, Class: "point " + kindClass(cr.Kind),
			Case: cr.Name, Kind: string(cr.Kind), Size: num(cr.Size),
			Value: num(r.P), Low: num(r.Low), High: num(r.High),
			Title: fmt.Sprintf("%s: rolled back in %d of %d runs, %s (95%% interval %s to %s)",
				cr.Name, r.Count, r.Of, pct(r.P), pct(r.Low), pct(r.High))})
	}
	var items []legendItem
	for _, k := range kinds {
		pts := series[k]
		first, end := pts[0][0], pts[len(pts)-1][0]
		c.Groups = append(c.Groups, tick{(first + end) / 2, familyLabel(k)})
		if len(pts) > 1 {
			c.Lines = append(c.Lines, mark{Class: "series " + kindClass(k), Kind: string(k), D: svgfmt.Polyline(pts)})
		}
		items = append(items, legendItem{Shape: "dot", Class: "swatch " + kindClass(k), Label: string(k)})
	}
	c.legend(append(items, legendItem{Shape: "line", Class: "swatch swatch-ci", Label: "95% interval"})...)
	return c
}
