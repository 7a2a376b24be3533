package traffic

import (
	"math"
	"math/rand/v2"
	"testing"
)

// moments draws count variates and returns their mean and variance.
func moments(count int, draw func() uint64) (mean, variance float64) {
	var sum, sumSq float64
	for range count {
		x := float64(draw())
		sum += x
		sumSq += x * x
	}
	mean = sum / float64(count)
	return mean, sumSq/float64(count) - mean*mean
}

// checkMoments fails when the sample mean is more than 5 standard errors
// from want, or the variance more than 10% from wantVar.
func checkMoments(t *testing.T, count int, mean, variance, wantMean, wantVar float64) {
	t.Helper()
	if se := math.Sqrt(wantVar / float64(count)); math.Abs(mean-wantMean) > 5*se+1e-9 {
		t.Errorf("mean = %v, want %v ± %v", mean, wantMean, 5*se)
	}
	if math.Abs(variance-wantVar) > 0.1*wantVar+1e-9 {
		t.Errorf("variance = %v, want %v ± 10%%", variance, wantVar)
	}
}

func TestPoisson(t *testing.T) {
	for _, mean := range []float64{0, 0.3, 3, 9.9, 10, 50, 5000, 1e6} {
		r := rand.New(rand.NewPCG(1, 2))
		const count = 20000
		m, v := moments(count, func() uint64 { return poisson(r, mean) })
		checkMoments(t, count, m, v, mean, mean)
	}
}

func TestBinomial(t *testing.T) {
	tests := []struct {
		n uint64
		p float64
	}{
		{0, 0.5}, {10, 0}, {10, 1}, {20, 0.1}, {20, 0.5}, {100, 0.05},
		{1000, 0.3}, {1000, 0.9}, {1_000_000, 0.01}, {1_000_000, 0.5},
	}
	for _, tc := range tests {
		r := rand.New(rand.NewPCG(3, 4))
		const count = 20000
		m, v := moments(count, func() uint64 {
			k := binomial(r, tc.n, tc.p)
			if k > tc.n {
				t.Fatalf("binomial(%d, %v) = %d", tc.n, tc.p, k)
			}
			return k
		})
		n := float64(tc.n)
		checkMoments(t, count, m, v, n*tc.p, n*tc.p*(1-tc.p))
	}
}

func TestMultinomial(t *testing.T) {
	probs := []float64{0.5, 0, 0.3, 0.2}
	cond := conditional(probs)
	r := rand.New(rand.NewPCG(5, 6))
	out := make([]uint64, len(probs))
	const n = 1_000_000
	multinomial(r, n, cond, out)
	var total uint64
	for i, k := range out {
		total += k
		if got := float64(k) / n; math.Abs(got-probs[i]) > 0.005 {
			t.Errorf("category %d share = %v, want %v", i, got, probs[i])
		}
	}
	if total != n {
		t.Errorf("total = %d, want %d", total, n)
	}
}

func TestDistributionBuckets(t *testing.T) {
	tests := []struct {
		name     string
		d        Distribution
		quantile float64 // P(latency ≤ atMs)
		atMs     float64
	}{
		{name: "instant", d: Distribution{}, quantile: 1, atMs: 0.5},
		{name: "fixed on a bound", d: Fixed(1000 * 1e6), quantile: 1, atMs: 1000},
		{name: "fixed above a bound", d: Fixed(1001 * 1e6), quantile: 0, atMs: 1000},
		{name: "log-normal p99 on a bound", d: LogNormal(100e6, 500e6), quantile: 0.99, atMs: 500},
		{name: "log-normal p50 on a bound", d: LogNormal(50e6, 200e6), quantile: 0.5, atMs: 50},
		{name: "delayed log-normal", d: LogNormal(5e6, 20e6).Plus(1e9), quantile: 0, atMs: 1000},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			probs, means := tc.d.buckets()
			var total, below float64
			for i, p := range probs {
				total += p
				if bucketsMs[i] <= tc.atMs {
					below += p
				}
				if p > 0 && (means[i] > bucketsMs[i] || (i > 0 && means[i] < bucketsMs[i-1])) {
					t.Errorf("mean %v of bucket %d outside it", means[i], i)
				}
			}
			if math.Abs(total-1) > 1e-9 || math.Abs(below-tc.quantile) > 1e-6 {
				t.Errorf("total %v, P(≤%v) = %v; want 1, %v", total, tc.atMs, below, tc.quantile)
			}
		})
	}
}
