// Package trafficsplit is the core's router port over an SMI TrafficSplit,
// whichever API version serves it: package smi (split.smi-spec.io/v1alpha2,
// for Open Service Mesh) and package linkerd (v1alpha1, for Linkerd's SMI
// extension) each supply a [Version] — the typed client and the conversion
// of their object to and from [Spec] — and share the [Router]: the
// TrafficSplit named after the apex Service, the canary backend listed
// first and kept at weight 0, the weights written only by SetRoutes and
// only when they change.
package trafficsplit

import (
	"context"
	"fmt"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// Spec is a TrafficSplit's spec as both versions can hold it.
type Spec struct {
	Service  string    // the root service
	Backends []Backend // in the order they are listed
}

// Backend is one backend Service and its weight, an integer from 0 to 100.
type Backend struct {
	Service string
	Weight  int
}

// Client is a version's typed TrafficSplit client in one namespace; the
// generated clientsets' TrafficSplitInterface satisfies it.
type Client[T any] interface {
	Get(ctx context.Context, name string, opts metav1.GetOptions) (T, error)
	Create(ctx context.Context, ts T, opts metav1.CreateOptions) (T, error)
	Update(ctx context.Context, ts T, opts metav1.UpdateOptions) (T, error)
}

// Version is what differs between two TrafficSplit API versions. Spec and
// WithSpec must not change the object they are given: it may be an
// informer cache's.
type Version[T any] interface {
	Client(namespace string) Client[T]
	// New is a TrafficSplit with the given metadata and spec.
	New(meta metav1.ObjectMeta, spec Spec) T
	// Spec reads the spec of ts, its weights as integers.
	Spec(ts T) Spec
	// WithSpec is a copy of ts with spec.
	WithSpec(ts T, spec Spec) T
}

// Router routes a Canary's traffic with a TrafficSplit of version T.
type Router[T any] struct {
	services *kube.Services
	version  Version[T]
}

// NewRouter returns a Router that reconciles Services with services and
// TrafficSplits through version.
func NewRouter[T any](services *kube.Services, version Version[T]) *Router[T] {
	return &Router[T]{services: services, version: version}
}

// Reconcile creates or updates the Services, then creates the TrafficSplit
// (all traffic to the primary) or fixes the names of an existing one.
func (r *Router[T]) Reconcile(ctx context.Context, cd *v1.Canary, target engine.Target) error {
	if err := r.services.Reconcile(ctx, cd, target); err != nil {
		return err
	}
	want := newSpec(cd)
	name := cd.GetServiceNames().Apex
	api := r.version.Client(cd.Namespace)
	_, err := api.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		meta := metav1.ObjectMeta{Name: name, Namespace: cd.Namespace, OwnerReferences: []metav1.OwnerReference{kube.OwnerReference(cd)}}
		if _, err := api.Create(ctx, r.version.New(meta, want), metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("TrafficSplit %s.%s create error: %w", name, cd.Namespace, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("TrafficSplit %s.%s get query error: %w", name, cd.Namespace, err)
	}
	return r.update(ctx, cd, func(current Spec) (Spec, bool) { return syncedNames(current, want) })
}

// Routes reads the primary and canary weights from the TrafficSplit.
func (r *Router[T]) Routes(ctx context.Context, cd *v1.Canary) (decide.Routes, error) {
	names := cd.GetServiceNames()
	ts, err := r.version.Client(cd.Namespace).Get(ctx, names.Apex, metav1.GetOptions{})
	if err != nil {
		return decide.Routes{}, fmt.Errorf("TrafficSplit %s.%s get query error: %w", names.Apex, cd.Namespace, err)
	}
	current := weights(r.version.Spec(ts).Backends)
	routes := decide.Routes{Primary: current[names.Primary], Canary: current[names.Canary]}
	if routes.Primary == 0 && routes.Canary == 0 {
		return decide.Routes{}, fmt.Errorf("TrafficSplit %s.%s does not contain routes for %s and %s",
			names.Apex, cd.Namespace, names.Primary, names.Canary)
	}
	return routes, nil
}

// SetRoutes writes the weights to the TrafficSplit's two backends, unless
// they are set already. Weights that are negative or do not add up to 100
// are refused.
func (r *Router[T]) SetRoutes(ctx context.Context, cd *v1.Canary, routes decide.Routes) error {
	names := cd.GetServiceNames()
	if routes.Primary < 0 || routes.Canary < 0 || routes.Primary+routes.Canary != v1.TotalWeight {
		return fmt.Errorf("TrafficSplit %s.%s: weights primary %d and canary %d must be non-negative and add up to %d",
			names.Apex, cd.Namespace, routes.Primary, routes.Canary, v1.TotalWeight)
	}
	want := backends(names, routes)
	return r.update(ctx, cd, func(current Spec) (Spec, bool) {
		if slices.Equal(current.Backends, want) {
			return Spec{}, false
		}
		return Spec{Service: current.Service, Backends: want}, true
	})
}

// Release gives the apex Service back to the target (see
// kube.Services.Release). The TrafficSplit is left to garbage collection:
// the mesh has nothing else to undo.
func (r *Router[T]) Release(ctx context.Context, cd *v1.Canary) error {
	return r.services.Release(ctx, cd)
}

// update reads the TrafficSplit and writes it with the spec change
// returns, unless it reports no change, retrying on conflicts.
func (r *Router[T]) update(ctx context.Context, cd *v1.Canary, change func(current Spec) (Spec, bool)) error {
	name := cd.GetServiceNames().Apex
	api := r.version.Client(cd.Namespace)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		ts, err := api.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("TrafficSplit %s.%s get query error: %w", name, cd.Namespace, err)
		}
		next, changed := change(r.version.Spec(ts))
		if !changed {
			return nil
		}
		if _, err := api.Update(ctx, r.version.WithSpec(ts, next), metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("TrafficSplit %s.%s update error: %w", name, cd.Namespace, err)
		}
		return nil
	})
}

// newSpec is the spec of a new Canary's TrafficSplit: all traffic to the
// primary, the root service hosts[0], else the apex Service.
func newSpec(cd *v1.Canary) Spec {
	names := cd.GetServiceNames()
	root := names.Apex
	if len(cd.Spec.Service.Hosts) > 0 && cd.Spec.Service.Hosts[0] != "" {
		root = cd.Spec.Service.Hosts[0]
	}
	return Spec{Service: root, Backends: backends(names, decide.Routes{Primary: v1.TotalWeight})}
}

// backends lists the canary first, then the primary; a zero weight is
// kept: OSM once broke when a zero-weight backend was dropped.
func backends(names v1.ServiceNames, r decide.Routes) []Backend {
	return []Backend{{Service: names.Canary, Weight: r.Canary}, {Service: names.Primary, Weight: r.Primary}}
}

// weights maps each backend's service to its weight.
func weights(bs []Backend) map[string]int {
	out := make(map[string]int, len(bs))
	for _, b := range bs {
		out[b.Service] = b.Weight
	}
	return out
}

// syncedNames is current with want's root service and backend names, and
// whether that differs from current. The current weights are kept when
// they still add up to 100 over the wanted backends; otherwise the split
// starts over at want's weights.
func syncedNames(current, want Spec) (Spec, bool) {
	if current.Service == want.Service && sameServices(current.Backends, want.Backends) {
		return Spec{}, false
	}
	weight := weights(current.Backends)
	next := make([]Backend, len(want.Backends))
	total := 0
	for i, b := range want.Backends {
		next[i] = Backend{Service: b.Service, Weight: weight[b.Service]}
		total += next[i].Weight
	}
	if total != v1.TotalWeight {
		next = want.Backends
	}
	return Spec{Service: want.Service, Backends: next}, true
}

func sameServices(a, b []Backend) bool {
	return slices.EqualFunc(a, b, func(x, y Backend) bool { return x.Service == y.Service })
}
