package whatif

import (
	"errors"
	"fmt"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// Arithmetic is what a spec promises for a healthy canary that passes every
// check, computed tick by tick as the engine moves:
//
//	tick 0              the new revision is detected and the canary scaled up
//	+R ticks            the canary is ready: analysis starts at the first weight
//	+(N-1) ticks        one advance per tick up to the last weight
//	+1 tick             the target's spec is copied to the primary
//	+R ticks            the primary is ready: all traffic is routed to it
//	+1 tick             the promotion is completed
//
// with N the number of weights and R = max(1, ⌈readyAfter / interval⌉).
// Flagger documents only the analysis part, interval × N.
type Arithmetic struct {
	Interval time.Duration `json:"intervalSeconds"`
	// Weights are the canary weights of the analysis, in order.
	Weights []int `json:"weights"`
	// ReadyTicks is R: the ticks a rollout takes to be seen ready.
	ReadyTicks int `json:"readyTicks"`
	// Analysis is Flagger's documented figure, interval × N.
	Analysis time.Duration `json:"analysisSeconds"`
	// Promotion is the whole time from the change to the promotion.
	Promotion time.Duration `json:"promotionSeconds"`
}

// ErrPastDeadline says a healthy canary is rolled back because its rollouts
// outlast the progress deadline at a tick.
var ErrPastDeadline = errors.New("every release is rolled back")

// ArithmeticOf computes the arithmetic of the canary strategy; it fails for
// specs whose timing it does not model (iterations, stepWeightPromotion,
// skipAnalysis), and with ErrPastDeadline for rollouts that a tick finds
// unfinished past the progress deadline.
func ArithmeticOf(cd *v1.Canary, readyAfter time.Duration) (Arithmetic, error) {
	a := cd.GetAnalysis()
	switch {
	case decide.StrategyOf(a) != decide.StrategyCanary:
		return Arithmetic{}, fmt.Errorf("the arithmetic models the canary strategy, not %s", decide.StrategyOf(a))
	case a.StepWeightPromotion > 0:
		return Arithmetic{}, fmt.Errorf("the arithmetic does not model stepWeightPromotion")
	case cd.Spec.SkipAnalysis:
		return Arithmetic{}, fmt.Errorf("the arithmetic does not model skipAnalysis")
	}
	interval := cd.GetAnalysisInterval()
	var weights []int
	for r := (decide.Routes{Primary: v1.TotalWeight}); r.Canary < decide.MaxWeight(a); {
		next := decide.Advance(a, r)
		if next.Canary <= r.Canary {
			return Arithmetic{}, fmt.Errorf("the weights stop at %d, below the max weight %d", r.Canary, decide.MaxWeight(a))
		}
		r = next
		weights = append(weights, r.Canary)
	}
	ready := max(1, int((readyAfter+interval-1)/interval))
	// A tick that finds a rollout unfinished past the progress deadline
	// rolls the canary back: the last waiting tick is ready-1 intervals in.
	if deadline := cd.GetProgressDeadline(); time.Duration(ready-1)*interval > deadline {
		return Arithmetic{}, fmt.Errorf("%w: rollouts take %v, and the tick %v after a change finds them unfinished past the progress deadline %v",
			ErrPastDeadline, readyAfter, time.Duration(ready-1)*interval, deadline)
	}
	n := len(weights)
	ticks := ready + (n - 1) + 1 + ready + 1
	return Arithmetic{Interval: interval, Weights: weights, ReadyTicks: ready,
		Analysis: time.Duration(n) * interval, Promotion: time.Duration(ticks) * interval}, nil
}
