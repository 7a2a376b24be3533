package traffic

import (
	"math"
	"math/rand/v2"
)

// poisson draws a Poisson variate of the given mean: by multiplying
// uniforms below 10, else by Hörmann's transformed rejection (PTRS, 1993).
func poisson(r *rand.Rand, mean float64) uint64 {
	switch {
	case !(mean > 0):
		return 0
	case mean < 10:
		limit := math.Exp(-mean)
		var k uint64
		for p := r.Float64(); p > limit; p *= r.Float64() {
			k++
		}
		return k
	}
	return poissonPTRS(r, mean)
}

func poissonPTRS(r *rand.Rand, mean float64) uint64 {
	logMean := math.Log(mean)
	b := 0.931 + 2.53*math.Sqrt(mean)
	a := -0.059 + 0.02483*b
	invAlpha := 1.1239 + 1.1328/(b-3.4)
	vr := 0.9277 - 3.6224/(b-2)
	for {
		u := r.Float64() - 0.5
		v := 1 - r.Float64() // (0, 1]
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + mean + 0.43)
		if us >= 0.07 && v <= vr {
			return uint64(k)
		}
		if k < 0 || (us < 0.013 && v > us) {
			continue
		}
		lg, _ := math.Lgamma(k + 1)
		if math.Log(v*invAlpha/(a/(us*us)+b)) <= -mean+k*logMean-lg {
			return uint64(k)
		}
	}
}

// binomial draws the number of successes in n trials of probability p: by
// inversion (geometric waiting times) when n·p is small, else by Hörmann's
// transformed rejection with squeeze (BTRS, 1993).
func binomial(r *rand.Rand, n uint64, p float64) uint64 {
	switch {
	case n == 0 || !(p > 0):
		return 0
	case p >= 1:
		return n
	case p > 0.5:
		return n - binomial(r, n, 1-p)
	case float64(n)*p < 10:
		return binomialInversion(r, n, p)
	}
	return binomialBTRS(r, n, p)
}

func binomialInversion(r *rand.Rand, n uint64, p float64) uint64 {
	logQ := math.Log1p(-p)
	var k, sum uint64
	for {
		sum += uint64(math.Ceil(math.Log(1-r.Float64()) / logQ))
		if sum > n {
			return k
		}
		k++
	}
}

func binomialBTRS(r *rand.Rand, n uint64, p float64) uint64 {
	nf := float64(n)
	stddev := math.Sqrt(nf * p * (1 - p))
	b := 1.15 + 2.53*stddev
	a := -0.0873 + 0.0248*b + 0.01*p
	c := nf*p + 0.5
	vr := 0.92 - 4.2/b
	odds := p / (1 - p)
	alpha := (2.83 + 5.1/b) * stddev
	m := math.Floor((nf + 1) * p)
	for {
		u := r.Float64() - 0.5
		v := 1 - r.Float64() // (0, 1]
		us := 0.5 - math.Abs(u)
		k := math.Floor((2*a/us+b)*u + c)
		if us >= 0.07 && v <= vr {
			return uint64(k)
		}
		if k < 0 || k > nf {
			continue
		}
		bound := (m+0.5)*math.Log((m+1)/(odds*(nf-m+1))) +
			(nf+1)*math.Log((nf-m+1)/(nf-k+1)) +
			(k+0.5)*math.Log(odds*(nf-k+1)/(k+1)) +
			stirlingTail(m) + stirlingTail(nf-m) - stirlingTail(k) - stirlingTail(nf-k)
		if math.Log(v*alpha/(a/(us*us)+b)) <= bound {
			return uint64(k)
		}
	}
}

// stirlingTail is log(k!) minus its Stirling approximation.
func stirlingTail(k float64) float64 {
	if k <= 9 {
		return stirlingTails[int(k)]
	}
	kp1sq := (k + 1) * (k + 1)
	return (1.0/12 - (1.0/360-1.0/1260/kp1sq)/kp1sq) / (k + 1)
}

var stirlingTails = [10]float64{
	0.0810614667953272, 0.0413406959554092, 0.0276779256849983,
	0.02079067210376509, 0.0166446911898211, 0.0138761288230707,
	0.0118967099458917, 0.0104112652619720, 0.00925546218271273,
	0.00833056343336287,
}

// multinomial adds to out a draw of n trials over categories whose
// probabilities are given as conditional ones: cond[i] is the probability
// of category i given that the trial is not in an earlier category (so the
// last is 1). Each category is one binomial draw.
func multinomial(r *rand.Rand, n uint64, cond []float64, out []uint64) {
	for i, p := range cond {
		if n == 0 {
			return
		}
		k := binomial(r, n, p)
		out[i] += k
		n -= k
	}
}

// conditional turns category probabilities into the conditional ones
// multinomial wants, summing the tail from the end to avoid cancellation.
func conditional(probs []float64) []float64 {
	cond := make([]float64, len(probs))
	tail := 0.0
	for i := len(probs) - 1; i >= 0; i-- {
		tail += probs[i]
		if tail > 0 {
			cond[i] = min(1, probs[i]/tail)
		}
	}
	if len(cond) > 0 {
		cond[len(cond)-1] = 1
	}
	return cond
}
