package controller

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/builder"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller"
	"sigs.k8s.io/controller-runtime/pkg/predicate"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"k8s.io/utils/ptr"

	"github.com/fledge-canary/fledge/adapters/alerts"
	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/kubecache"
	"github.com/fledge-canary/fledge/adapters/webhook"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Reconciler ticks Canaries. Build it with New.
type Reconciler struct {
	client     client.Client
	engine     *engine.Engine
	clock      clock.PassiveClock
	log        logr.Logger
	metrics    *Metrics
	lag        *lagMeter
	validation v1.ValidationOptions
	schedule   *schedule
	warned     *warned
	validated  *validated
	// configTracking wakes canaries on changes of their configs.
	configTracking bool
	// sharedCheck checks that no tick changes the Canary it reads from
	// the cache (tests; nil in production).
	sharedCheck *kubecache.SharedCheck
	// services remembers which canaries' Services were last in sync.
	services *kube.Services
	// sender, alerts and events deliver in the background; Close stops
	// them once no reconcile is running.
	sender    *webhook.EventSender
	alerts    *alerts.Sender
	events    *eventWriter
	running   atomic.Int64
	closeOnce sync.Once
}

// Reconcile reads the canary and hands it to the engine: a deleted one to
// Finalize, an invalid one to Refuse, a due one to Tick. It writes nothing
// itself; it says when to come back.
func (r *Reconciler) Reconcile(ctx context.Context, req ctrl.Request) (ctrl.Result, error) {
	r.running.Add(1)
	defer r.running.Add(-1)
	cd, err := r.get(ctx, req.NamespacedName)
	if cd == nil || err != nil {
		return ctrl.Result{}, err
	}
	now := r.clock.Now()
	if !cd.DeletionTimestamp.IsZero() {
		return result(r.engine.Finalize(ctx, cd, now))
	}
	errs, warnings := r.validated.of(req.NamespacedName, cd, r.validation)
	r.warn(cd, warnings)
	if len(errs) > 0 {
		return result(r.engine.Refuse(ctx, cd, errs, now))
	}
	if wait := r.schedule.due(req.NamespacedName, cd, now); wait > 0 {
		return ctrl.Result{RequeueAfter: wait}, nil
	}
	interval := cd.GetAnalysisInterval()
	r.lag.observe(req.NamespacedName, r.schedule.lateness(req.NamespacedName, interval, now), interval, now)
	at := r.schedule.anchor(req.NamespacedName, interval, now)
	res, err := r.engine.Tick(ctx, cd, now)
	r.scheduleNext(req.NamespacedName, cd, res, at)
	r.metrics.observe(cd, res.Record, r.clock.Since(now).Seconds())
	if wait := r.schedule.wait(req.NamespacedName, interval, now); err == nil && wait > 0 {
		res.RequeueAfter = wait // the slot of a settled canary
	}
	return result(res, err)
}

// scheduleNext records the tick, counted from at (see schedule.anchor):
// the next is an interval later, or on the canary's slot when the tick left
// it settled.
func (r *Reconciler) scheduleNext(key types.NamespacedName, cd *v1.Canary, res engine.Result, at time.Time) {
	if res.Status.Phase != "" && settled(&v1.Canary{Status: res.Status}) {
		r.schedule.tickedSettled(key, cd.GetAnalysisInterval(), at)
		return
	}
	r.schedule.ticked(key, at)
}

// get reads the canary; nil when it is gone, which is then forgotten. A
// canary read from the manager's cache is not copied: its maps, slices and
// pointers are the cache's, and the tick only reads it (the engine works
// on a copy of its status; the finalizer writer copies it).
func (r *Reconciler) get(ctx context.Context, key types.NamespacedName) (*v1.Canary, error) {
	var cd v1.Canary
	if err := r.client.Get(ctx, key, &cd, client.UnsafeDisableDeepCopy); err != nil {
		if apierrors.IsNotFound(err) {
			r.gone(ctx, key)
			return nil, nil
		}
		return nil, fmt.Errorf("reading canary %s: %w", key, err)
	}
	r.sharedCheck.See("Canary", &cd)
	if r.metrics.track(&cd) {
		r.countCanaries(ctx, key.Namespace)
	}
	return &cd, nil
}

// result turns what the engine returned into the reconcile's result: an
// error is retried with controller-runtime's backoff.
func result(res engine.Result, err error) (ctrl.Result, error) {
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
	r.validated.forget(key)
	r.metrics.forget(key)
	r.services.Forget(key.Namespace, key.Name)
	r.countCanaries(ctx, key.Namespace)
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

// DefaultWorkers is the default of -threadiness: how many canaries are
// ticked at once. A tick spends most of its time waiting (for its writes,
// queries and webhooks), so a few workers keep up with hundreds of ticks a
// second, and one canary's slow webhook holds up only its own worker.
// Flagger runs every canary's analysis in a goroutine of its own (its
// -threadiness, 2, counts only the workers that handle Canary changes).
const DefaultWorkers = 16

// SetupWithManager registers the reconciler: it watches Canaries (spec
// changes only) and their Deployments (see wakeOnDeployments) with
// `workers` concurrent reconciles, and is closed (Close) when the manager
// stops.
func (r *Reconciler) SetupWithManager(mgr ctrl.Manager, workers int) error {
	if err := indexDeployments(context.Background(), mgr); err != nil {
		return err
	}
	b := ctrl.NewControllerManagedBy(mgr).
		For(&v1.Canary{}, builder.WithPredicates(predicate.GenerationChangedPredicate{})).
		Watches(&appsv1.Deployment{}, r.wakeOnDeployments())
	if r.configTracking {
		b = b.WatchesMetadata(&corev1.ConfigMap{}, r.wakeOnConfigs("configmap")).
			WatchesMetadata(&corev1.Secret{}, r.wakeOnConfigs("secret"))
	}
	if err := b.
		// Several managers may run in one process (the shard tests): the
		// name's uniqueness is a process-wide check, not a cluster one.
		// Not the priority queue, whose B-tree ordered by due time cost a
		// tenth of an idle tick's CPU at 500 canaries: the classic queue,
		// with the next ticks released in batches (see beatQueue).
		WithOptions(controller.Options{
			MaxConcurrentReconciles: workers, SkipNameValidation: ptr.To(true), UsePriorityQueue: ptr.To(false),
			NewQueue: newCanaryQueue,
		}).
		// The reconciler logs with its own logger, naming the canary; the
		// per-reconcile logger controller-runtime builds otherwise is unused.
		WithLogConstructor(func(*reconcile.Request) logr.Logger { return r.log }).
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
