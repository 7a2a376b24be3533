package decide

import v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

// Routes are the traffic weights of the primary and the canary, in percent.
type Routes struct {
	Primary int `json:"primary"`
	Canary  int `json:"canary"`
}

// Strategy is how a canary's traffic moves.
type Strategy string

// The deployment strategies. Fledge rejects A/B testing on OSM at validation;
// the engine still names it so that a spec that slipped through is refused.
const (
	StrategyCanary    Strategy = "canary"
	StrategyBlueGreen Strategy = "blue-green"
	StrategyABTesting Strategy = "ab-testing"
)

// StrategyOf is the analysis' strategy: iterations with a match is A/B
// testing, iterations alone blue/green, anything else the canary strategy.
func StrategyOf(a *v1.CanaryAnalysis) Strategy {
	switch {
	case a.Iterations > 0 && len(a.Match) > 0:
		return StrategyABTesting
	case a.Iterations > 0:
		return StrategyBlueGreen
	default:
		return StrategyCanary
	}
}

// MaxWeight is the weight at which the canary strategy promotes: the last of
// stepWeights (capped at 100), else maxWeight, else 100.
func MaxWeight(a *v1.CanaryAnalysis) int {
	if n := len(a.StepWeights); n > 0 {
		return min(v1.TotalWeight, a.StepWeights[n-1])
	}
	if a.MaxWeight > 0 {
		return a.MaxWeight
	}
	return v1.DefaultMaxWeight
}

// NextStepWeight is how much weight the next advance adds to a canary at
// weight w. With stepWeight (or without stepWeights) it is stepWeight; with
// stepWeights it is the distance to the next listed weight, or what is left
// to 100 when w is not one of them. It is positive until the canary is at
// 100, and then 1, as in Flagger.
func NextStepWeight(a *v1.CanaryAnalysis, w int) int {
	if a.StepWeight > 0 || len(a.StepWeights) == 0 {
		return a.StepWeight
	}
	left := v1.TotalWeight - w
	if left == 0 {
		return 1
	}
	if w == 0 {
		return min(left, a.StepWeights[0])
	}
	for i, sw := range a.StepWeights[:len(a.StepWeights)-1] {
		if w == sw {
			return min(left, a.StepWeights[i+1]-w)
		}
	}
	return left
}

// Advance is the canary strategy's next routes from r. The step is not
// clamped to maxWeight (stepWeight 20 with maxWeight 30 goes 20, 40), only
// to 0..100, as in Flagger.
func Advance(a *v1.CanaryAnalysis, r Routes) Routes {
	step := NextStepWeight(a, r.Canary)
	return Routes{
		Primary: max(0, v1.TotalWeight-r.Canary-step),
		Canary:  min(v1.TotalWeight, r.Canary+step),
	}
}

// PromotionStep moves stepWeightPromotion of traffic from the canary back
// to the primary and reports whether the primary now has all of it.
func PromotionStep(a *v1.CanaryAnalysis, r Routes) (next Routes, done bool) {
	step := a.StepWeightPromotion
	next = Routes{
		Primary: min(v1.TotalWeight, r.Primary+step),
		Canary:  max(0, r.Canary-step),
	}
	return next, next.Primary == v1.TotalWeight
}
