package report

import (
	"time"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"
)

// The charts' layout, in SVG user units (pixels at 100%).
const (
	chartWidth   = 960
	marginLeft   = 72
	marginRight  = 96
	legendHeight = 30
	plotHeight   = 170
	marginBottom = 48
	eventSpacing = 11 // vertical distance between stacked event markers
	plotInset    = 8  // distance between the plot's frame and its domain
)

// chart is one SVG chart: a frame (plot area, axes, legend) and the marks
// drawn in it. Weight charts fill Line, Routes and Events; metric charts
// fill Line, Points and Thresholds.
type chart struct {
	ID, Class, Title, YLabel, Metric string
	Width, Height                    float64
	Plot                             box
	XMax, YMin, YMax                 float64 // the domain shown (XMin is 0)
	X0, X1, Y0, Y1                   float64 // the pixels of 0, XMax, YMin and YMax
	XTicks, YTicks                   []tick
	Legend                           []legendItem
	LegendY                          float64

	Line       string // polyline points, "x,y x,y ..."
	LineClass  string
	Routes     []mark
	Points     []mark
	Thresholds []threshold
	Guides     []mark // one vertical line per event time
	Events     []mark // one marker per event
	Actions    []mark // one dashed line per action of the timeline
	Queries    []string
	// Note says why the marks end before the chart does.
	Note string

	// XLabel names the time axis; empty is the simulator's virtual time.
	XLabel string

	x, y scale
}

// box is a rectangle in pixels.
type box struct{ Left, Top, Right, Bottom, MidX, MidY, W, H float64 }

// tick is an axis tick: its pixel position and label.
type tick struct {
	Pos   float64
	Label string
}

// mark is a point of a chart with what it stands for. Time is seconds
// since the start; Value is the formatted value.
type mark struct {
	X, Y               float64
	Class, Metric      string
	Time, Value, Title string
	Message            string
}

// threshold is a min or max line, and the zone beyond it.
type threshold struct {
	Y, ZoneY, ZoneH    float64
	Kind, Value, Label string
}

// legendItem is a swatch ("line" or "dot") with a label.
type legendItem struct {
	X            float64
	Shape, Class string
	Label        string
}

// scale maps a domain interval onto a pixel interval.
type scale struct{ d0, d1, r0, r1 float64 }

func (s scale) at(v float64) float64 {
	if s.d1 == s.d0 {
		return s.r0
	}
	return s.r0 + (v-s.d0)/(s.d1-s.d0)*(s.r1-s.r0)
}

// newChart lays out a chart over [0, span] seconds and about [lo, hi];
// extraTop is room above the plot (for the event markers).
func newChart(id, class, title, yLabel string, span time.Duration, lo, hi, extraTop float64) *chart {
	c := &chart{ID: id, Class: class, Title: title, YLabel: yLabel, Width: chartWidth}
	top := legendHeight + extraTop
	c.Plot = box{Left: marginLeft, Top: top, Right: chartWidth - marginRight, Bottom: top + plotHeight}
	c.Plot.W, c.Plot.H = c.Plot.Right-c.Plot.Left, c.Plot.Bottom-c.Plot.Top
	c.Plot.MidX, c.Plot.MidY = c.Plot.Left+c.Plot.W/2, c.Plot.Top+c.Plot.H/2
	c.Height = c.Plot.Bottom + marginBottom
	c.LegendY = legendHeight / 2
	c.XMax = seconds(span)
	var vals []float64
	var labels []string
	c.YMin, c.YMax, vals, labels = svgfmt.NiceDomain(lo, hi)
	// The domain sits inset in the plot, so that marks at its edges do not
	// sit on the frame.
	c.X0, c.X1 = c.Plot.Left+plotInset, c.Plot.Right-plotInset
	c.Y0, c.Y1 = c.Plot.Bottom-plotInset, c.Plot.Top+plotInset
	c.x = scale{0, c.XMax, c.X0, c.X1}
	c.y = scale{c.YMin, c.YMax, c.Y0, c.Y1}
	for i, v := range vals {
		c.YTicks = append(c.YTicks, tick{c.y.at(v), labels[i]})
	}
	step := svgfmt.TimeStep(span)
	for t := time.Duration(0); t <= span; t += step {
		c.XTicks = append(c.XTicks, tick{c.x.at(seconds(t)), svgfmt.Clock(t)})
	}
	return c
}

// legend lays out the legend's items left to right above the plot.
func (c *chart) legend(items ...legendItem) {
	x := c.Plot.Left
	for _, it := range items {
		it.X = x
		c.Legend = append(c.Legend, it)
		x += 24 + 7*float64(len(it.Label)) + 20
	}
}
