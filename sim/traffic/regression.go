package traffic

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"time"
)

// Regression is how the canary's version serves worse than the primary's:
// every request the canary Deployment serves, from any source, is answered
// with one of the regression's codes at its share instead of the source's
// own code, and takes Delay longer. The zero value is a canary that serves
// exactly like the primary.
type Regression struct {
	// Codes maps a status code to the share of the canary's answers that
	// become that code, e.g. {500: 0.02} is 2% more HTTP 500s. The shares
	// sum to at most 1.
	Codes map[int]float64
	// Delay is added to every request the canary serves; it moves every
	// percentile, P99 included, by exactly Delay.
	Delay time.Duration
}

// IsZero reports whether the regression changes nothing.
func (r Regression) IsZero() bool {
	for _, share := range r.Codes {
		if share != 0 {
			return false
		}
	}
	return r.Delay == 0
}

func (r Regression) validate() error {
	total := 0.0
	for code, share := range r.Codes {
		if code < 100 || code > 599 {
			return fmt.Errorf("regression: status code %d out of range", code)
		}
		if !(share >= 0 && share <= 1) {
			return fmt.Errorf("regression: share %v of code %d is not between 0 and 1", share, code)
		}
		total += share
	}
	if total > 1+1e-9 {
		return fmt.Errorf("regression: code shares sum to %v, more than 1", total)
	}
	if r.Delay < 0 {
		return fmt.Errorf("regression: negative delay %v", r.Delay)
	}
	return nil
}

// apply returns the codes and latency of a source's requests once the
// regression has changed them.
func (r Regression) apply(codes map[int]float64, latency Distribution) (map[int]float64, Distribution) {
	total, extra := sumShares(codes), sumShares(r.Codes)
	out := make(map[int]float64, len(codes)+len(r.Codes))
	for code, share := range codes {
		out[code] = share / total * (1 - extra)
	}
	for code, share := range r.Codes {
		out[code] += share
	}
	maps.DeleteFunc(out, func(_ int, share float64) bool { return share == 0 || math.IsNaN(share) })
	if len(out) == 0 {
		out[200] = 1
	}
	return out, latency.Plus(r.Delay)
}

// sumShares adds the shares in the order of their codes: a float sum over
// a map's order would differ from run to run with three codes or more.
func sumShares(codes map[int]float64) float64 {
	total := 0.0
	for _, code := range slices.Sorted(maps.Keys(codes)) {
		total += codes[code]
	}
	return total
}
