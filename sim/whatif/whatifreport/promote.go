package whatifreport

import (
	"fmt"
	"math"
	"slices"
	"time"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// maxBins bounds the histogram's bins: wider bins beyond.
const maxBins = 48

// bin is a bar of a histogram: [From, To) seconds and its count.
type bin struct {
	From, To float64
	Count    int
}

// promotionTimes are the seconds to promote of the case's runs that
// promoted, in run order.
func promotionTimes(c whatif.CaseResult) []float64 {
	var out []float64
	for _, s := range c.Samples {
		if s.Phase == v1.PhaseSucceeded {
			out = append(out, s.Seconds)
		}
	}
	return out
}

// binWidth is the interval (runs move a tick at a time), doubled until the
// times fit in maxBins bins.
func binWidth(interval time.Duration, most float64) float64 {
	w := interval.Seconds()
	if w <= 0 {
		w = 1
	}
	for most/w > maxBins {
		w *= 2
	}
	return w
}

// histogram counts xs in bins of width w centred on multiples of w, so
// that a run that took k intervals sits in the middle of its bar. Only
// the bins with runs are returned, in order.
func histogram(xs []float64, w float64) []bin {
	counts := map[int]int{}
	for _, x := range xs {
		counts[int(math.Round(x/w))]++
	}
	ks := make([]int, 0, len(counts))
	for k := range counts {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	out := make([]bin, len(ks))
	for i, k := range ks {
		out[i] = bin{From: (float64(k) - 0.5) * w, To: (float64(k) + 0.5) * w, Count: counts[k]}
	}
	return out
}

// promoteChart is the histogram of the healthy runs' time to promote, with
// the arithmetic's promotion time marked; nil without a healthy case.
func promoteChart(rep *whatif.Report) *chart {
	h, ok := rep.Healthy()
	if !ok {
		return nil
	}
	times := promotionTimes(h)
	promo := 0.0
	if rep.Arithmetic.Error == "" {
		promo = rep.Arithmetic.Promotion.Seconds()
	}
	most := promo
	for _, t := range times {
		most = max(most, t)
	}
	w := binWidth(rep.Spec.Interval, most)
	bins := histogram(times, w)
	top := 0
	for _, b := range bins {
		top = max(top, b.Count)
	}
	c := newChart("promote-chart", "Time to promote a healthy canary",
		"time from the change to the promotion (m:ss)", "healthy runs", 0, most+w, float64(max(top, 5)))
	c.Desc = fmt.Sprintf("Histogram of the time to promote of the %d healthy runs that promoted, in bins of %v, "+
		"with the time the spec's arithmetic promises marked.", len(times), secs(w))
	c.timeTicks()
	for _, b := range bins {
		x0, x1, y := c.x.at(b.From), c.x.at(b.To), c.y.at(float64(b.Count))
		c.Bars = append(c.Bars, mark{X: x0 + 1, Y: y, W: max(1, x1-x0-2), H: c.y.at(0) - y, Class: "bin",
			From: num(b.From), To: num(b.To), Value: fmt.Sprint(b.Count),
			Title: fmt.Sprintf("%d run(s) promoted in %s to %s", b.Count, svgfmt.Clock(secs(b.From)), svgfmt.Clock(secs(b.To)))})
	}
	items := []legendItem{{Shape: "bar", Class: "swatch swatch-bin", Label: "healthy runs that promoted"}}
	if promo > 0 {
		x := c.x.at(promo)
		label := "arithmetic " + svgfmt.Clock(secs(promo))
		lx, anchor := x+6, "start"
		if x > c.Plot.MidX {
			lx, anchor = x-6, "end"
		}
		c.Rules = append(c.Rules, mark{X: x, LabelX: lx, Anchor: anchor, Class: "arithmetic", Seconds: num(promo), Text: label,
			Title: fmt.Sprintf("the spec's arithmetic: %v from the change to the promotion", rep.Arithmetic.Promotion)})
		items = append(items, legendItem{Shape: "line", Class: "swatch swatch-arithmetic", Label: "the spec's arithmetic"})
	}
	if len(times) == 0 {
		c.Note = "No healthy run promoted."
	}
	c.legend(items...)
	return c
}
