package traffic

import (
	"errors"
	"math"
	"time"

	"github.com/prometheus/prometheus/model/labels"
)

// bucketsMs are the upper bounds of Envoy's latency histogram, which OSM
// exports as osm_request_duration_ms; the last is +Inf.
var bucketsMs = [...]float64{
	0.5, 1, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000,
	60000, 300000, 600000, 1800000, 3600000, math.Inf(1),
}

const bucketCount = len(bucketsMs)

// leValues are the bounds as Prometheus 3 stores le: normalised to
// OpenMetrics floats ("1.0", not "1").
var leValues = func() (le [bucketCount]string) {
	for i, b := range bucketsMs {
		le[i] = labels.FormatOpenMetricsFloat(b)
	}
	return le
}()

// z99 is the standard normal quantile at 0.99.
const z99 = 2.3263478740408408

// Distribution is the latency of a source's requests: a fixed Delay plus a
// log-normal part given by its median and 99th percentile. The zero value
// answers instantly; Fixed(d) always takes d.
type Distribution struct {
	// Delay is added to every request, e.g. 1s for podinfo's /delay/1.
	Delay time.Duration
	// P50 and P99 are the log-normal part's median and 99th percentile.
	// P50 zero means there is no random part; P99 equal to P50 means a
	// constant P50.
	P50, P99 time.Duration
}

// LogNormal is a log-normal latency with the given median and P99.
func LogNormal(p50, p99 time.Duration) Distribution {
	return Distribution{P50: p50, P99: p99}
}

// Fixed is a latency of exactly d.
func Fixed(d time.Duration) Distribution { return Distribution{Delay: d} }

// Plus returns d delayed by a further fixed delay.
func (d Distribution) Plus(delay time.Duration) Distribution {
	d.Delay += delay
	return d
}

func (d Distribution) validate() error {
	switch {
	case d.Delay < 0 || d.P50 < 0:
		return errors.New("latency must not be negative")
	case d.P50 == 0 && d.P99 != 0:
		return errors.New("latency p99 without p50")
	case d.P99 < d.P50 && d.P99 != 0:
		return errors.New("latency p99 below p50")
	}
	return nil
}

// params returns the log-normal part's parameters in milliseconds: mu, sigma
// and whether there is a random part at all.
func (d Distribution) params() (mu, sigma float64, random bool) {
	if d.P50 <= 0 {
		return 0, 0, false
	}
	p50 := ms(d.P50)
	p99 := max(ms(d.P99), p50)
	return math.Log(p50), math.Log(p99/p50) / z99, true
}

func ms(d time.Duration) float64 { return float64(d) / float64(time.Millisecond) }

// buckets returns the probability of each histogram bucket (of a latency
// falling in (previous bound, bound]) and the mean latency within it, in ms.
func (d Distribution) buckets() (probs, means [bucketCount]float64) {
	mu, sigma, random := d.params()
	delay := ms(d.Delay)
	if !random || sigma == 0 {
		v := delay
		if random {
			v += math.Exp(mu)
		}
		i := 0
		for v > bucketsMs[i] {
			i++
		}
		probs[i], means[i] = 1, v
		return probs, means
	}
	lo, loPartial, lower := 0.0, 0.0, 0.0
	for i, b := range bucketsMs {
		hi, hiPartial := logNormalCDF(b-delay, mu, sigma), logNormalPartialMean(b-delay, mu, sigma)
		probs[i] = max(0, hi-lo)
		if probs[i] > 0 {
			// Far in the tail the difference loses precision: keep the
			// mean inside the bucket.
			means[i] = min(max(delay+(hiPartial-loPartial)/probs[i], lower), b)
		}
		lo, loPartial, lower = hi, hiPartial, b
	}
	return probs, means
}

// logNormalCDF is P(Y ≤ y) for Y = exp(N(mu, sigma²)).
func logNormalCDF(y, mu, sigma float64) float64 {
	if y <= 0 {
		return 0
	}
	return normalCDF((math.Log(y) - mu) / sigma)
}

// logNormalPartialMean is E[Y; Y ≤ y], the mean restricted to Y ≤ y.
func logNormalPartialMean(y, mu, sigma float64) float64 {
	if y <= 0 {
		return 0
	}
	return math.Exp(mu+sigma*sigma/2) * normalCDF((math.Log(y)-mu-sigma*sigma)/sigma)
}

func normalCDF(z float64) float64 { return 0.5 * math.Erfc(-z/math.Sqrt2) }
