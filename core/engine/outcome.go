package engine

import (
	"context"
	"fmt"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// skipAnalysis promotes a new revision straight away when spec.skipAnalysis
// is set: all traffic to the primary, copy, scale the target down.
func (t *tick) skipAnalysis(ctx context.Context) bool {
	if !t.cd.Spec.SkipAnalysis {
		return false
	}
	if err := t.setRoutes(ctx, decide.Routes{Primary: v1.TotalWeight}); err != nil {
		return t.failed(ReasonRoutesNotSet, "routes not reset", err)
	}
	t.normal("Copying %s.%s template spec to %s.%s", t.targetName(), t.ns(), t.cd.GetPrimaryName(), t.ns())
	if err := t.e.Workload.Promote(ctx, t.cd, t.target); err != nil {
		return t.failed(ReasonPromotionFailed, "promotion failed", err)
	}
	if t.cd.Spec.AutoscalerRef != nil {
		if err := t.e.Workload.EnsurePrimaryScaler(ctx, t.cd, false); err != nil {
			return t.failed(ReasonScalerNotReconciled, "primary autoscaler not reconciled", err)
		}
	}
	if err := t.e.Workload.ScaleToZero(ctx, t.cd); err != nil {
		return t.failed(ReasonTargetNotScaledDown, "target not scaled to zero", err)
	}
	t.setPhase(v1.PhaseSucceeded)
	t.runPostRollout(ctx, v1.PhaseSucceeded)
	t.event(Normal, LevelInfo, v1.PhaseSucceeded, "Promotion completed! Canary analysis was skipped for %s.%s", t.targetName(), t.ns())
	t.alert(v1.SeverityInfo, false, "Canary analysis was skipped, promotion finished.")
	return t.end(ReasonPromotedUnanalysed, "promoted without analysis")
}

// rollbackHooks rolls back when a rollback hook asks for it.
func (t *tick) rollbackHooks(ctx context.Context) bool {
	switch t.st.Phase {
	case v1.PhaseProgressing, v1.PhaseWaiting, v1.PhaseWaitingPromotion:
	default:
		return false
	}
	for _, hook := range t.hooksOf(v1.RollbackHook) {
		if t.callHook(ctx, hook, t.st.Phase) != nil {
			t.normal("Rollback hook %s not signaling a rollback", hook.Name)
			continue
		}
		t.warning("Rollback check %s passed", hook.Name)
		t.warning("Rolling back %s.%s manual webhook invoked", t.canaryName(), t.ns())
		t.alert(v1.SeverityWarn, false, "Rolling back manual webhook invoked")
		t.rollback(ctx)
		return t.end(ReasonWebhookRollback, "rolled back by webhook "+hook.Name)
	}
	return false
}

// promoting shifts traffic back to the primary once its rollout finished
// (primaryReady passed): at once, or by stepWeightPromotion per tick.
func (t *tick) promoting(ctx context.Context) bool {
	if t.st.Phase != v1.PhasePromoting {
		return false
	}
	if t.cd.Spec.AutoscalerRef != nil {
		if err := t.e.Workload.EnsurePrimaryScaler(ctx, t.cd, false); err != nil {
			return t.failed(ReasonScalerNotReconciled, "primary autoscaler not reconciled", err)
		}
	}
	if t.a.StepWeightPromotion == 0 || t.routes.Canary == 0 {
		t.normal("Routing all traffic to primary")
		if err := t.setRoutes(ctx, decide.Routes{Primary: v1.TotalWeight}); err != nil {
			return t.failed(ReasonRoutesNotSet, "routes not set", err)
		}
		t.setPhase(v1.PhaseFinalising)
		return t.end(ReasonAllTrafficToPrimary, "all traffic to primary")
	}
	next, done := decide.PromotionStep(t.a, t.routes)
	if err := t.setRoutes(ctx, next); err != nil {
		return t.failed(ReasonRoutesNotSet, "routes not set", err)
	}
	t.normal("Advance %s.%s primary weight %v", t.canaryName(), t.ns(), next.Primary)
	if done {
		t.setPhase(v1.PhaseFinalising)
	} else {
		t.st.CanaryWeight = next.Canary
	}
	return t.end(ReasonPrimaryWeightStepped, "primary weight stepped up")
}

// finalising scales the target down once the primary has all traffic.
func (t *tick) finalising(ctx context.Context) bool {
	if t.st.Phase != v1.PhaseFinalising {
		return false
	}
	if err := t.e.Workload.ScaleToZero(ctx, t.cd); err != nil {
		return t.failed(ReasonTargetNotScaledDown, "target not scaled to zero", err)
	}
	t.setPhase(v1.PhaseSucceeded)
	t.runPostRollout(ctx, v1.PhaseSucceeded)
	t.event(Normal, LevelInfo, v1.PhaseSucceeded, "Promotion completed! Scaling down %s.%s", t.targetName(), t.ns())
	t.alert(v1.SeverityInfo, false, "Canary analysis completed successfully, promotion finished.")
	return t.end(ReasonPromoted, "promoted")
}

// thresholdRollback rolls back on the tick after the failed checks reached
// the threshold.
func (t *tick) thresholdRollback(ctx context.Context) bool {
	if !decide.Analysing(t.st.Phase) || !decide.ThresholdReached(t.st.FailedChecks, t.cd.GetThreshold()) {
		return false
	}
	t.rollback(ctx)
	return t.end(ReasonThresholdRollback, "rolled back: failed checks threshold reached")
}

// rollback gives all traffic back to the primary, scales the target down
// and fails the canary. If the routes cannot be set the phase is left as it
// is, so the next tick tries again.
func (t *tick) rollback(ctx context.Context) {
	if decide.ThresholdReached(t.st.FailedChecks, t.cd.GetThreshold()) {
		t.warning("Rolling back %s.%s failed checks threshold reached %v", t.canaryName(), t.ns(), t.st.FailedChecks)
		t.alert(v1.SeverityError, false, "Failed checks threshold reached %v", t.st.FailedChecks)
	}
	if err := t.setRoutes(ctx, decide.Routes{Primary: v1.TotalWeight}); err != nil {
		t.warning("%v", err)
		return
	}
	t.event(Warning, LevelInfo, v1.PhaseFailed, "Canary failed! Scaling down %s.%s", t.canaryName(), t.ns())
	if err := t.e.Workload.ScaleToZero(ctx, t.cd); err != nil {
		t.warning("%v", err)
		return
	}
	t.syncStatus(v1.PhaseFailed, 0)
	t.runPostRollout(ctx, v1.PhaseFailed)
}

// failPromotion handles a primary stuck while promoting: as Flagger 1.44,
// traffic goes to the canary (the last version known to run) and the canary
// fails without being scaled down.
func (t *tick) failPromotion(ctx context.Context, reason string) {
	t.warning("Promotion of %s.%s failed, primary not ready: %v", t.targetName(), t.ns(), reason)
	t.alert(v1.SeverityError, false, "Promotion failed, primary not ready: %v", reason)
	if err := t.setRoutes(ctx, decide.Routes{Canary: v1.TotalWeight}); err != nil {
		t.warning("%v", err)
		return
	}
	t.syncStatus(v1.PhaseFailed, v1.TotalWeight)
	t.runPostRollout(ctx, v1.PhaseFailed)
}

// resumeWeight takes the canary weight from the TrafficSplit when it
// differs from the status: a tick moved the traffic and did not get to
// write the status (a crash, a failed status write). The analysis at that
// weight starts now; advancing again at once would skip it.
func (t *tick) resumeWeight(context.Context) bool {
	if t.st.Phase != v1.PhaseProgressing || decide.StrategyOf(t.a) != decide.StrategyCanary ||
		t.routes.Canary == t.st.CanaryWeight {
		return false
	}
	if t.routes.Canary > t.st.CanaryWeight {
		// The unfinished tick may have died before its event (a write
		// applied whose answer was lost): say it now. When it had got that
		// far, the event is repeated once (Kubernetes folds the two).
		t.normal("Advance %s.%s canary weight %v", t.canaryName(), t.ns(), t.routes.Canary)
	}
	t.st.CanaryWeight = t.routes.Canary
	return t.end(ReasonResumedWeight, fmt.Sprintf("resumed at weight %d set by an unfinished tick", t.routes.Canary))
}

// analyse runs the pre-rollout hooks on the first tick of an analysis and
// the rollout hooks and metric checks on the others. A failure counts one
// failed check and ends the tick.
func (t *tick) analyse(ctx context.Context) bool {
	if t.routes.Canary == 0 && t.st.Iterations == 0 {
		t.normal("Starting canary analysis for %s.%s", t.targetName(), t.ns())
		if !t.runPreRollout(ctx) {
			t.st.FailedChecks++
			return t.end(ReasonPreRolloutFailed, "halted: pre-rollout check failed")
		}
		return false
	}
	if !t.runRolloutHooks(ctx) {
		t.st.FailedChecks++
		return t.end(ReasonRolloutHookFailed, "halted: rollout check failed")
	}
	if vd, ok := t.runChecks(ctx); !ok {
		t.st.FailedChecks++
		return t.end(ReasonMetricCheckFailed, fmt.Sprintf("halted: %s %s", vd.Metric, vd.Outcome))
	}
	return false
}
