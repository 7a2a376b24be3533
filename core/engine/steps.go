package engine

import (
	"context"
	"fmt"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

func (t *tick) suspended(context.Context) bool {
	if !t.cd.Spec.Suspend {
		return false
	}
	t.normal("skipping canary run as object is suspended")
	return t.end(ReasonSuspended, "suspended")
}

func (t *tick) observe(ctx context.Context) bool {
	target, err := t.e.Workload.Observe(ctx, t.cd)
	if err != nil {
		return t.failed(ReasonTargetNotObserved, "target not observed", err)
	}
	t.target = target
	return false
}

// bootstrap creates what the canary needs: the primary Deployment (waiting
// for it on initialisation), its HPA, the Services and the TrafficSplit,
// and scales the target to zero on initialisation.
func (t *tick) bootstrap(ctx context.Context) bool {
	initializing := decide.Initializing(t.st.Phase)
	analysed := !t.cd.Spec.SkipAnalysis
	if initializing && analysed {
		t.checkProviders(ctx)
	}
	if err := t.e.Workload.EnsurePrimary(ctx, t.cd); err != nil {
		return t.failed(ReasonPrimaryNotCreated, "primary not created", err)
	}
	if initializing && analysed {
		if done := t.requireReady(ctx, RolePrimary); done {
			return true
		}
	}
	if t.cd.Spec.AutoscalerRef != nil {
		if err := t.e.Workload.EnsurePrimaryScaler(ctx, t.cd, initializing); err != nil {
			return t.failed(ReasonScalerNotReconciled, "primary autoscaler not reconciled", err)
		}
	}
	if err := t.e.Router.Reconcile(ctx, t.cd, t.target); err != nil {
		return t.failed(ReasonRoutingNotReconciled, "routing not reconciled", err)
	}
	if initializing {
		if err := t.e.Workload.ScaleToZero(ctx, t.cd); err != nil {
			t.warning("scaling down canary %s %s.%s failed: %v", t.cd.Spec.TargetRef.Kind, t.targetName(), t.ns(), err)
			return t.end(ReasonTargetNotScaledDown, "target not scaled to zero")
		}
	}
	return false
}

func (t *tick) initialize(context.Context) bool {
	if !decide.Initializing(t.st.Phase) {
		return false
	}
	t.syncStatus(v1.PhaseInitialized, 0)
	t.normal("Initialization done! %s.%s", t.canaryName(), t.ns())
	t.alert(v1.SeverityInfo, true, "New %s detected, initialization completed.", t.cd.Spec.TargetRef.Kind)
	t.rec.Reason, t.rec.Decision = ReasonInitialized, "initialized"
	return false
}

// shouldAdvance ends the tick of a canary that is not in an analysis and
// whose target did not change.
func (t *tick) shouldAdvance(context.Context) bool {
	if decide.InFlight(t.st.Phase) || t.revisionChanged() {
		return false
	}
	if t.rec.Reason == "" {
		t.rec.Reason, t.rec.Decision = ReasonIdle, "idle"
	}
	return true
}

func (t *tick) revisionChanged() bool {
	return decide.TargetChanged(t.st, t.target.TemplateHash) || decide.ConfigsChanged(t.st.TrackedConfigs, t.target.Configs)
}

func (t *tick) primaryReady(ctx context.Context) bool {
	if t.cd.Spec.SkipAnalysis {
		return false
	}
	return t.requireReady(ctx, RolePrimary)
}

// requireReady ends the tick while a Deployment is rolling out, and rolls
// back (or fails the promotion) when it is stuck.
func (t *tick) requireReady(ctx context.Context, role Role) bool {
	r := t.readiness(ctx, role)
	if r.Ready {
		return false
	}
	msg := t.notReadyMessage(role, r.Reason)
	t.warning("%s", msg)
	if r.Retriable {
		return t.end(notReadyReason(role), fmt.Sprintf("waiting for %s rollout", role))
	}
	switch {
	case role == RolePrimary && (t.st.Phase == v1.PhasePromoting || t.st.Phase == v1.PhaseFinalising):
		t.failPromotion(ctx, msg)
	case role == RoleCanary && decide.Analysing(t.st.Phase):
		t.warning("Rolling back %s.%s progress deadline exceeded %v", t.canaryName(), t.ns(), msg)
		t.alert(v1.SeverityError, false, "Progress deadline exceeded %v", msg)
		t.rollback(ctx)
	default:
		t.rollback(ctx)
	}
	return t.end(stuckReason(role), fmt.Sprintf("%s stuck past its progress deadline", role))
}

func (t *tick) readiness(ctx context.Context, role Role) decide.Readiness {
	d, err := t.e.Workload.Status(ctx, t.cd, role)
	if err != nil {
		return decide.Readiness{Retriable: true, Reason: err.Error()}
	}
	if role == RoleCanary {
		t.targetReplicas = d.Replicas
	}
	threshold := t.cd.GetPrimaryReadyThreshold()
	if role == RoleCanary {
		threshold = t.cd.GetCanaryReadyThreshold()
	}
	return decide.DeploymentReadiness(d, t.cd.GetProgressDeadline(), threshold, t.now)
}

func (t *tick) notReadyMessage(role Role, reason string) string {
	if role == RolePrimary {
		return fmt.Sprintf("%s.%s not ready: %s", t.cd.GetPrimaryName(), t.ns(), reason)
	}
	return fmt.Sprintf("canary deployment %s.%s not ready: %s", t.targetName(), t.ns(), reason)
}

func (t *tick) readRoutes(ctx context.Context) bool {
	r, err := t.e.Router.Routes(ctx, t.cd)
	if err != nil {
		return t.failed(ReasonRoutesNotRead, "routes not read", err)
	}
	t.routes = r
	t.rec.Routes = &r
	return false
}

// startRevision starts the analysis of a new revision once the
// confirm-rollout hooks agree. The tick ends here either way.
func (t *tick) startRevision(ctx context.Context) bool {
	switch t.st.Phase {
	case v1.PhaseProgressing, v1.PhaseWaitingPromotion, v1.PhasePromoting, v1.PhaseFinalising:
		return false
	}
	if hook, ok := t.runGate(ctx, v1.ConfirmRolloutHook, t.st.Phase, "Confirm-rollout check %s passed"); !ok {
		if t.st.Phase != v1.PhaseWaiting {
			t.setPhase(v1.PhaseWaiting)
			t.warning("Halt %s.%s advancement waiting for approval %s", t.canaryName(), t.ns(), hook.Name)
			t.gateAlert(hook, "Canary is waiting for approval.")
		}
		return t.end(ReasonWaitingRollout, "waiting for rollout approval")
	}
	t.event(Normal, LevelInfo, v1.PhaseProgressing, "New revision detected! Scaling up %s.%s", t.targetName(), t.ns())
	t.alert(v1.SeverityInfo, true, "New revision detected, progressing canary analysis.")
	if err := t.e.Workload.ScaleFromZero(ctx, t.cd); err != nil {
		t.errorf("%v", err)
		return t.end(ReasonTargetNotScaledUp, "canary not scaled up")
	}
	t.syncStatus(v1.PhaseProgressing, 0)
	return t.end(ReasonAnalysisStarted, "new revision: analysis started")
}

func (t *tick) restartRevision(ctx context.Context) bool {
	if !decide.Analysing(t.st.Phase) || !t.revisionChanged() {
		return false
	}
	t.normal("New revision detected! Restarting analysis for %s.%s", t.targetName(), t.ns())
	if err := t.setRoutes(ctx, decide.Routes{Primary: v1.TotalWeight}); err != nil {
		return t.failed(ReasonRoutesNotSet, "routes not reset", err)
	}
	t.syncStatus(v1.PhaseProgressing, 0)
	return t.end(ReasonAnalysisRestarted, "new revision: analysis restarted")
}

func (t *tick) canaryReady(ctx context.Context) bool {
	if t.requireReady(ctx, RoleCanary) {
		return true
	}
	// A target at zero replicas in an analysis is a rollback that scaled it
	// down and did not get to write the status (a crash, a failed write):
	// finish it rather than send traffic to no pod.
	if decide.Analysing(t.st.Phase) && t.targetReplicas != nil && *t.targetReplicas == 0 {
		t.rollback(ctx)
		return t.end(ReasonRollbackFinished, "target at zero replicas during the analysis: rollback finished")
	}
	return false
}

func notReadyReason(role Role) Reason {
	if role == RolePrimary {
		return ReasonPrimaryNotReady
	}
	return ReasonCanaryNotReady
}

func stuckReason(role Role) Reason {
	if role == RolePrimary {
		return ReasonPrimaryStuck
	}
	return ReasonCanaryStuck
}
