package whatifreport

import (
	"math"
	"strconv"
	"time"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"
)

// The charts' layout, in SVG user units (pixels at 100%).
const (
	chartWidth   = 960
	marginLeft   = 76
	marginRight  = 28
	legendHeight = 30
	plotHeight   = 230
	marginBottom = 72
	plotInset    = 10 // distance between the plot's frame and its domain
)

// chart is one SVG chart: a frame (plot area, axes, legend) and its marks.
type chart struct {
	ID, Class, Title, Desc, XLabel, YLabel string
	Width, Height                          float64
	Plot                                   box
	XMin, XMax, YMin, YMax                 float64 // the domain shown
	X0, X1, Y0, Y1                         float64 // the pixels of XMin, XMax, YMin and YMax
	XTicks, YTicks                         []tick
	Groups                                 []tick // labels of groups of x ticks, a row under them
	Legend                                 []legendItem
	LegendY                                float64

	Bars     []mark // <rect>
	Lines    []mark // <polyline>, points in D
	Whiskers []mark // <path>, error bars, path in D
	Rules    []mark // vertical <line> across the plot at X, labelled Text
	Points   []mark // <circle>
	Labels   []mark // <text>
	Note     string // said in the middle of an empty plot
	// Key lists what the numbered labels stand for, under the chart.
	Key []keyItem

	x, y scale
}

// box is a rectangle in pixels.
type box struct{ Left, Top, Right, Bottom, MidX, MidY, W, H float64 }

// tick is an axis tick: its pixel position and label.
type tick struct {
	Pos   float64
	Label string
}

// mark is a drawn element and the values it stands for, which the page
// carries as data- attributes (empty ones are left out).
type mark struct {
	X, Y, W, H         float64
	D                  string
	LabelX             float64 // where a rule's label starts or ends
	Anchor             string  // the label's text-anchor
	Class, Title, Text string
	Case, Kind, Size   string
	Setting, Seconds   string
	Value, Low, High   string
	From, To           string
}

// legendItem is a swatch ("line", "dot" or "bar") with a label.
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

// newChart lays out a chart over [xmin, xmax] and about [0, yhi], with
// round ticks on y; the caller puts the ticks on x.
func newChart(id, title, xLabel, yLabel string, xmin, xmax, yhi float64) *chart {
	c := &chart{ID: id, Class: id, Title: title, XLabel: xLabel, YLabel: yLabel, Width: chartWidth}
	c.Plot = box{Left: marginLeft, Top: legendHeight, Right: chartWidth - marginRight, Bottom: legendHeight + plotHeight}
	c.Plot.W, c.Plot.H = c.Plot.Right-c.Plot.Left, c.Plot.Bottom-c.Plot.Top
	c.Plot.MidX, c.Plot.MidY = c.Plot.Left+c.Plot.W/2, c.Plot.Top+c.Plot.H/2
	c.Height = c.Plot.Bottom + marginBottom
	c.LegendY = legendHeight / 2
	var vals []float64
	var labels []string
	c.YMin, c.YMax, vals, labels = svgfmt.NiceDomain(0, yhi)
	c.XMin, c.XMax = xmin, xmax
	c.X0, c.X1 = c.Plot.Left+plotInset, c.Plot.Right-plotInset
	c.Y0, c.Y1 = c.Plot.Bottom-plotInset, c.Plot.Top+plotInset
	c.x = scale{c.XMin, c.XMax, c.X0, c.X1}
	c.y = scale{c.YMin, c.YMax, c.Y0, c.Y1}
	for i, v := range vals {
		c.YTicks = append(c.YTicks, tick{c.y.at(v), labels[i]})
	}
	return c
}

// timeTicks puts m:ss ticks on x, the domain being seconds.
func (c *chart) timeTicks() {
	step := svgfmt.TimeStep(secs(c.XMax - c.XMin)).Seconds()
	for t := math.Ceil(c.XMin/step) * step; t <= c.XMax+1e-9; t += step {
		c.XTicks = append(c.XTicks, tick{c.x.at(t), svgfmt.Clock(secs(t))})
	}
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

// secs turns seconds into a duration.
func secs(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// num is a number as a data- attribute: exact, as JSON writes it.
func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// pct formats a proportion as a percentage with one decimal.
func pct(p float64) string { return strconv.FormatFloat(100*p, 'f', 1, 64) + "%" }
