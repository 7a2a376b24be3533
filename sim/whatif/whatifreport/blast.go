package whatifreport

import (
	"fmt"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// barWidth is a bar's width in slots; a case has two side by side.
const barWidth = 0.32

// blastChart is the failed user requests per run of each case: its p50
// and p90 side by side.
func blastChart(cases []whatif.CaseResult) *chart {
	pos, last := slots(cases)
	top := 0.0
	for _, cr := range cases {
		top = max(top, cr.BlastRadius.P90)
	}
	c := newChart("blast-chart", "Blast radius per case",
		"case: regression size, by family", "failed user requests per run", -0.7, last+0.7, max(top, 5))
	c.Desc = "Users' requests the canary answered with a 4xx or 5xx before the analysis ended, " +
		"per case: the median run and the 90th percentile run."
	slot := c.x.at(1) - c.x.at(0)
	for i, cr := range cases {
		x := c.x.at(pos[i])
		// Sizes on the ticks, families under them: whole case names run
		// together when there are many.
		c.XTicks = append(c.XTicks, tick{x, sizeLabel(cr)})
		for j, q := range []struct {
			class string
			v     float64
		}{{"p50", cr.BlastRadius.P50}, {"p90", cr.BlastRadius.P90}} {
			y := c.y.at(q.v)
			c.Bars = append(c.Bars, mark{
				X: x + (float64(j)-1)*barWidth*slot, Y: y, W: barWidth * slot, H: c.y.at(0) - y,
				Class: "bar " + q.class, Case: cr.Name, Kind: string(cr.Kind), Value: num(q.v),
				Title: fmt.Sprintf("%s: %s run failed %.0f user requests", cr.Name, q.class, q.v),
			})
		}
	}
	c.familyGroups(cases, pos)
	c.legend(
		legendItem{Shape: "bar", Class: "swatch swatch-p50", Label: "p50 (median run)"},
		legendItem{Shape: "bar", Class: "swatch swatch-p90", Label: "p90"},
	)
	return c
}

// familyGroups names each family of cases under its ticks.
func (c *chart) familyGroups(cases []whatif.CaseResult, pos []float64) {
	for i := 0; i < len(cases); {
		j := i
		for j+1 < len(cases) && cases[j+1].Kind == cases[i].Kind {
			j++
		}
		c.Groups = append(c.Groups, tick{(c.x.at(pos[i]) + c.x.at(pos[j])) / 2, familyLabel(cases[i].Kind)})
		i = j + 1
	}
}
