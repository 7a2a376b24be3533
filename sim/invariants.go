package sim

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// Snapshot is what the invariants look at: the canary's status, the
// backends of its routing object (TrafficSplit or HTTPRoute) and the
// replicas of its two Deployments.
type Snapshot struct {
	Status v1.CanaryStatus
	// Split maps each backend Service of the TrafficSplit to its weight;
	// nil when there is no TrafficSplit yet.
	Split map[string]int
	// PrimaryReplicas and TargetReplicas are spec.replicas (nil counts as
	// 1); -1 when the Deployment does not exist.
	PrimaryReplicas, TargetReplicas int32
	// PrimaryTemplate is the hash of the primary's pod template.
	PrimaryTemplate string
}

// TakeSnapshot reads a canary's objects through the clients; cd's status
// is taken as it is.
func TakeSnapshot(ctx context.Context, kc kubernetes.Interface, rc RouteClients, cd *v1.Canary) (Snapshot, error) {
	snap := Snapshot{Status: *cd.Status.DeepCopy(), PrimaryReplicas: -1, TargetReplicas: -1}
	split, err := rc.splitOf(ctx, cd)
	if err != nil {
		return snap, err
	}
	snap.Split = split
	deps := kc.AppsV1().Deployments(cd.Namespace)
	for _, d := range []struct {
		name     string
		replicas *int32
		hash     *string
	}{{cd.GetPrimaryName(), &snap.PrimaryReplicas, &snap.PrimaryTemplate}, {cd.Spec.TargetRef.Name, &snap.TargetReplicas, nil}} {
		dep, err := deps.Get(ctx, d.name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return snap, fmt.Errorf("reading deployment %s: %w", d.name, err)
		}
		*d.replicas = 1
		if dep.Spec.Replicas != nil {
			*d.replicas = *dep.Spec.Replicas
		}
		if d.hash != nil {
			if *d.hash, err = kube.TemplateHash(&dep.Spec.Template); err != nil {
				return snap, err
			}
		}
	}
	return snap, nil
}

// Invariants checks the state after a tick against the state before it:
//   - the TrafficSplit, once it exists, has exactly the primary and canary
//     backends, with weights that add up to 100;
//   - the primary Deployment has replicas while it takes traffic, and so
//     does the target (the canary);
//   - a tick that starts with the failed checks at the threshold does not
//     raise the canary's weight, copy the canary to the primary, or move to
//     Promoting, Finalising or Succeeded;
//   - a tick that ends in Failed (a rollback) leaves all traffic on the
//     primary and the target at zero replicas. A failed promotion (primary
//     stuck while promoting) is the exception Fledge keeps from Flagger
//     1.44: traffic goes to the canary, whose status weight is then 100.
func Invariants(cd *v1.Canary, before, after Snapshot) []error {
	var errs []error
	for _, check := range []func(*v1.Canary, Snapshot, Snapshot) []error{splitValid, noPromotionPastThreshold, rolledBack} {
		errs = append(errs, check(cd, before, after)...)
	}
	return errs
}

// routesOf reads the primary and canary weights of a snapshot's split.
func routesOf(cd *v1.Canary, snap Snapshot) decide.Routes {
	names := cd.GetServiceNames()
	return decide.Routes{Primary: snap.Split[names.Primary], Canary: snap.Split[names.Canary]}
}

func splitValid(cd *v1.Canary, _, after Snapshot) []error {
	if after.Split == nil {
		return nil
	}
	var errs []error
	names := cd.GetServiceNames()
	_, hasPrimary := after.Split[names.Primary]
	_, hasCanary := after.Split[names.Canary]
	if !hasPrimary || !hasCanary || len(after.Split) != 2 {
		errs = append(errs, fmt.Errorf("TrafficSplit backends are %v, want %s and %s", after.Split, names.Primary, names.Canary))
	}
	r := routesOf(cd, after)
	if r.Primary+r.Canary != v1.TotalWeight || r.Primary < 0 || r.Canary < 0 {
		errs = append(errs, fmt.Errorf("TrafficSplit weights primary %d and canary %d do not add up to %d", r.Primary, r.Canary, v1.TotalWeight))
	}
	if r.Primary > 0 && after.PrimaryReplicas <= 0 {
		errs = append(errs, fmt.Errorf("the primary takes %d%% of the traffic with %d replicas", r.Primary, after.PrimaryReplicas))
	}
	if r.Canary > 0 && after.TargetReplicas <= 0 {
		errs = append(errs, fmt.Errorf("the canary takes %d%% of the traffic with %d replicas", r.Canary, after.TargetReplicas))
	}
	return errs
}

func noPromotionPastThreshold(cd *v1.Canary, before, after Snapshot) []error {
	failed := before.Status.FailedChecks
	if !decide.Analysing(before.Status.Phase) || !decide.ThresholdReached(failed, cd.GetThreshold()) {
		return nil
	}
	var errs []error
	if was, is := routesOf(cd, before).Canary, routesOf(cd, after).Canary; before.Split != nil && is > was {
		errs = append(errs, fmt.Errorf("canary weight raised from %d to %d after %d failed checks", was, is, failed))
	}
	if after.PrimaryTemplate != before.PrimaryTemplate {
		errs = append(errs, fmt.Errorf("the canary was copied to the primary after %d failed checks", failed))
	}
	switch after.Status.Phase {
	case v1.PhasePromoting, v1.PhaseFinalising, v1.PhaseSucceeded:
		errs = append(errs, fmt.Errorf("moved to %s after %d failed checks", after.Status.Phase, failed))
	}
	return errs
}

func rolledBack(cd *v1.Canary, _, after Snapshot) []error {
	if after.Status.Phase != v1.PhaseFailed || after.Status.CanaryWeight == v1.TotalWeight {
		return nil
	}
	var errs []error
	if r := routesOf(cd, after); after.Split == nil || r.Primary != v1.TotalWeight {
		errs = append(errs, fmt.Errorf("rolled back with routes %+v, want all traffic on the primary", r))
	}
	if after.TargetReplicas != 0 {
		errs = append(errs, fmt.Errorf("rolled back with the target at %d replicas, want 0", after.TargetReplicas))
	}
	return errs
}
