package engine

import (
	"context"
	"slices"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// RevertChecks is how many readiness checks of the target a finalization
// makes before it gives the traffic back anyway, with a Warning: a
// Canary whose deletion waited forever would hang the deletion of its
// namespace. The checks back off from one second, doubling, each wait at
// most the analysis interval.
const RevertChecks = 5

// ensureFinalizer adds the finalizer to a canary that asks for
// revertOnDeletion. The tick goes on: adding a finalizer does not change
// the generation, so no new reconcile comes for it.
func (t *tick) ensureFinalizer(ctx context.Context) bool {
	if !t.cd.Spec.RevertOnDeletion || slices.Contains(t.cd.Finalizers, v1.Finalizer) {
		return false
	}
	if err := t.e.Finalizers.AddFinalizer(ctx, t.cd); err != nil {
		return t.failed(ReasonFinalizeFailed, "finalizer not added", err)
	}
	return false
}

// Finalize runs the finalizer of a deleted Canary (one whose
// deletionTimestamp is set) at now, instead of a tick. With Fledge's
// finalizer (revertOnDeletion), it gives the traffic back to the target:
// the canary turns Terminating, the target is scaled back to the primary's
// replicas, and once it is ready (or after RevertChecks checks) the apex
// Service selects it and is released, then the finalizer is removed. The
// failed readiness checks are counted in status.failedChecks, so that a
// restarted controller goes on counting. RequeueAfter is zero once the
// finalizer is gone. The error is a port's; the finalization is retried.
func (e *Engine) Finalize(ctx context.Context, cd *v1.Canary, now time.Time) (Result, error) {
	t := newTick(e, cd, now)
	t.st = *cd.Status.DeepCopy()
	t.written = t.st
	t.rec.PhaseBefore = t.st.Phase
	t.requeue = 0
	err := t.finalize(ctx)
	return t.finish(), err
}

func (t *tick) finalize(ctx context.Context) error {
	if !slices.Contains(t.cd.Finalizers, v1.Finalizer) {
		t.end(ReasonNoFinalizer, "deleted without a finalizer")
		return nil
	}
	// Terminating is recorded before the target is touched: a Failed canary
	// keeps its target at zero replicas unless it is being deleted.
	t.markTerminating()
	if err := t.flushStatus(ctx); err != nil {
		return err
	}
	ready, err := t.targetReady(ctx)
	wait := err == nil && !ready && t.st.FailedChecks+1 < RevertChecks
	if wait {
		t.countCheck()
		if err := t.flushStatus(ctx); err != nil {
			return err
		}
	}
	switch {
	case apierrors.IsNotFound(err):
		t.normal("Deployment %s.%s not found: canary %s.%s terminated without reverting traffic to it",
			t.targetName(), t.ns(), t.canaryName(), t.ns())
		if err := t.removeFinalizer(ctx); err != nil {
			return err
		}
		t.end(ReasonTerminatedUnreverted, "target gone: finalizer removed without a revert")
		return nil
	case err != nil:
		t.end(ReasonFinalizeFailed, "target not scaled up: "+err.Error())
		return err
	case wait:
		t.end(ReasonWaitingTarget, "waiting for the target to take the traffic back")
		return nil
	case !ready:
		t.warning("Deployment %s.%s not ready after %d checks: reverting traffic to it anyway",
			t.targetName(), t.ns(), RevertChecks)
	}
	if err := t.e.Router.Release(ctx, t.cd); err != nil {
		t.end(ReasonFinalizeFailed, "apex Service not released: "+err.Error())
		return err
	}
	// Said before the finalizer goes: once it is gone, so is the Canary, and
	// a removal whose answer was lost would leave the event unsaid. A
	// removal that failed says it again on the retry.
	t.normal("Terminated canary %s.%s", t.canaryName(), t.ns())
	if err := t.removeFinalizer(ctx); err != nil {
		return err
	}
	t.end(ReasonTerminated, "traffic reverted to the target")
	return nil
}

// markTerminating moves to the Terminating phase, once, with Flagger's
// event; flushStatus writes it.
func (t *tick) markTerminating() {
	if t.st.Phase == v1.PhaseTerminating {
		return
	}
	t.normal("Terminating canary %s.%s", t.canaryName(), t.ns())
	t.st.Phase, t.st.FailedChecks = v1.PhaseTerminating, 0
	t.st.LastTransitionTime = metav1.NewTime(t.now)
}

// targetReady scales a target at zero replicas back up (not ready yet) and
// otherwise reports whether it has rolled out. The error is NotFound when
// the target is gone.
func (t *tick) targetReady(ctx context.Context) (bool, error) {
	d, err := t.e.Workload.Status(ctx, t.cd, RoleCanary)
	if err != nil {
		return false, err
	}
	if d.Replicas == nil || *d.Replicas == 0 {
		return false, t.e.Workload.ScaleToPrimary(ctx, t.cd)
	}
	return decide.DeploymentReadiness(d, t.cd.GetProgressDeadline(), v1.TotalWeight, t.now).Ready, nil
}

// countCheck counts a failed readiness check and asks to come back after
// 1 s, doubling with each check, at most the interval.
func (t *tick) countCheck() {
	n := t.st.FailedChecks
	t.st.FailedChecks++
	t.requeue = min(time.Second<<n, t.cd.GetAnalysisInterval())
}

func (t *tick) removeFinalizer(ctx context.Context) error {
	if err := t.e.Finalizers.RemoveFinalizer(ctx, t.cd); err != nil {
		t.end(ReasonFinalizeFailed, "finalizer not removed: "+err.Error())
		return err
	}
	t.requeue = 0
	return nil
}

// flushStatus writes the status when the finalization changed it; on an
// error the call ends with it.
func (t *tick) flushStatus(ctx context.Context) error {
	if t.st.Phase == t.written.Phase && t.st.FailedChecks == t.written.FailedChecks {
		return nil
	}
	if err := t.e.Status.UpdateStatus(ctx, t.cd, t.st); err != nil {
		t.end(ReasonFinalizeFailed, "status not written: "+err.Error())
		return err
	}
	t.written = t.st
	return nil
}
