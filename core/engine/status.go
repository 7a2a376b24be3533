package engine

import (
	"context"
	"reflect"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// syncStatus starts a phase afresh, as Flagger's SyncStatus: counters to
// zero, the weight given, and the observed revision recorded as applied
// (and, on initialisation, as promoted).
func (t *tick) syncStatus(phase v1.CanaryPhase, weight int) {
	t.st.Phase = phase
	t.st.CanaryWeight = weight
	t.st.FailedChecks = 0
	t.st.Iterations = 0
	t.st.LastAppliedSpec = t.target.TemplateHash
	if phase == v1.PhaseInitialized {
		t.st.LastPromotedSpec = t.target.TemplateHash
	}
	if t.target.Configs != nil {
		configs := make(map[string]string, len(t.target.Configs))
		for k, v := range t.target.Configs {
			configs[k] = v
		}
		t.st.TrackedConfigs = &configs
	}
}

// setPhase moves to a phase, as Flagger's SetStatusPhase: the weight and
// iterations are kept only in Progressing, Waiting and Promoting;
// WaitingPromotion sets iterations to analysis.iterations-1; Initialized and
// Succeeded record the applied revision as promoted.
func (t *tick) setPhase(phase v1.CanaryPhase) {
	t.st.Phase = phase
	switch phase {
	case v1.PhaseProgressing, v1.PhaseWaiting, v1.PhasePromoting:
	case v1.PhaseWaitingPromotion:
		t.st.CanaryWeight = 0
		t.st.Iterations = t.a.Iterations - 1
	default:
		t.st.CanaryWeight = 0
		t.st.Iterations = 0
	}
	if phase == v1.PhaseInitialized || phase == v1.PhaseSucceeded {
		t.st.LastPromotedSpec = t.st.LastAppliedSpec
	}
}

// writeStatus writes the status once, if the tick changed it or dropped
// an Invalid condition (the spec validates again), stamping the transition
// time and the Promoted condition.
func (t *tick) writeStatus(ctx context.Context) error {
	changed := statusChanged(t.cd.Status, t.st)
	if !changed && !hasCondition(t.cd.Status, v1.InvalidCondition) {
		return nil
	}
	if changed {
		t.st.LastTransitionTime = metav1.NewTime(t.now)
	}
	t.st.Conditions = promotedCondition(t.st.Conditions, t.st.Phase, t.now)
	return t.e.Status.UpdateStatus(ctx, t.cd, t.st)
}

func statusChanged(before, after v1.CanaryStatus) bool {
	b, a := before.DeepCopy(), after.DeepCopy()
	b.LastTransitionTime, a.LastTransitionTime = metav1.Time{}, metav1.Time{}
	b.Conditions, a.Conditions = nil, nil
	return !reflect.DeepEqual(b, a) || len(before.Conditions) == 0
}

func hasCondition(st v1.CanaryStatus, typ string) bool {
	for _, c := range st.Conditions {
		if c.Type == typ {
			return true
		}
	}
	return false
}

// promotedCondition is the Promoted condition for phase. It is replaced only
// when its status or reason changes, and its transition time moves only
// when its status does.
func promotedCondition(old []v1.CanaryCondition, phase v1.CanaryPhase, now time.Time) []v1.CanaryCondition {
	status, message := decide.Condition(phase)
	var current *v1.CanaryCondition
	for i := range old {
		if old[i].Type == v1.PromotedCondition {
			current = &old[i]
		}
	}
	if current != nil && current.Status == status && current.Reason == string(phase) {
		return old
	}
	ts := metav1.NewTime(now)
	c := v1.CanaryCondition{
		Type: v1.PromotedCondition, Status: status, Reason: string(phase), Message: message,
		LastUpdateTime: ts, LastTransitionTime: ts,
	}
	if current != nil && current.Status == status {
		c.LastTransitionTime = current.LastTransitionTime
	}
	return []v1.CanaryCondition{c}
}
