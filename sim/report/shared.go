package report

import "time"

// Helpers shared with Fledge's other HTML reports (package whatifreport),
// so that their axes and numbers read like this report's.

// NiceDomain widens [lo, hi] to multiples of a round step (1, 2 or 5 times
// a power of ten, about five of them) and returns the ticks' values and
// labels.
func NiceDomain(lo, hi float64) (dlo, dhi float64, ticks []float64, labels []string) {
	return niceDomain(lo, hi)
}

// TimeStep is a round step of a time axis that gives at most ten ticks.
func TimeStep(span time.Duration) time.Duration { return timeStep(span) }

// Clock formats a duration as m:ss.
func Clock(d time.Duration) string { return clock(d) }

// Value formats a number with at most two decimals: 69.39682 is "69.4".
func Value(v float64) string { return value(v) }

// Px formats a pixel coordinate.
func Px(v float64) string { return px(v) }

// Polyline joins points into the points attribute of a <polyline>.
func Polyline(pts [][2]float64) string { return polyline(pts) }
