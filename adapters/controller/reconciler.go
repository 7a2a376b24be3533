package controller

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"

	"github.com/fledge-canary/fledge/adapters/webhook"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// Reconciler ticks Canaries. Build it with New.
type Reconciler struct {
	client     client.Client
	engine     *engine.Engine
	clock      clock.PassiveClock
	log        logr.Logger
	events     record.EventRecorder
	metrics    *Metrics
	validation v1.ValidationOptions
	finalizer  *finalizer
	schedule   *schedule
	warned     *warned
	// sender and broadcaster deliver events in the background; Close
	// stops them once no reconcile is running.
	sender      *webhook.EventSender
	broadcaster record.EventBroadcaster
	running     atomic.Int64
	closeOnce   sync.Once
}

// Reconcile runs a canary's tick when it is due and says when the next one is.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	r.running.Add(1)
	defer r.running.Add(-1)
	var cd v1.Canary
	if err := r.client.Get(ctx, req.NamespacedName, &cd); err != nil {
		if apierrors.IsNotFound(err) {
			r.gone(ctx, req.NamespacedName)
			return ctrl.Result{}, nil
		}
		return ctrl.Result{}, fmt.Errorf("reading canary %s: %w", req, err)
	}
	if r.metrics.track(&cd) {
		r.countCanaries(ctx, req.Namespace)
	}
	if !cd.DeletionTimestamp.IsZero() {
		return r.finalizer.finalize(ctx, &cd)
	}
	if err := r.finalizer.ensure(ctx, &cd); err != nil {
		return ctrl.Result{}, err
	}
	if res, ok, err := r.admit(ctx, &cd); !ok || err != nil {
		return res, err
	}
	now := r.clock.Now()
	if !r.schedule.known(req.NamespacedName) && settled(&cd) {
		if wait := r.schedule.adopt(req.NamespacedName, cd.GetAnalysisInterval(), now); wait > 0 {
			return ctrl.Result{RequeueAfter: wait}, nil
		}
	}
	if wait := r.schedule.wait(req.NamespacedName, cd.GetAnalysisInterval(), now); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	res, err := r.engine.Tick(ctx, &cd, now)
	r.schedule.ticked(req.NamespacedName, now)
	r.metrics.observe(&cd, res.Record, r.clock.Since(now).Seconds())
	if err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: res.RequeueAfter}, nil
}

// countCanaries sets flagger_canary_total of a namespace, when one of its
// canaries is first seen or gone: a List from the manager's cache, which
// costs the API server nothing. A failed List only leaves the count as it
// was.
func (r *Reconciler) countCanaries(ctx context.Context, namespace string) {
	var list v1.CanaryList
	if err := r.client.List(ctx, &list, client.InNamespace(namespace)); err != nil {
		r.log.Error(err, "counting canaries for flagger_canary_total", "namespace", namespace)
		return
	}
	r.metrics.count(namespace, len(list.Items))
}

// gone forgets a canary that no longer exists.
func (r *Reconciler) gone(ctx context.Context, key types.NamespacedName) {
	r.schedule.forget(key)
	r.warned.forget(key)
	r.metrics.forget(key)
	r.countCanaries(ctx, key.Namespace)
}

// admit validates the spec: it warns of its warnings, refuses it (false,
// with the result to return) when it has errors, and otherwise drops a
// stale Invalid condition.
func (r *Reconciler) admit(ctx context.Context, cd *v1.Canary) (ctrl.Result, bool, error) {
	errs, warnings := cd.Validate(r.validation)
	r.warn(cd, warnings)
	if len(errs) > 0 {
		res, err := r.refuse(ctx, cd, errs)
		return res, false, err
	}
	return ctrl.Result{}, true, r.clearInvalid(ctx, cd)
}

// settled reports whether a canary is set up and between analyses: a
// canary the controller takes over in that state has nothing urgent, so
// its ticks are spread over the interval. A new canary, or one in an
// analysis, ticks at once, as in Flagger.
func settled(cd *v1.Canary) bool {
	switch cd.Status.Phase {
	case v1.PhaseInitialized, v1.PhaseSucceeded, v1.PhaseFailed:
		return true
	}
	return false
}

// warn logs each validation warning (what OSM ignores, a very long hook
// timeout, a deprecated field) once per generation of the spec, not per
// tick. They are not Events: the Canary's Events stay Flagger's, so that
// kubectl describe shows what the tutorial shows (its own Canary has a
// warning, autoscaling/v2beta2); fledge validate prints them before a spec
// ships. The generations warned of are kept in memory: a restarted
// controller logs them once more.
func (r *Reconciler) warn(cd *v1.Canary, warnings v1.FieldErrors) {
	if len(warnings) == 0 || !r.warned.first(client.ObjectKeyFromObject(cd), cd.Generation) {
		return
	}
	log := r.log.WithValues("canary", cd.Name+"."+cd.Namespace)
	for _, w := range warnings.Strings() {
		msg := "spec warning: " + w
		log.Info(msg)
	}
}

// warned remembers the generation of each canary last warned of.
type warned struct {
	mu  sync.Mutex
	gen map[types.NamespacedName]int64
}

func newWarned() *warned { return &warned{gen: map[types.NamespacedName]int64{}} }

// first reports whether generation gen of the canary is seen for the first
// time, and remembers it.
func (w *warned) first(key types.NamespacedName, gen int64) bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if last, ok := w.gen[key]; ok && last == gen {
		return false
	}
	w.gen[key] = gen
	return true
}

func (w *warned) forget(key types.NamespacedName) {
	w.mu.Lock()
	defer w.mu.Unlock()
	delete(w.gen, key)
}

// InvalidCondition is the condition type that marks a Canary whose spec
// Fledge refuses.
const InvalidCondition = "Invalid"

// refuse handles a spec Fledge refuses: the canary is not ticked, and it is
// reported (reportInvalid). A canary in flight would keep its traffic on a
// revision that nobody analyses any more — the spec may turn invalid at
// weight 30 — so its traffic goes back to the primary (100/0), as a
// rollback would route it, but its phase is kept: once the spec is fixed the
// analysis resumes from weight 0. The canary comes back every analysis
// interval (never at once: no hot loop) to keep the traffic there and to
// resume once the spec is valid again, besides the reconcile a spec edit
// brings.
func (r *Reconciler) refuse(ctx context.Context, cd *v1.Canary, errs v1.FieldErrors) (ctrl.Result, error) {
	if inFlight(cd) {
		if err := r.routeToPrimary(ctx, cd); err != nil {
			return ctrl.Result{}, err
		}
	}
	if err := r.reportInvalid(ctx, cd, errs); err != nil {
		return ctrl.Result{}, err
	}
	return ctrl.Result{RequeueAfter: cd.GetAnalysisInterval()}, nil
}

// inFlight reports whether a canary is in an analysis or a promotion, that
// is, may have traffic on the canary.
func inFlight(cd *v1.Canary) bool {
	switch cd.Status.Phase {
	case v1.PhaseProgressing, v1.PhaseWaiting, v1.PhaseWaitingPromotion, v1.PhasePromoting, v1.PhaseFinalising:
		return true
	}
	return false
}

// routeToPrimary sets the TrafficSplit to 100/0 when it is not, with a
// Warning saying why.
func (r *Reconciler) routeToPrimary(ctx context.Context, cd *v1.Canary) error {
	routes, err := r.engine.Router.Routes(ctx, cd)
	if apierrors.IsNotFound(err) || (err == nil && routes.Canary == 0) {
		return nil // nothing routed to the canary
	}
	if err != nil {
		return fmt.Errorf("canary %s.%s has an invalid spec: %w", cd.Name, cd.Namespace, err)
	}
	if err := r.engine.Router.SetRoutes(ctx, cd, decide.Routes{Primary: v1.TotalWeight}); err != nil {
		return fmt.Errorf("canary %s.%s has an invalid spec: routing all traffic to the primary: %w", cd.Name, cd.Namespace, err)
	}
	msg := fmt.Sprintf("Halt %s.%s advancement: invalid spec, all traffic routed to the primary until the spec is fixed",
		cd.Name, cd.Namespace)
	r.log.WithValues("canary", cd.Name+"."+cd.Namespace).Info(msg)
	r.events.Event(cd, corev1.EventTypeWarning, EventReason, msg)
	return nil
}

// reportInvalid records why a spec is refused: one Warning event naming
// every field, and an Invalid condition (with canaryWeight 0 for a canary
// in flight, whose traffic went back to the primary). A message reported
// already is not reported again.
func (r *Reconciler) reportInvalid(ctx context.Context, cd *v1.Canary, errs v1.FieldErrors) error {
	msg := "invalid spec: " + strings.Join(errs.Strings(), "; ")
	for _, c := range cd.Status.Conditions {
		if c.Type == InvalidCondition && c.Message == msg {
			return nil // reported already for this spec
		}
	}
	r.log.WithValues("canary", cd.Name+"."+cd.Namespace).Info(msg)
	r.events.Event(cd, corev1.EventTypeWarning, EventReason, msg)
	obj := cd.DeepCopy()
	obj.Status.Conditions = append(withoutCondition(obj.Status.Conditions, InvalidCondition), v1.CanaryCondition{
		Type: InvalidCondition, Status: v1.ConditionTrue, Reason: "InvalidSpec", Message: msg,
		LastUpdateTime: nowMeta(r.clock), LastTransitionTime: nowMeta(r.clock),
	})
	if inFlight(cd) {
		obj.Status.CanaryWeight = 0
	}
	if err := r.client.Status().Update(ctx, obj); err != nil {
		return fmt.Errorf("canary %s.%s: recording invalid spec: %w", cd.Name, cd.Namespace, err)
	}
	return nil
}

// clearInvalid drops the Invalid condition of a spec that is valid again,
// updating cd in place, so that a later invalid spec, even the same one,
// is reported again.
func (r *Reconciler) clearInvalid(ctx context.Context, cd *v1.Canary) error {
	if !slices.ContainsFunc(cd.Status.Conditions, func(c v1.CanaryCondition) bool { return c.Type == InvalidCondition }) {
		return nil
	}
	obj := cd.DeepCopy()
	obj.Status.Conditions = withoutCondition(obj.Status.Conditions, InvalidCondition)
	if err := r.client.Status().Update(ctx, obj); err != nil {
		return fmt.Errorf("canary %s.%s: clearing the Invalid condition: %w", cd.Name, cd.Namespace, err)
	}
	*cd = *obj
	return nil
}

func withoutCondition(cs []v1.CanaryCondition, typ string) []v1.CanaryCondition {
	var out []v1.CanaryCondition
	for _, c := range cs {
		if c.Type != typ {
			out = append(out, c)
		}
	}
	return out
}

// SetupWithManager registers the reconciler: it watches Canaries (spec
// changes only) with `workers` concurrent reconciles, and is closed (Close)
// when the manager stops.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager, workers int) error {
	if err := ctrl.NewControllerManagedBy(mgr).
		For(&v1.Canary{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		WithOptions(controller.Options{MaxConcurrentReconciles: workers}).
		Named("canary").
		Complete(r); err != nil {
		return fmt.Errorf("setting up the canary controller: %w", err)
	}
	for _, c := range r.closers() {
		if err := mgr.Add(c); err != nil {
			return fmt.Errorf("adding the event shutdown to the manager: %w", err)
		}
	}
	return nil
}
