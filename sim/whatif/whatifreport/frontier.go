package whatifreport

import (
	"fmt"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// frontierChart places each setting by its healthy time to promote and its
// blast radius, the frontier highlighted and labelled; settings whose
// healthy canary never promoted have no place and are returned apart.
func frontierChart(ps []whatif.Point) (*chart, []string) {
	var most, blast float64
	var unplotted []string
	for _, p := range ps {
		if p.TimeToPromote <= 0 {
			unplotted = append(unplotted, p.Setting.String())
			continue
		}
		most, blast = max(most, p.TimeToPromote), max(blast, p.BlastRadius)
	}
	c := newChart("frontier-chart", "Time to promote against blast radius, per setting",
		"healthy canary's median time to promote (m:ss)", "mean failed user requests per run",
		0, max(most*1.15, 60), max(blast*1.15, 5))
	c.Desc = "Each point is a setting of the sweep; the settings on the trade-off frontier " +
		"(no other setting as good on time, false rollbacks and, when regressions were studied, blast radius and detection, " +
		"and better on one) are highlighted and labelled; detection is not an axis: each point's title gives it."
	c.timeTicks()
	for _, p := range ps {
		if p.TimeToPromote <= 0 {
			continue
		}
		x, y := c.x.at(p.TimeToPromote), c.y.at(p.BlastRadius)
		class := "point setting"
		if p.Frontier {
			class += " frontier"
			lx, anchor := x+9, "start"
			if x > c.Plot.MidX {
				lx, anchor = x-9, "end"
			}
			c.Labels = append(c.Labels, mark{X: lx, Y: y - 9, Anchor: anchor, Class: "point-label",
				Setting: p.Setting.String(), Text: p.Setting.String()})
		}
		c.Points = append(c.Points, mark{X: x, Y: y, Class: class, Setting: p.Setting.String(),
			Seconds: num(p.TimeToPromote), Value: num(p.BlastRadius),
			Title: fmt.Sprintf("%s: promotes in %v, %s false rollbacks, %s%s",
				p.Setting, secs(p.TimeToPromote), pct(p.FalseRollback), regressionNote(p), frontierNote(p))})
	}
	c.legend(
		legendItem{Shape: "dot", Class: "swatch swatch-setting", Label: "setting"},
		legendItem{Shape: "dot", Class: "swatch swatch-frontier", Label: "on the frontier"},
	)
	return c, unplotted
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
