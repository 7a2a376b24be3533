package whatifreport

import (
	"math"
	"strconv"
	"strings"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// keyItem maps a label's number to the setting it stands for, in the key
// under the frontier chart.
type keyItem struct {
	N       int
	Setting string
}

// Estimates of a point label's box: 12px digits, with the white halo the
// stylesheet paints around them.
const (
	digitWidth  = 7.0
	labelAscent = 11.0
	labelDrop   = 4.0
	labelHalo   = 2.0
	pointRadius = 7.0 // a point's circle and its stroke
)

// rect is a box in pixels.
type rect struct{ left, top, right, bottom float64 }

func (a rect) overlaps(b rect) bool {
	return a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom
}

// labelSpot is a place for a label beside its point: the offset of the
// text's anchor point, and the anchor.
type labelSpot struct {
	dx, dy float64
	anchor string
}

// labelSpots are the places tried, nearest first: right and left above,
// right and left below, above, below, then the same twice as far.
var labelSpots = func() []labelSpot {
	near := []labelSpot{{9, -7, "start"}, {-9, -7, "end"}, {9, 15, "start"}, {-9, 15, "end"},
		{0, -11, "middle"}, {0, 23, "middle"}, {11, 4, "start"}, {-11, 4, "end"}}
	out := append([]labelSpot(nil), near...)
	for _, s := range near {
		out = append(out, labelSpot{2 * s.dx, 2*s.dy - 4, s.anchor})
	}
	return out
}()

// labelFrontier numbers the frontier's points in grid order, labels each
// spot with its numbers (settings on the same spot share a label) where
// the label covers no point and no other label, and lists the numbers in
// the chart's key.
func (c *chart) labelFrontier(ps []whatif.Point, v func(whatif.Point) float64) {
	type spot struct {
		x, y     float64
		numbers  []string
		settings []string
	}
	var spots []*spot
	at := map[[2]float64]*spot{}
	for _, p := range ps {
		if !p.Frontier || p.TimeToPromote <= 0 {
			continue
		}
		n := len(c.Key) + 1
		c.Key = append(c.Key, keyItem{N: n, Setting: p.Setting.String()})
		x, y := c.x.at(p.TimeToPromote), c.y.at(v(p))
		k := [2]float64{math.Round(x), math.Round(y)}
		if at[k] == nil {
			at[k] = &spot{x: x, y: y}
			spots = append(spots, at[k])
		}
		at[k].numbers = append(at[k].numbers, strconv.Itoa(n))
		at[k].settings = append(at[k].settings, p.Setting.String())
	}
	taken := make([]rect, 0, len(c.Points)+len(spots))
	for _, p := range c.Points {
		taken = append(taken, rect{p.X - pointRadius, p.Y - pointRadius, p.X + pointRadius, p.Y + pointRadius})
	}
	for _, s := range spots {
		text := strings.Join(s.numbers, ",")
		sp, box := c.placeLabel(s.x, s.y, text, taken)
		taken = append(taken, box)
		c.Labels = append(c.Labels, mark{X: s.x + sp.dx, Y: s.y + sp.dy, Anchor: sp.anchor, Class: "point-label",
			Setting: strings.Join(s.settings, "; "), Text: text})
	}
}

// placeLabel is the first spot where text, beside the point at (x, y),
// stays in the plot and clear of what is taken; the first spot when none is.
func (c *chart) placeLabel(x, y float64, text string, taken []rect) (labelSpot, rect) {
	width := digitWidth*float64(len(text)) + 2*labelHalo
	plot := rect{c.Plot.Left, c.Plot.Top, c.Plot.Right, c.Plot.Bottom}
	for _, sp := range labelSpots {
		box := labelBox(x+sp.dx, y+sp.dy, width, sp.anchor)
		if box.left < plot.left || box.right > plot.right || box.top < plot.top || box.bottom > plot.bottom {
			continue
		}
		free := true
		for _, t := range taken {
			if box.overlaps(t) {
				free = false
				break
			}
		}
		if free {
			return sp, box
		}
	}
	sp := labelSpots[0]
	return sp, labelBox(x+sp.dx, y+sp.dy, width, sp.anchor)
}

// labelBox is the box of a label of that width whose anchor point is
// (x, y), y being the baseline.
func labelBox(x, y, width float64, anchor string) rect {
	left := x - labelHalo
	switch anchor {
	case "end":
		left = x - width + labelHalo
	case "middle":
		left = x - width/2
	}
	return rect{left, y - labelAscent - labelHalo, left + width, y + labelDrop + labelHalo}
}
