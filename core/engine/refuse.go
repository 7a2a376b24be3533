package engine

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// Refuse handles a Canary whose spec does not validate (errs, from
// v1.Canary.Validate) at now, instead of a tick: the canary is not
// analysed. A canary in flight (see decide.InFlight) could keep traffic on
// a revision nobody analyses any more, so its traffic goes back to the
// primary (100/0) with a Warning, as a rollback would route it, but its
// phase is kept: once the spec is fixed the analysis resumes from weight 0.
// The refusal is reported once per distinct message: a Warning naming every
// field and an Invalid condition (with canaryWeight 0 for a canary in
// flight). The caller comes back after RequeueAfter (the interval, never at
// once) to keep the traffic there and to resume once the spec is valid.
// The error is a port's; the refusal is retried.
func (e *Engine) Refuse(ctx context.Context, cd *v1.Canary, errs v1.FieldErrors, now time.Time) (Result, error) {
	t := newTick(e, cd, now)
	// A refused canary keeps its status as it is (a new one does not start
	// initialising, an Invalid condition is kept) but for what refuse sets.
	t.st = *cd.Status.DeepCopy()
	t.rec.PhaseBefore = t.st.Phase
	err := t.refuse(ctx, errs)
	return t.finish(), err
}

func (t *tick) refuse(ctx context.Context, errs v1.FieldErrors) error {
	if decide.InFlight(t.st.Phase) {
		if err := t.routeToPrimary(ctx); err != nil {
			t.end(ReasonRoutesNotSet, "invalid spec: "+err.Error())
			return err
		}
	}
	msg := "invalid spec: " + strings.Join(errs.Strings(), "; ")
	for _, c := range t.st.Conditions {
		if c.Type == v1.InvalidCondition && c.Message == msg {
			t.end(ReasonInvalidSpecReported, "refused: reported already")
			return nil
		}
	}
	t.event(Warning, LevelInfo, t.st.Phase, "%s", msg)
	ts := metav1.NewTime(t.now)
	t.st.Conditions = append(withoutCondition(t.st.Conditions, v1.InvalidCondition), v1.CanaryCondition{
		Type: v1.InvalidCondition, Status: v1.ConditionTrue, Reason: "InvalidSpec", Message: msg,
		LastUpdateTime: ts, LastTransitionTime: ts,
	})
	if decide.InFlight(t.st.Phase) {
		t.st.CanaryWeight = 0
	}
	t.end(ReasonInvalidSpec, "refused: "+msg)
	if err := t.e.Status.UpdateStatus(ctx, t.cd, t.st); err != nil {
		return fmt.Errorf("canary %s.%s: recording invalid spec: %w", t.canaryName(), t.ns(), err)
	}
	return nil
}

// routeToPrimary sets the TrafficSplit to 100/0 when it is not, with a
// Warning saying why.
func (t *tick) routeToPrimary(ctx context.Context) error {
	routes, err := t.e.Router.Routes(ctx, t.cd)
	if apierrors.IsNotFound(err) || (err == nil && routes.Canary == 0) {
		return nil // nothing routed to the canary
	}
	if err != nil {
		return fmt.Errorf("canary %s.%s has an invalid spec: %w", t.canaryName(), t.ns(), err)
	}
	if err := t.setRoutes(ctx, decide.Routes{Primary: v1.TotalWeight}); err != nil {
		return fmt.Errorf("canary %s.%s has an invalid spec: routing all traffic to the primary: %w", t.canaryName(), t.ns(), err)
	}
	t.warning("Halt %s.%s advancement: invalid spec, all traffic routed to the primary until the spec is fixed",
		t.canaryName(), t.ns())
	return nil
}

// withoutCondition is cs without the conditions of type typ (nil when none
// is left, as a Canary that never had one).
func withoutCondition(cs []v1.CanaryCondition, typ string) []v1.CanaryCondition {
	var out []v1.CanaryCondition
	for _, c := range cs {
		if c.Type != typ {
			out = append(out, c)
		}
	}
	return out
}
