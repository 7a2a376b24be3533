package controller

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/record"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// Finalizer is Flagger's finalizer, added to canaries with revertOnDeletion.
const Finalizer = "finalizer.flagger.app"

// finalizer gives traffic back to the target when a Canary with
// revertOnDeletion is deleted: the target is scaled back to the primary's
// replicas, and once it is ready the apex Service selects it and is no
// longer owned by the Canary, so garbage collection does not take it.
type finalizer struct {
	client client.Client
	kube   kubernetes.Interface
	events record.EventRecorder
	clock  clock.PassiveClock
	checks *checks
}

// ensure adds the finalizer to a canary that asks for revertOnDeletion,
// updating cd in place so that the tick goes on with it. (Returning and
// waiting for the update's event would stall: adding a finalizer does not
// change the generation, which is all the controller watches.)
func (f *finalizer) ensure(ctx context.Context, cd *v1.Canary) error {
	if !cd.Spec.RevertOnDeletion || controllerutil.ContainsFinalizer(cd, Finalizer) {
		return nil
	}
	obj := cd.DeepCopy()
	controllerutil.AddFinalizer(obj, Finalizer)
	if err := f.client.Update(ctx, obj); err != nil {
		return fmt.Errorf("adding finalizer to canary %s.%s: %w", cd.Name, cd.Namespace, err)
	}
	*cd = *obj
	return nil
}

// Readiness checks of the target while finalizing: the finalizer checks
// readinessChecks times, backing off from one second and doubling up to the
// analysis interval, then gives traffic back to the target anyway with a
// Warning, as Flagger proceeds after its retries. A Canary whose deletion
// waited forever would hang the deletion of its namespace.
const readinessChecks = 5

func (f *finalizer) finalize(ctx context.Context, cd *v1.Canary) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(cd, Finalizer) {
		return ctrl.Result{}, nil
	}
	if err := f.markTerminating(ctx, cd); err != nil {
		return ctrl.Result{}, err
	}
	ready, err := f.scaleTargetUp(ctx, cd)
	switch {
	case errors.Is(err, errTargetGone):
		f.events.Eventf(cd, corev1.EventTypeNormal, EventReason,
			"Deployment %s.%s not found: canary %s.%s terminated without reverting traffic to it",
			cd.Spec.TargetRef.Name, cd.Namespace, cd.Name, cd.Namespace)
		return ctrl.Result{}, f.removeFinalizer(ctx, cd)
	case err != nil:
		return ctrl.Result{}, err
	case !ready:
		if wait, ok := f.checks.next(cd.UID, cd.GetAnalysisInterval()); ok {
			return ctrl.Result{RequeueAfter: wait}, nil
		}
		f.events.Eventf(cd, corev1.EventTypeWarning, EventReason,
			"Deployment %s.%s not ready after %d checks: reverting traffic to it anyway",
			cd.Spec.TargetRef.Name, cd.Namespace, readinessChecks)
	}
	if err := f.releaseApex(ctx, cd); err != nil {
		return ctrl.Result{}, err
	}
	if err := f.removeFinalizer(ctx, cd); err != nil {
		return ctrl.Result{}, err
	}
	f.events.Eventf(cd, corev1.EventTypeNormal, EventReason, "Terminated canary %s.%s", cd.Name, cd.Namespace)
	return ctrl.Result{}, nil
}

// markTerminating sets the Terminating phase, once, with Flagger's event,
// and updates cd in place.
func (f *finalizer) markTerminating(ctx context.Context, cd *v1.Canary) error {
	if cd.Status.Phase == v1.PhaseTerminating {
		return nil
	}
	f.events.Eventf(cd, corev1.EventTypeNormal, EventReason, "Terminating canary %s.%s", cd.Name, cd.Namespace)
	obj := cd.DeepCopy()
	obj.Status.Phase = v1.PhaseTerminating
	obj.Status.LastTransitionTime = nowMeta(f.clock)
	if err := f.client.Status().Update(ctx, obj); err != nil {
		return fmt.Errorf("canary %s.%s: setting phase Terminating: %w", cd.Name, cd.Namespace, err)
	}
	*cd = *obj // the finalizer's removal goes on from this resourceVersion
	return nil
}

func (f *finalizer) removeFinalizer(ctx context.Context, cd *v1.Canary) error {
	obj := cd.DeepCopy()
	controllerutil.RemoveFinalizer(obj, Finalizer)
	if err := f.client.Update(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("removing finalizer of canary %s.%s: %w", cd.Name, cd.Namespace, err)
	}
	f.checks.forget(cd.UID)
	return nil
}

// errTargetGone is scaleTargetUp's error when the target Deployment does
// not exist (deleted with the Canary, or with its namespace).
var errTargetGone = errors.New("target deployment not found")

// scaleTargetUp gives the target the primary's replicas and reports
// whether it has rolled out.
func (f *finalizer) scaleTargetUp(ctx context.Context, cd *v1.Canary) (bool, error) {
	deps := f.kube.AppsV1().Deployments(cd.Namespace)
	target, err := deps.Get(ctx, cd.Spec.TargetRef.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return false, errTargetGone
	}
	if err != nil {
		return false, fmt.Errorf("deployment %s.%s get query error: %w", cd.Spec.TargetRef.Name, cd.Namespace, err)
	}
	replicas := int32(1)
	if primary, err := deps.Get(ctx, cd.GetPrimaryName(), metav1.GetOptions{}); err == nil && primary.Spec.Replicas != nil {
		replicas = max(1, *primary.Spec.Replicas)
	}
	if target.Spec.Replicas == nil || *target.Spec.Replicas == 0 {
		patch := []byte(fmt.Sprintf(`{"spec":{"replicas":%d}}`, replicas))
		if _, err := deps.Patch(ctx, target.Name, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			return false, fmt.Errorf("scaling up %s.%s to %d failed: %w", target.Name, cd.Namespace, replicas, err)
		}
		return false, nil
	}
	r := decide.DeploymentReadiness(kube.DeploymentStatus(target), cd.GetProgressDeadline(), 100, f.clock.Now())
	return r.Ready, nil
}

// checks counts, per Canary being finalized, the readiness checks
// of its target that failed.
type checks struct {
	mu     sync.Mutex
	failed map[types.UID]int
}

func newChecks() *checks { return &checks{failed: map[types.UID]int{}} }

// next counts a failed check and says how long to wait before the next
// one: 1 s, doubling, at most the interval; false once readinessChecks
// have failed.
func (c *checks) next(uid types.UID, interval time.Duration) (time.Duration, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	n := c.failed[uid]
	if n+1 >= readinessChecks {
		return 0, false
	}
	c.failed[uid] = n + 1
	return min(time.Second<<n, interval), true
}

func (c *checks) forget(uid types.UID) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.failed, uid)
}

// releaseApex points the apex Service at the target's pods and removes the
// Canary's ownership of it.
func (f *finalizer) releaseApex(ctx context.Context, cd *v1.Canary) error {
	svcs := f.kube.CoreV1().Services(cd.Namespace)
	apex, err := svcs.Get(ctx, cd.GetServiceNames().Apex, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return fmt.Errorf("service %s.%s get query error: %w", cd.GetServiceNames().Apex, cd.Namespace, err)
	}
	for k, v := range apex.Spec.Selector {
		apex.Spec.Selector[k] = trimPrimary(v)
	}
	var owners []metav1.OwnerReference
	for _, o := range apex.OwnerReferences {
		if o.UID != cd.UID {
			owners = append(owners, o)
		}
	}
	apex.OwnerReferences = owners
	if _, err := svcs.Update(ctx, apex, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("service %s.%s update error: %w", apex.Name, cd.Namespace, err)
	}
	return nil
}

func trimPrimary(v string) string {
	if len(v) > len(primarySuffix) && strings.HasSuffix(v, primarySuffix) {
		return strings.TrimSuffix(v, primarySuffix)
	}
	return v
}

func nowMeta(c clock.PassiveClock) metav1.Time { return metav1.NewTime(c.Now()) }
