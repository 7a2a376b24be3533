package whatifreport

import (
	"fmt"
	"slices"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// frontierAxis is the y axis of the frontier chart: the blast radius when
// the sweep studied regressions, else the false-rollback rate (the blast
// radius was not measured, and is not drawn as 0).
type frontierAxis struct {
	title, label, note string
	value              func(whatif.Point) float64
	floor              float64
}

func frontierAxisOf(ps []whatif.Point) frontierAxis {
	if slices.ContainsFunc(ps, whatif.Point.StudiedRegressions) {
		return frontierAxis{title: "Time to promote against blast radius, per setting", label: "mean failed user requests per run",
			value: func(p whatif.Point) float64 { return p.BlastRadius }, floor: 5}
	}
	return frontierAxis{title: "Time to promote against false rollbacks, per setting", label: "false rollbacks of a healthy canary (%)",
		note:  " No regression was studied: the blast radius was not measured, so the false rollbacks are charted instead.",
		value: func(p whatif.Point) float64 { return 100 * p.FalseRollback }, floor: 5}
}

// frontierChart places each setting by its healthy time to promote and its
// blast radius (or false rollbacks), the frontier highlighted and
// labelled; settings whose healthy canary never promoted have no place
// and are returned apart.
func frontierChart(ps []whatif.Point) (*chart, []string) {
	ax := frontierAxisOf(ps)
	var most, top float64
	var unplotted []string
	for _, p := range ps {
		if p.TimeToPromote <= 0 {
			unplotted = append(unplotted, p.Setting.String())
			continue
		}
		most, top = max(most, p.TimeToPromote), max(top, ax.value(p))
	}
	c := newChart("frontier-chart", ax.title, "healthy canary's median time to promote (m:ss)", ax.label,
		0, max(most*1.15, 60), max(top*1.15, ax.floor))
	c.Desc = "Each point is a setting of the sweep; the settings on the trade-off frontier " +
		"(no other setting as good on time, false rollbacks and, when regressions were studied, blast radius and detection, " +
		"and better on one) are highlighted and numbered, the numbers listed under the chart; detection is not an axis: each point's title gives it." + ax.note
	c.timeTicks()
	for _, p := range ps {
		if p.TimeToPromote > 0 {
			c.plotSetting(p, ax.value(p))
		}
	}
	c.labelFrontier(ps, ax.value)
	c.legend(
		legendItem{Shape: "dot", Class: "swatch swatch-setting", Label: "setting"},
		legendItem{Shape: "dot", Class: "swatch swatch-frontier", Label: "on the frontier"},
	)
	return c, unplotted
}

// plotSetting places the setting's point at its time to promote and v;
// labelFrontier labels the frontier's.
func (c *chart) plotSetting(p whatif.Point, v float64) {
	x, y := c.x.at(p.TimeToPromote), c.y.at(v)
	class := "point setting"
	if p.Frontier {
		class += " frontier"
	}
	c.Points = append(c.Points, mark{X: x, Y: y, Class: class, Setting: p.Setting.String(),
		Seconds: num(p.TimeToPromote), Value: num(v),
		Title: fmt.Sprintf("%s: promotes in %v, %s false rollbacks, %s%s",
			p.Setting, secs(p.TimeToPromote), pct(p.FalseRollback), regressionNote(p), frontierNote(p))})
}

// regressionNote is what the point's regression cases found.
func regressionNote(p whatif.Point) string {
	if !p.StudiedRegressions() {
		return "no regression studied"
	}
	return fmt.Sprintf("%.1f failed user requests, %s detection", p.BlastRadius, pct(p.Detection))
}

func frontierNote(p whatif.Point) string {
	if p.Frontier {
		return "; on the frontier"
	}
	return ""
}
