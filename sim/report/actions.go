package report

import (
	"fmt"
	"time"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"

	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/sim"
)

// Action is a step of the scenario's timeline, drawn on every chart: when
// it ran (from the start) and what it did, in the scenario's words.
type Action struct {
	At   time.Duration
	Text string
}

// actionSpacing is the vertical distance between the labels of actions
// at one time.
const actionSpacing = 12

// actionMarks draws each action as a dashed line across the plot with its
// number (A1, A2, …) at the top, the command in its tooltip.
func (c *chart) actionMarks(actions []Action) {
	if len(actions) == 0 {
		return
	}
	at := map[time.Duration]int{}
	for i, a := range actions {
		k := at[a.At]
		at[a.At]++
		c.Actions = append(c.Actions, mark{
			X: c.x.at(seconds(a.At)), Y: c.Plot.Top + 12 + float64(k)*actionSpacing,
			Time: svgfmt.Value(seconds(a.At)), Value: fmt.Sprintf("A%d", i+1), Message: a.Text,
			Title: fmt.Sprintf("A%d at %s: %s", i+1, svgfmt.Clock(a.At), a.Text),
		})
	}
	items := c.Legend
	c.Legend = nil // laid out again, the action last
	c.legend(append(items, legendItem{Shape: "line", Class: "swatch-action", Label: "action A1… (hover: the command)"})...)
}

// endNote says why a metric's checks stop before the chart's end: the
// next tick halted at another metric's failed check, or no longer ran the
// analysis.
func (c *chart) endNote(s *series, res *sim.Result) {
	if len(s.checks) == 0 {
		return
	}
	last := s.checks[len(s.checks)-1].t
	for _, tk := range res.Ticks {
		t := seconds(tk.Time.Sub(res.Start))
		if t <= last {
			continue
		}
		if len(tk.Checks) == 0 {
			c.Note = fmt.Sprintf("The checks stop at %s: at %s the canary was %s (%s), and the analysis no longer ran.",
				svgfmt.Clock(secs(last)), svgfmt.Clock(secs(t)), tk.Phase, tk.Decision)
			return
		}
		if failed := failedCheck(tk.Checks); failed != "" && failed != s.metric {
			c.Note = fmt.Sprintf("The checks stop at %s: from %s on, each tick halted at the failed %s check before this one "+
				"(metrics are checked in order; a tick stops at the first that fails).", svgfmt.Clock(secs(last)), svgfmt.Clock(secs(t)), failed)
			return
		}
	}
	if end := seconds(res.End.Sub(res.Start)); last < end {
		c.Note = fmt.Sprintf("The checks stop at %s; the run went on to %s without another tick.", svgfmt.Clock(secs(last)), svgfmt.Clock(secs(end)))
	}
}

// failedCheck is the metric of the first check that did not pass, or "".
func failedCheck(checks []decide.Verdict) string {
	for _, v := range checks {
		if !v.Passed() {
			return v.Metric
		}
	}
	return ""
}
