package svgfmt

import (
	"fmt"
	"math"
	"strconv"
	"strings"
	"time"
)

// Clock formats a virtual time as m:ss, negative before the start.
func Clock(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%s%d:%02d", sign, int(d.Minutes()), int(d.Seconds())%60)
}

// Value formats a metric value with at most two decimals: 69.39682 is
// "69.4", 99 is "99", +Inf is "+Inf".
func Value(v float64) string {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return strconv.FormatFloat(v, 'f', -1, 64)
	}
	return strconv.FormatFloat(math.Round(v*100)/100, 'f', -1, 64)
}

// Px formats a pixel coordinate.
func Px(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// niceStep is a round step (1, 2 or 5 times a power of ten) that cuts span
// into about n parts.
func niceStep(span float64, n int) float64 {
	raw := span / float64(n)
	mag := math.Pow(10, math.Floor(math.Log10(raw)))
	for _, m := range []float64{1, 2, 5} {
		if raw <= m*mag {
			return m * mag
		}
	}
	return 10 * mag
}

// NiceDomain widens [lo, hi] to multiples of a round step and returns the
// tick values with their labels.
func NiceDomain(lo, hi float64) (float64, float64, []float64, []string) {
	if hi-lo < 1e-9 {
		lo, hi = lo-1, hi+1
	}
	step := niceStep(hi-lo, 5)
	lo = math.Floor(lo/step+1e-9) * step
	hi = math.Ceil(hi/step-1e-9) * step
	decimals := max(0, int(-math.Floor(math.Log10(step))))
	var vals []float64
	var labels []string
	for i := 0; ; i++ {
		v := lo + float64(i)*step
		if v > hi+step/2 {
			break
		}
		vals = append(vals, v)
		labels = append(labels, strconv.FormatFloat(v, 'f', decimals, 64))
	}
	return lo, hi, vals, labels
}

// TimeStep is a round step of the time axis that gives at most ten ticks.
func TimeStep(span time.Duration) time.Duration {
	steps := []time.Duration{
		time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second, 15 * time.Second,
		30 * time.Second, time.Minute, 2 * time.Minute, 5 * time.Minute, 10 * time.Minute,
		15 * time.Minute, 30 * time.Minute, time.Hour,
	}
	for _, s := range steps {
		if span/s <= 10 {
			return s
		}
	}
	s := time.Hour
	for span/s > 10 {
		s *= 2
	}
	return s
}

// Polyline joins points into the points attribute of a <polyline>,
// leaving out a point that repeats the one before.
func Polyline(pts [][2]float64) string {
	var parts []string
	for i, p := range pts {
		if i > 0 && p == pts[i-1] {
			continue
		}
		parts = append(parts, Px(p[0])+","+Px(p[1]))
	}
	return strings.Join(parts, " ")
}
