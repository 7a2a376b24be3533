package reporttest

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Chart is a chart's <svg> and the mapping between its plot's pixels and
// its domain (seconds since the start on x, the value on y).
type Chart struct {
	SVG *html.Node
	// Pixels of the domain's edges, and the domain.
	X0, X1, Y0, Y1, XMin, XMax, YMin, YMax float64
}

// Chart finds the chart with that id and reads its plot's mapping.
func (d *Doc) Chart(id string) (*Chart, error) {
	svg := d.ByID(id)
	if svg == nil || svg.Data != "svg" {
		return nil, fmt.Errorf("no <svg id=%q>", id)
	}
	plots := All(svg, "g", "plot")
	if len(plots) != 1 {
		return nil, fmt.Errorf("<svg id=%q> has %d <g class=plot>, want 1", id, len(plots))
	}
	c := &Chart{SVG: svg}
	for key, dst := range map[string]*float64{
		"data-x0": &c.X0, "data-x1": &c.X1, "data-y0": &c.Y0, "data-y1": &c.Y1,
		"data-xmin": &c.XMin, "data-xmax": &c.XMax, "data-ymin": &c.YMin, "data-ymax": &c.YMax,
	} {
		v, err := Float(plots[0], key)
		if err != nil {
			return nil, fmt.Errorf("<svg id=%q>: %w", id, err)
		}
		*dst = v
	}
	if c.X1 == c.X0 || c.Y1 == c.Y0 {
		return nil, fmt.Errorf("<svg id=%q>: empty plot", id)
	}
	return c, nil
}

// Value turns a pixel position of the plot into (seconds, value).
func (c *Chart) Value(x, y float64) (float64, float64) {
	t := c.XMin + (x-c.X0)/(c.X1-c.X0)*(c.XMax-c.XMin)
	v := c.YMin + (y-c.Y0)/(c.Y1-c.Y0)*(c.YMax-c.YMin)
	return t, v
}

// Marks are the chart's elements with that tag and classes.
func (c *Chart) Marks(tag string, classes ...string) []*html.Node {
	return All(c.SVG, tag, classes...)
}

// Line is the points of the chart's <polyline class=class> as
// (seconds, value).
func (c *Chart) Line(class string) ([][2]float64, error) {
	lines := c.Marks("polyline", class)
	if len(lines) != 1 {
		return nil, fmt.Errorf("%d <polyline class=%q>, want 1", len(lines), class)
	}
	var out [][2]float64
	for _, p := range strings.Fields(Attr(lines[0], "points")) {
		xs, ys, ok := strings.Cut(p, ",")
		x, err1 := strconv.ParseFloat(xs, 64)
		y, err2 := strconv.ParseFloat(ys, 64)
		if !ok || err1 != nil || err2 != nil {
			return nil, fmt.Errorf("bad point %q in <polyline class=%q>", p, class)
		}
		t, v := c.Value(x, y)
		out = append(out, [2]float64{t, v})
	}
	return out, nil
}

// Circle is the (seconds, value) of a <circle>.
func (c *Chart) Circle(n *html.Node) (float64, float64, error) {
	x, err := Float(n, "cx")
	if err != nil {
		return 0, 0, err
	}
	y, err := Float(n, "cy")
	if err != nil {
		return 0, 0, err
	}
	t, v := c.Value(x, y)
	return t, v, nil
}

// Steps are the distinct successive values of a step line, rounded to
// unit (pixels are rounded, so values read back are only near): the canary
// weights a weight chart went through, the starting weight first.
func Steps(pts [][2]float64, unit float64) []float64 {
	var out []float64
	for _, p := range pts {
		v := math.Round(p[1]/unit) * unit
		if len(out) == 0 || out[len(out)-1] != v {
			out = append(out, v)
		}
	}
	return out
}
