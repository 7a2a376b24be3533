package traffic

import (
	"errors"
	"fmt"
	"hash/fnv"
	"maps"
	"math"
	"math/rand/v2"
	"slices"
	"time"
)

// Target is the service a source sends its requests to.
type Target int

const (
	// Apex is the canary's apex service: the TrafficSplit divides its
	// requests between the primary and the canary by their weights.
	Apex Target = iota
	// Canary is the <target>-canary service: every request reaches the
	// target Deployment.
	Canary
	// Primary is the <target>-primary service.
	Primary
)

func (t Target) String() string {
	switch t {
	case Apex:
		return "apex"
	case Canary:
		return "canary"
	case Primary:
		return "primary"
	}
	return fmt.Sprintf("Target(%d)", int(t))
}

// Source is a stream of requests.
type Source struct {
	// Name identifies the source (for Stop) and is its source_name label.
	// Names are unique within a model.
	Name string
	// Target is where the requests go.
	Target Target
	// RPS is the mean request rate; arrivals are Poisson.
	RPS float64
	// Codes maps a status code to its share of the requests. The shares
	// need not sum to 1; nil or empty means {200: 1}.
	Codes map[int]float64
	// Latency is the requests' latency distribution.
	Latency Distribution
	// From and Until bound the source's activity, [From, Until). Zero From
	// means from the model's start; zero Until means forever.
	From, Until time.Time
}

func (s Source) validate() error {
	switch {
	case s.Name == "":
		return errors.New("source without name")
	case s.Target < Apex || s.Target > Primary:
		return fmt.Errorf("unknown target %v", s.Target)
	case !(s.RPS >= 0) || math.IsInf(s.RPS, 0):
		return fmt.Errorf("rps %v is not a finite non-negative number", s.RPS)
	case !s.Until.IsZero() && s.Until.Before(s.From):
		return errors.New("until is before from")
	}
	total := 0.0
	for code, share := range s.Codes {
		if code < 100 || code > 599 {
			return fmt.Errorf("status code %d out of range", code)
		}
		if !(share >= 0) || math.IsInf(share, 0) {
			return fmt.Errorf("share %v of code %d is not a finite non-negative number", share, code)
		}
		total += share
	}
	if len(s.Codes) > 0 && total == 0 {
		return errors.New("status code shares sum to zero")
	}
	return s.Latency.validate()
}

// source is a Source with what its draws need, computed once. The primary
// and the canary answer from their own code and latency tables, which
// differ when the model has a Regression.
type source struct {
	Source
	rng   *rand.Rand
	codes []int // sorted status codes either Deployment answers
	// Per destination (primaryDest, canaryDest): conditional probabilities
	// of the codes and of the latency buckets, and each bucket's mean.
	codeCond   [2][]float64
	bucketCond [2][]float64
	bucketMean [2][bucketCount]float64
	dests      [2]*dest // nil until traffic
}

func newSource(s Source, seed uint64, reg Regression) *source {
	if len(s.Codes) == 0 {
		s.Codes = map[int]float64{200: 1}
	}
	src := &source{Source: s, rng: rand.New(rand.NewPCG(seed, nameHash(s.Name)))}
	canaryCodes, canaryLatency := s.Codes, s.Latency
	if !reg.IsZero() {
		canaryCodes, canaryLatency = reg.apply(s.Codes, s.Latency)
	}
	all := maps.Clone(s.Codes)
	maps.Copy(all, canaryCodes)
	src.codes = slices.Sorted(maps.Keys(all))
	src.codeCond[primaryDest] = src.codeTable(s.Codes)
	src.codeCond[canaryDest] = src.codeTable(canaryCodes)
	for which, lat := range [2]Distribution{primaryDest: s.Latency, canaryDest: canaryLatency} {
		probs, means := lat.buckets()
		src.bucketCond[which] = conditional(probs[:])
		src.bucketMean[which] = means
	}
	return src
}

// codeTable is the conditional probabilities of src.codes under shares.
func (s *source) codeTable(shares map[int]float64) []float64 {
	out := make([]float64, len(s.codes))
	for i, c := range s.codes {
		out[i] = shares[c]
	}
	return conditional(out)
}

func nameHash(name string) uint64 {
	h := fnv.New64a()
	h.Write([]byte(name))
	return h.Sum64()
}

// activeSeconds is how long the source sends within [from, to).
func (s *source) activeSeconds(from, to time.Time) float64 {
	if !s.From.IsZero() && s.From.After(from) {
		from = s.From
	}
	if !s.Until.IsZero() && s.Until.Before(to) {
		to = s.Until
	}
	if !to.After(from) {
		return 0
	}
	return to.Sub(from).Seconds()
}

// split divides n requests between the primary and the canary: apex
// requests binomially by the weights (all to the primary when the canary's
// weight is not positive), direct requests to their Deployment.
func (s *source) split(n uint64, primaryWeight, canaryWeight int) (toPrimary, toCanary uint64) {
	switch s.Target {
	case Canary:
		return 0, n
	case Primary:
		return n, 0
	}
	total := max(primaryWeight, 0) + max(canaryWeight, 0)
	if total == 0 || canaryWeight <= 0 {
		return n, 0
	}
	toCanary = binomial(s.rng, n, float64(canaryWeight)/float64(total))
	return n - toCanary, toCanary
}

// serve draws the codes and latencies of n requests to one destination and
// adds them to its counters.
func (s *source) serve(which int, d *dest, n uint64) {
	multinomial(s.rng, n, s.codeCond[which], d.codes)
	var drawn [bucketCount]uint64
	multinomial(s.rng, n, s.bucketCond[which], drawn[:])
	for i, k := range drawn {
		d.buckets[i] += k
		d.sumMs += float64(k) * s.bucketMean[which][i]
	}
	d.count += n
}
