package kubecache

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"
	typedgwv1 "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/typed/apis/v1"
)

type gatewayClientset struct {
	gwclient.Interface
	r *readers
}

func (c gatewayClientset) GatewayV1() typedgwv1.GatewayV1Interface {
	return gatewayV1{GatewayV1Interface: c.Interface.GatewayV1(), r: c.r}
}

type gatewayV1 struct {
	typedgwv1.GatewayV1Interface
	r *readers
}

func (g gatewayV1) HTTPRoutes(ns string) typedgwv1.HTTPRouteInterface {
	return httpRoutes{HTTPRouteInterface: g.GatewayV1Interface.HTTPRoutes(ns), ns: ns, r: g.r}
}

type httpRoutes struct {
	typedgwv1.HTTPRouteInterface
	ns string
	r  *readers
}

func (h httpRoutes) Get(ctx context.Context, name string, opts metav1.GetOptions) (*gwv1.HTTPRoute, error) {
	if live(opts) {
		return h.HTTPRouteInterface.Get(ctx, name, opts)
	}
	return h.r.routes.get(ctx, h.ns, name, getter(ctx, h.HTTPRouteInterface.Get, name))
}

func (h httpRoutes) Create(ctx context.Context, obj *gwv1.HTTPRoute, opts metav1.CreateOptions) (*gwv1.HTTPRoute, error) {
	got, err := h.HTTPRouteInterface.Create(ctx, obj, opts)
	return written(h.r, "HTTPRoute", h.ns, got, err)
}

func (h httpRoutes) Update(ctx context.Context, obj *gwv1.HTTPRoute, opts metav1.UpdateOptions) (*gwv1.HTTPRoute, error) {
	got, err := h.HTTPRouteInterface.Update(ctx, obj, opts)
	return written(h.r, "HTTPRoute", h.ns, got, err)
}
