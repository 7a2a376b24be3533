package engine

import (
	"context"
	"fmt"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// advance moves traffic one step according to the strategy, or promotes.
func (t *tick) advance(ctx context.Context) bool {
	switch decide.StrategyOf(t.a) {
	case decide.StrategyBlueGreen:
		return t.blueGreen(ctx)
	case decide.StrategyABTesting:
		provider := t.cd.GetProvider(t.e.Config.MeshProvider)
		if v1.ProviderRoutesByMatch(provider) {
			return t.abTesting(ctx)
		}
		t.warning("A/B testing needs header routing, which %s cannot do: remove analysis.match", v1.ProviderRouterName(provider))
		return t.end(ReasonABTestingRefused, "A/B testing refused")
	}
	if decide.NextStepWeight(t.a, t.routes.Canary) <= 0 {
		return t.end(ReasonNoWeightStep, "no weight step configured")
	}
	if t.st.Phase == v1.PhaseProgressing {
		if hook, ok := t.runGate(ctx, v1.ConfirmTrafficIncreaseHook, v1.PhaseProgressing, "Confirm-traffic-increase check %s passed"); !ok {
			t.warning("Halt %s.%s advancement waiting for traffic increase approval %s", t.canaryName(), t.ns(), hook.Name)
			t.gateAlert(hook, "Canary traffic increase is waiting for approval.")
			return t.end(ReasonWaitingTraffic, "waiting for traffic increase approval")
		}
	}
	if t.routes.Canary < decide.MaxWeight(t.a) {
		return t.stepCanary(ctx)
	}
	return t.promote(ctx)
}

func (t *tick) stepCanary(ctx context.Context) bool {
	next := decide.Advance(t.a, t.routes)
	if err := t.setRoutes(ctx, next); err != nil {
		return t.failed(ReasonRoutesNotSet, "routes not set", err)
	}
	t.st.CanaryWeight = next.Canary
	t.normal("Advance %s.%s canary weight %v", t.canaryName(), t.ns(), next.Canary)
	return t.end(ReasonAdvanced, fmt.Sprintf("advanced to weight %d", next.Canary))
}

// promote copies the canary to the primary once confirm-promotion agrees.
func (t *tick) promote(ctx context.Context) bool {
	if !t.confirmPromotion(ctx) {
		return t.end(ReasonWaitingPromotion, "waiting for promotion approval")
	}
	return t.copyToPrimary(ctx)
}

// confirmPromotion runs the confirm-promotion hooks. The first refusal
// moves the canary to WaitingPromotion; later ones only reset iterations.
func (t *tick) confirmPromotion(ctx context.Context) bool {
	hook, ok := t.runGate(ctx, v1.ConfirmPromotionHook, v1.PhaseProgressing, "Confirm-promotion check %s passed")
	if ok {
		return true
	}
	if t.st.Phase != v1.PhaseWaitingPromotion {
		t.setPhase(v1.PhaseWaitingPromotion)
		t.warning("Halt %s.%s advancement waiting for promotion approval %s", t.canaryName(), t.ns(), hook.Name)
		t.gateAlert(hook, "Canary promotion is waiting for approval.")
	} else {
		t.st.Iterations = t.a.Iterations - 1
	}
	return false
}

// abTesting routes the requests analysis.match selects to the canary for
// the iterations (the router keeps the others on the primary), then
// promotes once confirm-promotion agrees. Unlike blue/green there is no
// tick that routes all traffic to the canary.
func (t *tick) abTesting(ctx context.Context) bool {
	if t.a.Iterations > t.st.Iterations {
		if err := t.setRoutes(ctx, decide.Routes{Canary: v1.TotalWeight}); err != nil {
			return t.failed(ReasonRoutesNotSet, "routes not set", err)
		}
		t.st.Iterations++
		t.normal("Advance %s.%s canary iteration %v/%v", t.canaryName(), t.ns(), t.st.Iterations, t.a.Iterations)
		return t.end(ReasonIteration, fmt.Sprintf("iteration %d", t.st.Iterations))
	}
	if !t.confirmPromotion(ctx) {
		return t.end(ReasonWaitingPromotion, "waiting for promotion approval")
	}
	return t.copyToPrimary(ctx)
}

// copyToPrimary promotes: it copies the analysed target to the primary and
// moves the canary to Promoting.
func (t *tick) copyToPrimary(ctx context.Context) bool {
	t.normal("Copying %s.%s template spec to %s.%s", t.targetName(), t.ns(), t.cd.GetPrimaryName(), t.ns())
	if err := t.e.Workload.Promote(ctx, t.cd, t.target); err != nil {
		return t.failed(ReasonPromotionFailed, "promotion failed", err)
	}
	t.setPhase(v1.PhasePromoting)
	return t.end(ReasonPromoting, "promoting")
}

// blueGreen counts iterations with no canary traffic but the loadtester's,
// then routes all traffic to the canary for one more analysed tick, then
// promotes.
func (t *tick) blueGreen(ctx context.Context) bool {
	if t.a.Iterations > t.st.Iterations {
		t.st.Iterations++
		t.normal("Advance %s.%s canary iteration %v/%v", t.canaryName(), t.ns(), t.st.Iterations, t.a.Iterations)
		return t.end(ReasonIteration, fmt.Sprintf("iteration %d", t.st.Iterations))
	}
	if !t.confirmPromotion(ctx) {
		return t.end(ReasonWaitingPromotion, "waiting for promotion approval")
	}
	if t.a.Iterations == t.st.Iterations {
		t.normal("Routing all traffic to canary")
		if err := t.setRoutes(ctx, decide.Routes{Canary: v1.TotalWeight}); err != nil {
			return t.failed(ReasonRoutesNotSet, "routes not set", err)
		}
		t.st.Iterations++
		return t.end(ReasonAllTrafficToCanary, "all traffic to canary")
	}
	return t.copyToPrimary(ctx)
}
