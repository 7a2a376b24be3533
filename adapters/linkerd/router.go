package linkerd

import (
	"context"
	"fmt"

	splitv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha1"
	"github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// Router routes a Canary's traffic with an SMI v1alpha1 TrafficSplit.
type Router struct {
	services *kube.Services
	client   versioned.Interface
}

var _ engine.Router = (*Router)(nil)

// NewRouter returns a Router that reconciles Services with services and
// TrafficSplits through client.
func NewRouter(services *kube.Services, client versioned.Interface) *Router {
	return &Router{services: services, client: client}
}

// Reconcile creates or updates the Services, then creates the TrafficSplit
// (all traffic to the primary) or fixes the names of an existing one.
func (r *Router) Reconcile(ctx context.Context, cd *v1.Canary, target engine.Target) error {
	if err := r.services.Reconcile(ctx, cd, target); err != nil {
		return err
	}
	want := newTrafficSplit(cd)
	api := r.client.SplitV1alpha1().TrafficSplits(cd.Namespace)
	_, err := api.Get(ctx, want.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if _, err := api.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("TrafficSplit %s.%s create error: %w", want.Name, want.Namespace, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("TrafficSplit %s.%s get query error: %w", want.Name, want.Namespace, err)
	}
	return r.update(ctx, cd, func(ts *splitv1alpha1.TrafficSplit) *splitv1alpha1.TrafficSplit {
		return syncedNames(ts, want)
	})
}

// Routes reads the primary and canary weights from the TrafficSplit.
func (r *Router) Routes(ctx context.Context, cd *v1.Canary) (decide.Routes, error) {
	names := cd.GetServiceNames()
	ts, err := r.client.SplitV1alpha1().TrafficSplits(cd.Namespace).Get(ctx, names.Apex, metav1.GetOptions{})
	if err != nil {
		return decide.Routes{}, fmt.Errorf("TrafficSplit %s.%s get query error: %w", names.Apex, cd.Namespace, err)
	}
	current := weights(ts.Spec.Backends)
	routes := decide.Routes{Primary: current[names.Primary], Canary: current[names.Canary]}
	if routes.Primary == 0 && routes.Canary == 0 {
		return decide.Routes{}, fmt.Errorf("TrafficSplit %s.%s does not contain routes for %s and %s",
			names.Apex, cd.Namespace, names.Primary, names.Canary)
	}
	return routes, nil
}

// SetRoutes writes the weights to the TrafficSplit's two backends. Weights
// that are negative or do not add up to 100 are refused.
func (r *Router) SetRoutes(ctx context.Context, cd *v1.Canary, routes decide.Routes) error {
	names := cd.GetServiceNames()
	if routes.Primary < 0 || routes.Canary < 0 || routes.Primary+routes.Canary != v1.TotalWeight {
		return fmt.Errorf("TrafficSplit %s.%s: weights primary %d and canary %d must be non-negative and add up to %d",
			names.Apex, cd.Namespace, routes.Primary, routes.Canary, v1.TotalWeight)
	}
	want := backends(names, routes)
	return r.update(ctx, cd, func(ts *splitv1alpha1.TrafficSplit) *splitv1alpha1.TrafficSplit {
		if equality.Semantic.DeepEqual(ts.Spec.Backends, want) {
			return nil
		}
		next := ts.DeepCopy()
		next.Spec.Backends = want
		return next
	})
}

// Release gives the apex Service back to the target (see
// kube.Services.Release). The TrafficSplit is left to garbage collection.
func (r *Router) Release(ctx context.Context, cd *v1.Canary) error {
	return r.services.Release(ctx, cd)
}

// update reads the TrafficSplit and writes the copy change returns, unless
// it returns nil (nothing to change), retrying on conflicts. change must
// not modify the TrafficSplit it is given: it may be the cache's.
func (r *Router) update(ctx context.Context, cd *v1.Canary, change func(*splitv1alpha1.TrafficSplit) *splitv1alpha1.TrafficSplit) error {
	name := cd.GetServiceNames().Apex
	api := r.client.SplitV1alpha1().TrafficSplits(cd.Namespace)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ts, err := api.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("TrafficSplit %s.%s get query error: %w", name, cd.Namespace, err)
		}
		next := change(ts)
		if next == nil {
			return nil
		}
		if _, err := api.Update(ctx, next, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("TrafficSplit %s.%s update error: %w", name, cd.Namespace, err)
		}
		return nil
	})
}

// newTrafficSplit is the TrafficSplit of a new Canary: all traffic to the primary.
func newTrafficSplit(cd *v1.Canary) *splitv1alpha1.TrafficSplit {
	names := cd.GetServiceNames()
	root := names.Apex
	if len(cd.Spec.Service.Hosts) > 0 && cd.Spec.Service.Hosts[0] != "" {
		root = cd.Spec.Service.Hosts[0]
	}
	return &splitv1alpha1.TrafficSplit{
		TypeMeta: metav1.TypeMeta{APIVersion: splitv1alpha1.SchemeGroupVersion.String(), Kind: "TrafficSplit"},
		ObjectMeta: metav1.ObjectMeta{
			Name:            names.Apex,
			Namespace:       cd.Namespace,
			OwnerReferences: []metav1.OwnerReference{kube.OwnerReference(cd)},
		},
		Spec: splitv1alpha1.TrafficSplitSpec{
			Service:  root,
			Backends: backends(names, decide.Routes{Primary: v1.TotalWeight}),
		},
	}
}

// backends lists the canary first, then the primary; a zero weight is kept.
func backends(names v1.ServiceNames, r decide.Routes) []splitv1alpha1.TrafficSplitBackend {
	return []splitv1alpha1.TrafficSplitBackend{
		{Service: names.Canary, Weight: resource.NewQuantity(int64(r.Canary), resource.DecimalExponent)},
		{Service: names.Primary, Weight: resource.NewQuantity(int64(r.Primary), resource.DecimalExponent)},
	}
}

// weights maps each backend's service to its weight; a missing or
// fractional weight counts as its integer part.
func weights(bs []splitv1alpha1.TrafficSplitBackend) map[string]int {
	out := make(map[string]int, len(bs))
	for _, b := range bs {
		if b.Weight != nil {
			out[b.Service] = int(b.Weight.Value())
		}
	}
	return out
}

// syncedNames returns a copy of ts with want's root service and backend
// names, or nil when ts has them. The current weights are kept when they still add up to 100 over
// the wanted backends; otherwise the split starts over at want's weights.
func syncedNames(ts, want *splitv1alpha1.TrafficSplit) *splitv1alpha1.TrafficSplit {
	if ts.Spec.Service == want.Spec.Service && sameServices(ts.Spec.Backends, want.Spec.Backends) {
		return nil
	}
	current := weights(ts.Spec.Backends)
	next := make([]splitv1alpha1.TrafficSplitBackend, len(want.Spec.Backends))
	total := 0
	for i, b := range want.Spec.Backends {
		w := current[b.Service]
		next[i] = splitv1alpha1.TrafficSplitBackend{Service: b.Service, Weight: resource.NewQuantity(int64(w), resource.DecimalExponent)}
		total += w
	}
	if total != v1.TotalWeight {
		next = want.Spec.Backends
	}
	synced := ts.DeepCopy()
	synced.Spec.Service, synced.Spec.Backends = want.Spec.Service, next
	return synced
}

func sameServices(a, b []splitv1alpha1.TrafficSplitBackend) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i].Service != b[i].Service {
			return false
		}
	}
	return true
}
