package whatif

import (
	"math"
	"slices"
)

// Spread summarises a sample: its least, median, 90th percentile and
// maximum (nearest-rank percentiles: always values that occurred).
type Spread struct {
	N    int     `json:"n"`
	Mean float64 `json:"mean"`
	Min  float64 `json:"min"`
	P50  float64 `json:"p50"`
	P90  float64 `json:"p90"`
	Max  float64 `json:"max"`
}

// spreadOf summarises xs; the zero Spread when xs is empty.
func spreadOf(xs []float64) Spread {
	if len(xs) == 0 {
		return Spread{}
	}
	s := slices.Clone(xs)
	slices.Sort(s)
	sum := 0.0
	for _, x := range s {
		sum += x
	}
	return Spread{N: len(s), Mean: sum / float64(len(s)), Min: s[0], P50: nearestRank(s, 0.5), P90: nearestRank(s, 0.9), Max: s[len(s)-1]}
}

// nearestRank is the smallest value with at least q of the sorted sample
// at or below it.
func nearestRank(sorted []float64, q float64) float64 {
	i := int(math.Ceil(q*float64(len(sorted)))) - 1
	return sorted[min(max(i, 0), len(sorted)-1)]
}

// Rate is a proportion of runs with its 95% Wilson score interval.
type Rate struct {
	Count int     `json:"count"`
	Of    int     `json:"of"`
	P     float64 `json:"p"`
	Low   float64 `json:"low"`
	High  float64 `json:"high"`
}

// z95 is the standard normal quantile at 0.975.
const z95 = 1.959963984540054

// rateOf is k out of n with its Wilson interval, which stays inside [0, 1]
// and is not degenerate at k = 0 or k = n, where false-rollback rates live.
func rateOf(k, n int) Rate {
	if n == 0 {
		return Rate{}
	}
	p := float64(k) / float64(n)
	nf := float64(n)
	den := 1 + z95*z95/nf
	mid := (p + z95*z95/(2*nf)) / den
	half := z95 * math.Sqrt(p*(1-p)/nf+z95*z95/(4*nf*nf)) / den
	return Rate{Count: k, Of: n, P: p, Low: max(0, mid-half), High: min(1, mid+half)}
}
