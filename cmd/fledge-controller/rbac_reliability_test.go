//go:build reliability

package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// The rollout every RBAC run plays (representative), with the calls each
// step needs from the ClusterRole:
//   - bootstrap: create the primary Deployment, Services, HPA, TrafficSplit,
//     primary ConfigMap and Secret (owned by the Canary, so also
//     canaries/finalizers under OwnerReferencesPermissionEnforcement);
//     scale the target (patch); add the finalizer (canaries update);
//     status writes; a repeated "waiting for rollout" Event (events patch);
//   - promotion of 6.0.1: TrafficSplit updates, the MetricTemplate (cached:
//     get, list, watch) and its basic-auth Secret (get), the primary
//     Deployment, ConfigMap and HPA updated;
//   - rollback of 6.0.2 on a failing metric;
//   - deletion with revertOnDeletion: the apex Service updated, the
//     finalizer removed;
//   - and, by the process, the leader-election Lease (get, create, update).

// representative plays the rollout and checks its outcome; abort (a
// refused call in the journal) ends it early.
func (r *rollout) representative(ctx context.Context, abort func() bool) error {
	cd, err := r.canary()
	if err != nil {
		return err
	}
	if err := r.tc.c.Create(ctx, cd); err != nil {
		return fmt.Errorf("creating the canary: %w", err)
	}
	if err := r.waitPhase(ctx, "Initialized", 45*time.Second, abort); err != nil {
		return err
	}
	if err := r.newRevision(ctx, "ghcr.io/stefanprodan/podinfo:6.0.1", 5); err != nil {
		return err
	}
	if err := r.waitPhase(ctx, "Succeeded", 150*time.Second, abort); err != nil {
		return err
	}
	if err := r.checkPromoted(ctx, "ghcr.io/stefanprodan/podinfo:6.0.1", 5); err != nil {
		return err
	}
	r.prom.set(50)
	if err := r.newRevision(ctx, "ghcr.io/stefanprodan/podinfo:6.0.2", 6); err != nil {
		return err
	}
	if err := r.waitPhase(ctx, "Failed", 150*time.Second, abort); err != nil {
		return err
	}
	if err := r.checkRolledBack(ctx); err != nil {
		return err
	}
	if err := r.deleteCanary(ctx, abort); err != nil {
		return err
	}
	return r.checkEvents(ctx)
}

// checkRolledBack: all traffic on the primary, the target at zero replicas.
func (r *rollout) checkRolledBack(ctx context.Context) error {
	weights, err := r.weights(ctx)
	if err != nil {
		return err
	}
	var target appsv1.Deployment
	if err := r.tc.c.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: "podinfo"}, &target); err != nil {
		return err
	}
	if weights["podinfo-primary"] != 100 || weights["podinfo-canary"] != 0 || *target.Spec.Replicas != 0 {
		return fmt.Errorf("after the rollback: weights %v, target replicas %d", weights, *target.Spec.Replicas)
	}
	return nil
}

// deleteCanary deletes the canary and waits until the finalizer has given
// the apex Service back to the target.
func (r *rollout) deleteCanary(ctx context.Context, abort func() bool) error {
	cd, err := r.get(ctx)
	if err != nil {
		return err
	}
	if !slices.Contains(cd.Finalizers, "finalizer.flagger.app") {
		return fmt.Errorf("the canary has no finalizer: %v", cd.Finalizers)
	}
	if err := r.tc.c.Delete(ctx, cd); err != nil {
		return err
	}
	gone := waitFor(ctx, 30*time.Second, func() bool {
		_, err := r.get(ctx)
		return apierrors.IsNotFound(err) || abort()
	})
	if abort() {
		return fmt.Errorf("deleting the canary: %w", errAborted)
	}
	if !gone {
		return fmt.Errorf("the canary is still there 30s after its deletion")
	}
	var apex corev1.Service
	if err := r.tc.c.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: "podinfo"}, &apex); err != nil {
		return fmt.Errorf("apex Service after deletion: %w", err)
	}
	if apex.Spec.Selector["app"] != "podinfo" {
		return fmt.Errorf("apex Service selector %v after deletion, want app=podinfo", apex.Spec.Selector)
	}
	return nil
}

// checkEvents: the rollout's milestones are Events, and a repeated one
// was counted (patched) rather than lost.
func (r *rollout) checkEvents(ctx context.Context) error {
	var list corev1.EventList
	if err := r.tc.c.List(ctx, &list, client.InNamespace(r.ns)); err != nil {
		return err
	}
	var msgs []string
	repeated := false
	for _, e := range list.Items {
		msgs = append(msgs, e.Message)
		repeated = repeated || e.Count > 1
	}
	all := strings.Join(msgs, "\n")
	var missing []string
	for _, want := range []string{"Initialization done! podinfo." + r.ns, "Promotion completed! Scaling down podinfo." + r.ns,
		"Canary failed! Scaling down podinfo." + r.ns, "Terminated canary podinfo." + r.ns} {
		if !strings.Contains(all, want) {
			missing = append(missing, want)
		}
	}
	if len(missing) > 0 || !repeated {
		return fmt.Errorf("events lack %q (repeated event counted: %t); have:\n%s", missing, repeated, all)
	}
	return nil
}

// runAs starts a controller as user against the cluster and plays the
// representative rollout in namespace ns. It returns the process (stopped)
// and the rollout's error.
func runAs(ctx context.Context, t *testing.T, tc *testCluster, ns, user string, abortOnForbidden bool) (*process, error) {
	t.Helper()
	prom := newFakePrometheus(t)
	r := newRollout(ctx, t, tc, ns, prom)
	p := startProcess(t, ns, tc.admin(), user, "-enable-leader-election", "-leader-election-namespace="+controllerNamespace,
		"-metrics-server="+prom.srv.URL, "-log-level=info")
	abort := func() bool { return abortOnForbidden && len(p.calls.filter(forbidden)) > 0 }
	err := r.representative(ctx, abort)
	p.stop(t)
	r.forget(ctx, t)
	return p, err
}

// forget removes the rollout's Canary, finalizer and all, once its
// controller is stopped, so that the next run's controller does not meet
// it and have its calls for it refused.
func (r *rollout) forget(ctx context.Context, t *testing.T) {
	t.Helper()
	cd, err := r.get(ctx)
	if apierrors.IsNotFound(err) {
		return
	}
	must(t, err)
	cd.Finalizers = nil
	must(t, r.tc.c.Update(ctx, cd))
	if err := r.tc.c.Delete(ctx, cd); err != nil && !apierrors.IsNotFound(err) {
		t.Fatalf("deleting canary %s/%s: %v", cd.Namespace, cd.Name, err)
	}
}

// TestShippedRBAC runs the controller as the ServiceAccount of deploy/rbac
// (impersonated, with the shipped ClusterRole, Role and bindings applied)
// through a representative rollout: every call it makes is allowed, the
// rollout ends as expected, and the Lease is released on SIGTERM. It takes
// three minutes (ticks are at least 10s apart), so it is built only with
// the reliability tag (make reliability); make test has TestLeaderElection's
// bootstrap as the same ServiceAccount.
func TestShippedRBAC(t *testing.T) {
	ctx := t.Context()
	tc := startCluster(t)
	tc.apply(ctx, t, nsObject(controllerNamespace))
	tc.apply(ctx, t, shippedRBAC(t)...)
	p, err := runAs(ctx, t, tc, "rbac", serviceAccount, false)
	if err != nil {
		t.Errorf("representative rollout as %s: %v", serviceAccount, err)
	}
	if refused := p.calls.filter(forbidden); len(refused) > 0 {
		t.Errorf("the API server refused %d calls of %s, first %s", len(refused), serviceAccount, refused[0])
	}
	leaseWrites := p.calls.filter(func(r request) bool {
		return r.write() && strings.Contains(r.Path, "/leases")
	})
	if len(leaseWrites) < 2 {
		t.Errorf("lease writes %v: want the create and renewals", leaseWrites)
	}
	if p.exitErr != nil {
		t.Errorf("controller exited with %v after SIGTERM", p.exitErr)
	}
	var lease coordinationv1.Lease
	must(t, tc.c.Get(ctx, client.ObjectKey{Namespace: controllerNamespace, Name: "fledge-leader-election"}, &lease))
	if h := lease.Spec.HolderIdentity; h != nil && *h != "" {
		t.Errorf("lease still held by %q after SIGTERM: not released", *h)
	}
}

func setRules(obj client.Object, rules []rbacv1.PolicyRule) {
	switch o := obj.(type) {
	case *rbacv1.ClusterRole:
		o.Rules = rules
	case *rbacv1.Role:
		o.Rules = rules
	}
}

func leaseMeta() metav1.ObjectMeta {
	return metav1.ObjectMeta{Namespace: controllerNamespace, Name: "fledge-leader-election"}
}

// roleVariant is the shipped RBAC with one verb of one rule removed.
type roleVariant struct {
	name string
	objs []client.Object
}

// withoutEachVerb lists every variant of the shipped RBAC that lacks one
// verb of one rule of the ClusterRole or the leader-election Role.
func withoutEachVerb(shipped []client.Object) []roleVariant {
	var out []roleVariant
	for i, obj := range shipped {
		var rules []rbacv1.PolicyRule
		switch o := obj.(type) {
		case *rbacv1.ClusterRole:
			rules = o.Rules
		case *rbacv1.Role:
			rules = o.Rules
		default:
			continue
		}
		for ri, rule := range rules {
			for vi, verb := range rule.Verbs {
				objs := slices.Clone(shipped)
				changed := obj.DeepCopyObject().(client.Object)
				r := rulesOf(changed)
				if r[ri].Verbs = slices.Delete(slices.Clone(r[ri].Verbs), vi, vi+1); len(r[ri].Verbs) == 0 {
					setRules(changed, slices.Delete(r, ri, ri+1)) // a rule needs a verb
				}
				objs[i] = changed
				out = append(out, roleVariant{name: fmt.Sprintf("%s/%s/%s", obj.GetName(), strings.Join(rule.Resources, ","), verb), objs: objs})
			}
		}
	}
	return out
}

func rulesOf(obj client.Object) []rbacv1.PolicyRule {
	switch o := obj.(type) {
	case *rbacv1.ClusterRole:
		return o.Rules
	case *rbacv1.Role:
		return o.Rules
	}
	return nil
}

// keptVerbs are verbs a conflict-free rollout on this API server does not
// use, and why the role keeps them.
var keptVerbs = map[string]string{
	"fledge/canaries/get":         "the finalizer re-reads the Canary from the API server (not the cache) when its update conflicts",
	"fledge/canaries/list":        "the Canary informer lists on API servers without streaming watch-lists (WatchListClient); Kubernetes 1.37 here streams the initial list through watch",
	"fledge/httproutes/get":       "provider gatewayapi:v1's router reads the HTTPRoute (this rollout is OSM's; adapters/controller's Gateway API suite runs it)",
	"fledge/httproutes/create":    "provider gatewayapi:v1's router creates the HTTPRoute at bootstrap (not used by this OSM rollout)",
	"fledge/httproutes/update":    "provider gatewayapi:v1's router writes the weights (not used by this OSM rollout)",
	"fledge/metrictemplates/list": "the MetricTemplate informer lists on API servers without streaming watch-lists, as the Canary informer does",
	// The informer caches of what a tick reads (package kubecache): their
	// gets only happen when the cache lags a write, and lists on API
	// servers without streaming watch-lists.
	"fledge/deployments/get":               "a read just after the controller's own write, before the cache shows it",
	"fledge/deployments/list":              "the informer lists on API servers without streaming watch-lists",
	"fledge/services/get":                  "a read just after the controller's own write, before the cache shows it",
	"fledge/services/list":                 "the informer lists on API servers without streaming watch-lists",
	"fledge/configmaps,secrets/list":       "the metadata informers list on API servers without streaming watch-lists",
	"fledge/horizontalpodautoscalers/get":  "a read just after the controller's own write, before the cache shows it",
	"fledge/horizontalpodautoscalers/list": "the informer lists on API servers without streaming watch-lists",
	"fledge/trafficsplits/get":             "a read just after the controller's own write, before the cache shows it",
	"fledge/trafficsplits/list":            "the informer lists on API servers without streaming watch-lists",
	"fledge/httproutes/list":               "the informer lists on API servers without streaming watch-lists (and watch: only gatewayapi:v1 canaries are read through it)",
}

// TestLeastRBAC shows the shipped role is least: for every verb of every
// rule, the same representative rollout run with that verb removed has
// a call refused or does not end as expected. About 30 controller runs:
// built only with the reliability tag (make reliability).
func TestLeastRBAC(t *testing.T) {
	ctx := t.Context()
	tc := startCluster(t)
	tc.apply(ctx, t, nsObject(controllerNamespace))
	shipped := shippedRBAC(t)
	for i, v := range withoutEachVerb(shipped) {
		tc.apply(ctx, t, v.objs...)
		p, err := runAs(ctx, t, tc, fmt.Sprintf("least-%d", i), serviceAccount, true)
		refused := p.calls.filter(forbidden)
		switch {
		case len(refused) > 0:
			t.Logf("without %s: refused %s", v.name, refused[0])
		case err != nil:
			t.Logf("without %s: %v", v.name, err)
		case keptVerbs[v.name] != "":
			t.Logf("without %s: the rollout still works; kept: %s", v.name, keptVerbs[v.name])
		default:
			t.Errorf("without %s: the rollout still works, so the verb is not needed", v.name)
		}
		_ = tc.c.Delete(ctx, &coordinationv1.Lease{ObjectMeta: leaseMeta()})
	}
	tc.apply(ctx, t, shipped...)
}
