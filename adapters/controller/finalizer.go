package controller

import (
	"context"
	"fmt"
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

func (f *finalizer) finalize(ctx context.Context, cd *v1.Canary) (ctrl.Result, error) {
	if !controllerutil.ContainsFinalizer(cd, Finalizer) {
		return ctrl.Result{}, nil
	}
	if cd.Status.Phase != v1.PhaseTerminating {
		f.events.Eventf(cd, corev1.EventTypeNormal, EventReason, "Terminating canary %s.%s", cd.Name, cd.Namespace)
		obj := cd.DeepCopy()
		obj.Status.Phase = v1.PhaseTerminating
		obj.Status.LastTransitionTime = nowMeta(f.clock)
		if err := f.client.Status().Update(ctx, obj); err != nil && !apierrors.IsNotFound(err) {
			return ctrl.Result{}, fmt.Errorf("canary %s.%s: %w", cd.Name, cd.Namespace, err)
		}
	}
	ready, err := f.scaleTargetUp(ctx, cd)
	if err != nil || !ready {
		return ctrl.Result{RequeueAfter: 5 * time.Second}, err
	}
	if err := f.releaseApex(ctx, cd); err != nil {
		return ctrl.Result{}, err
	}
	obj := cd.DeepCopy()
	controllerutil.RemoveFinalizer(obj, Finalizer)
	if err := f.client.Update(ctx, obj); err != nil {
		return ctrl.Result{}, fmt.Errorf("removing finalizer of canary %s.%s: %w", cd.Name, cd.Namespace, err)
	}
	f.events.Eventf(cd, corev1.EventTypeNormal, EventReason, "Terminated canary %s.%s", cd.Name, cd.Namespace)
	return ctrl.Result{}, nil
}

// scaleTargetUp gives the target the primary's replicas and reports
// whether it has rolled out.
func (f *finalizer) scaleTargetUp(ctx context.Context, cd *v1.Canary) (bool, error) {
	deps := f.kube.AppsV1().Deployments(cd.Namespace)
	target, err := deps.Get(ctx, cd.Spec.TargetRef.Name, metav1.GetOptions{})
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
	const suffix = "-primary"
	if len(v) > len(suffix) && v[len(v)-len(suffix):] == suffix {
		return v[:len(v)-len(suffix)]
	}
	return v
}

func nowMeta(c clock.PassiveClock) metav1.Time { return metav1.NewTime(c.Now()) }
