package report

import (
	"fmt"
	"strconv"
	"time"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim"
)

// step is a router write: when (seconds since the start) and the canary weight.
type step struct {
	t float64
	w int
}

// weightSteps are the canary weight at the start (the last write before
// it, or 0) and the writes from the start on.
func weightSteps(res *sim.Result) (int, []step) {
	w0 := 0
	var steps []step
	for _, r := range res.Routes {
		if r.Time.Before(res.Start) {
			w0 = r.Routes.Canary
			continue
		}
		steps = append(steps, step{seconds(r.Time.Sub(res.Start)), r.Routes.Canary})
	}
	return w0, steps
}

// weightChart is the canary weight over time as a step line, with a dot
// per router write and the run's events marked above the plot.
func weightChart(runID string, res *sim.Result, span time.Duration) *chart {
	w0, steps := weightSteps(res)
	hi := max(w0, 10)
	for _, s := range steps {
		hi = max(hi, s.w)
	}
	stack := eventStack(res)
	c := newChart("weight-chart-"+runID, "weight-chart", "Canary weight",
		"canary weight (%)", span, 0, float64(hi), float64(stack)*eventSpacing+14)
	pts := [][2]float64{{c.x.at(0), c.y.at(float64(w0))}}
	last := w0
	for _, s := range steps {
		x := c.x.at(s.t)
		pts = append(pts, [2]float64{x, c.y.at(float64(last))}, [2]float64{x, c.y.at(float64(s.w))})
		c.Routes = append(c.Routes, mark{
			X: x, Y: c.y.at(float64(s.w)), Class: "route",
			Time: svgfmt.Value(s.t), Value: strconv.Itoa(s.w),
			Title: fmt.Sprintf("%s canary weight %d", svgfmt.Clock(secs(s.t)), s.w),
		})
		last = s.w
	}
	pts = append(pts, [2]float64{c.x.at(c.XMax), c.y.at(float64(last))})
	c.Line, c.LineClass = svgfmt.Polyline(pts), "weight"
	c.eventMarks(res)
	c.legend(
		legendItem{Shape: "line", Class: "swatch-weight", Label: "canary weight"},
		legendItem{Shape: "dot", Class: "swatch-route", Label: "router write"},
		legendItem{Shape: "dot", Class: "swatch-normal", Label: "Normal event"},
		legendItem{Shape: "dot", Class: "swatch-warning", Label: "Warning event"},
	)
	return c
}

// eventStack is the largest number of events at one time.
func eventStack(res *sim.Result) int {
	n := map[time.Time]int{}
	most := 1
	for _, e := range res.Events {
		n[e.Time]++
		most = max(most, n[e.Time])
	}
	return most
}

// eventMarks puts a marker per event above the plot, stacked upwards when
// events share a time, and a guide line down through the plot per time.
func (c *chart) eventMarks(res *sim.Result) {
	at := map[time.Time]int{}
	guide := map[time.Time]int{}
	for _, e := range res.Events {
		d := e.Time.Sub(res.Start)
		x := c.x.at(seconds(d))
		class := "normal"
		if e.Type == engine.Warning {
			class = "warning"
		}
		k := at[e.Time]
		at[e.Time]++
		c.Events = append(c.Events, mark{
			X: x, Y: c.Plot.Top - 12 - float64(k)*eventSpacing, Class: class,
			Time: svgfmt.Value(seconds(d)), Message: e.Message,
			Title: fmt.Sprintf("%s %s: %s", svgfmt.Clock(d), e.Type, e.Message),
		})
		if i, ok := guide[e.Time]; ok {
			if class == "warning" {
				c.Guides[i].Class = class
			}
			continue
		}
		guide[e.Time] = len(c.Guides)
		c.Guides = append(c.Guides, mark{X: x, Class: class, Time: svgfmt.Value(seconds(d))})
	}
}

// secs turns chart seconds back into a duration.
func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }
