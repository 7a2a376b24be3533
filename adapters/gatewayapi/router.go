package gatewayapi

import (
	"context"
	"errors"
	"fmt"
	"maps"

	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/util/retry"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	"sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// ErrNoGatewayRefs is returned by Reconcile for a Canary without
// spec.service.gatewayRefs: an HTTPRoute without parents routes nothing.
var ErrNoGatewayRefs = errors.New("GatewayRefs must be specified when using Gateway API as a provider")

// Router routes a Canary's traffic with a Gateway API v1 HTTPRoute.
type Router struct {
	services *kube.Services
	client   versioned.Interface
}

var _ engine.Router = (*Router)(nil)

// NewRouter returns a Router that reconciles Services with services and
// HTTPRoutes through client.
func NewRouter(services *kube.Services, client versioned.Interface) *Router {
	return &Router{services: services, client: client}
}

// Reconcile creates or updates the Services, then creates the HTTPRoute
// (all traffic to the primary) or brings an existing one to the Canary's
// spec, keeping its weights.
func (r *Router) Reconcile(ctx context.Context, cd *v1.Canary, target engine.Target) error {
	if len(cd.Spec.Service.GatewayRefs) == 0 {
		return fmt.Errorf("HTTPRoute %s.%s: %w", cd.GetServiceNames().Apex, cd.Namespace, ErrNoGatewayRefs)
	}
	if err := r.services.Reconcile(ctx, cd, target); err != nil {
		return err
	}
	name := cd.GetServiceNames().Apex
	api := r.client.GatewayV1().HTTPRoutes(cd.Namespace)
	_, err := api.Get(ctx, name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return r.create(ctx, cd)
	}
	if err != nil {
		return fmt.Errorf("HTTPRoute %s.%s get error: %w", name, cd.Namespace, err)
	}
	return r.update(ctx, cd, func(route *gwv1.HTTPRoute) (*gwv1.HTTPRoute, error) {
		current, ok := weightsOf(route, cd.GetServiceNames())
		if !ok {
			current = decide.Routes{Primary: v1.TotalWeight}
		}
		want, err := newRoute(cd, current)
		if err != nil {
			return nil, err
		}
		return syncedRoute(route, want), nil
	})
}

func (r *Router) create(ctx context.Context, cd *v1.Canary) error {
	route, err := newRoute(cd, decide.Routes{Primary: v1.TotalWeight})
	if err != nil {
		return err
	}
	if _, err := r.client.GatewayV1().HTTPRoutes(cd.Namespace).Create(ctx, route, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("HTTPRoute %s.%s create error: %w", route.Name, route.Namespace, err)
	}
	return nil
}

// Routes reads the primary and canary weights of the HTTPRoute's weighted
// rule.
func (r *Router) Routes(ctx context.Context, cd *v1.Canary) (decide.Routes, error) {
	names := cd.GetServiceNames()
	route, err := r.client.GatewayV1().HTTPRoutes(cd.Namespace).Get(ctx, names.Apex, metav1.GetOptions{})
	if err != nil {
		return decide.Routes{}, fmt.Errorf("HTTPRoute %s.%s get error: %w", names.Apex, cd.Namespace, err)
	}
	routes, ok := weightsOf(route, names)
	if !ok {
		return decide.Routes{}, fmt.Errorf("HTTPRoute %s.%s has no rule routing to %s and %s",
			names.Apex, cd.Namespace, names.Primary, names.Canary)
	}
	return routes, nil
}

// SetRoutes writes the weights to the HTTPRoute's weighted rule (and
// rewrites the rest of its spec from the Canary). Weights that are
// negative or do not add up to 100 are refused.
func (r *Router) SetRoutes(ctx context.Context, cd *v1.Canary, routes decide.Routes) error {
	names := cd.GetServiceNames()
	if routes.Primary < 0 || routes.Canary < 0 || routes.Primary+routes.Canary != v1.TotalWeight {
		return fmt.Errorf("HTTPRoute %s.%s: weights primary %d and canary %d must be non-negative and add up to %d",
			names.Apex, cd.Namespace, routes.Primary, routes.Canary, v1.TotalWeight)
	}
	spec, err := routeSpec(cd, routes)
	if err != nil {
		return err
	}
	return r.update(ctx, cd, func(route *gwv1.HTTPRoute) (*gwv1.HTTPRoute, error) {
		if equality.Semantic.DeepEqual(route.Spec, spec) {
			return nil, nil
		}
		next := route.DeepCopy()
		next.Spec = spec
		return next, nil
	})
}

// Release gives the apex Service back to the target (see
// kube.Services.Release). The HTTPRoute is left to garbage collection.
func (r *Router) Release(ctx context.Context, cd *v1.Canary) error {
	return r.services.Release(ctx, cd)
}

// update reads the HTTPRoute and writes the copy change returns, unless it
// returns nil (nothing to change), retrying on conflicts. change must not
// modify the HTTPRoute it is given: it may be the cache's.
func (r *Router) update(ctx context.Context, cd *v1.Canary, change func(*gwv1.HTTPRoute) (*gwv1.HTTPRoute, error)) error {
	name := cd.GetServiceNames().Apex
	api := r.client.GatewayV1().HTTPRoutes(cd.Namespace)
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		route, err := api.Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return fmt.Errorf("HTTPRoute %s.%s get error: %w", name, cd.Namespace, err)
		}
		next, err := change(route)
		if err != nil || next == nil {
			return err
		}
		if _, err := api.Update(ctx, next, metav1.UpdateOptions{}); err != nil {
			return fmt.Errorf("HTTPRoute %s.%s update error: %w", name, cd.Namespace, err)
		}
		return nil
	})
}

// syncedRoute returns a copy of route with want's spec, labels and
// annotations, or nil when route has them.
func syncedRoute(route, want *gwv1.HTTPRoute) *gwv1.HTTPRoute {
	if equality.Semantic.DeepEqual(route.Spec, want.Spec) &&
		maps.Equal(route.Labels, want.Labels) && maps.Equal(route.Annotations, want.Annotations) {
		return nil
	}
	next := route.DeepCopy()
	next.Spec, next.Labels, next.Annotations = want.Spec, want.Labels, want.Annotations
	return next
}
