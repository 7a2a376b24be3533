package controller

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/util/workqueue"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/event"
	"sigs.k8s.io/controller-runtime/pkg/handler"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// deploymentIndex indexes Canaries by the Deployments a tick reads: the
// target and its -primary.
const deploymentIndex = "fledge.dev/deployments"

func deploymentsOf(obj client.Object) []string {
	cd, ok := obj.(*v1.Canary)
	if !ok || cd.Spec.TargetRef.Name == "" {
		return nil
	}
	return []string{cd.Spec.TargetRef.Name, cd.GetPrimaryName()}
}

// indexDeployments lets wakeOnDeployments find a Deployment's canaries in
// the cache.
func indexDeployments(ctx context.Context, mgr ctrl.Manager) error {
	if err := mgr.GetFieldIndexer().IndexField(ctx, &v1.Canary{}, deploymentIndex, deploymentsOf); err != nil {
		return fmt.Errorf("indexing canaries by deployment: %w", err)
	}
	return nil
}

// wakeOnDeployments ticks a canary before its time when one of its
// Deployments changes in a way it waits for: a new pod template of the
// target of a settled canary (a new revision, detected at once rather than
// up to an interval later), or any change of either Deployment while the
// canary initializes (the primary becoming ready). Ticks in an analysis
// keep their interval.
func (r *Reconciler) wakeOnDeployments() handler.EventHandler {
	return handler.Funcs{
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			before, ok1 := e.ObjectOld.(*appsv1.Deployment)
			after, ok2 := e.ObjectNew.(*appsv1.Deployment)
			if !ok1 || !ok2 {
				return
			}
			// The templates are compared only for a settled canary of
			// the Deployment: most updates are its status, of canaries
			// that are not settled.
			newTemplate := func() bool { return !equality.Semantic.DeepEqual(before.Spec.Template, after.Spec.Template) }
			for _, key := range r.woken(ctx, after, newTemplate) {
				r.schedule.wake(key)
				q.Add(reconcile.Request{NamespacedName: key})
			}
		},
	}
}

// woken are the canaries of dep that a change of it wakes; newTemplate
// reports whether its pod template changed. The canaries are listed from
// the cache without a copy: they are only read.
func (r *Reconciler) woken(ctx context.Context, dep *appsv1.Deployment, newTemplate func() bool) []types.NamespacedName {
	var list v1.CanaryList
	if err := r.client.List(ctx, &list, client.InNamespace(dep.Namespace), client.MatchingFields{deploymentIndex: dep.Name},
		client.UnsafeDisableDeepCopy); err != nil {
		r.log.Error(err, "finding the canaries of a changed deployment", "deployment", dep.Name+"."+dep.Namespace)
		return nil
	}
	var keys []types.NamespacedName
	for i := range list.Items {
		if cd := &list.Items[i]; wakes(cd, dep.Name, newTemplate) {
			keys = append(keys, client.ObjectKeyFromObject(cd))
		}
	}
	return keys
}

// wakes reports whether a change of the Deployment named dep is worth a
// tick of cd before its time.
func wakes(cd *v1.Canary, dep string, newTemplate func() bool) bool {
	switch cd.Status.Phase {
	case "", v1.PhaseInitializing:
		return true
	case v1.PhaseInitialized, v1.PhaseSucceeded, v1.PhaseFailed:
		return dep == cd.Spec.TargetRef.Name && newTemplate()
	}
	return false
}

// wakeOnConfigs ticks a settled canary at once when a ConfigMap or Secret
// its target uses changes (kind "configmap" or "secret", as config
// tracking names them): with config tracking, that is a new revision.
func (r *Reconciler) wakeOnConfigs(kind string) handler.EventHandler {
	return handler.Funcs{
		UpdateFunc: func(ctx context.Context, e event.UpdateEvent, q workqueue.TypedRateLimitingInterface[reconcile.Request]) {
			if e.ObjectOld.GetResourceVersion() == e.ObjectNew.GetResourceVersion() {
				return // a resync
			}
			for _, key := range r.usersOf(ctx, kind, e.ObjectNew) {
				r.schedule.wake(key)
				q.Add(reconcile.Request{NamespacedName: key})
			}
		},
	}
}

// usersOf are the settled canaries whose target uses the config. The
// canaries and their targets are read from the cache without a copy: they
// are only read.
func (r *Reconciler) usersOf(ctx context.Context, kind string, config client.Object) []types.NamespacedName {
	var list v1.CanaryList
	if err := r.client.List(ctx, &list, client.InNamespace(config.GetNamespace()), client.UnsafeDisableDeepCopy); err != nil {
		r.log.Error(err, "finding the canaries of a changed config", kind, config.GetName()+"."+config.GetNamespace())
		return nil
	}
	var keys []types.NamespacedName
	for i := range list.Items {
		cd := &list.Items[i]
		if !settled(cd) {
			continue
		}
		var target appsv1.Deployment
		if err := r.client.Get(ctx, client.ObjectKey{Namespace: cd.Namespace, Name: cd.Spec.TargetRef.Name}, &target, client.UnsafeDisableDeepCopy); err != nil {
			continue // the tick reports a missing target
		}
		if kube.UsesConfig(&target.Spec.Template.Spec, kind, config.GetName()) {
			keys = append(keys, client.ObjectKeyFromObject(cd))
		}
	}
	return keys
}
