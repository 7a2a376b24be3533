package sim

import (
	"context"
	"fmt"

	"github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// RouteClients are the clients of the objects that carry a canary's
// weights: SMI TrafficSplits (osm: v1alpha2, linkerd: v1alpha1) and
// Gateway API HTTPRoutes (gatewayapi:v1).
type RouteClients struct {
	Split   versioned.Interface
	Gateway gwclient.Interface
}

// splitOf maps each backend Service of the canary's routing object (for
// an HTTPRoute, of its rule with two backends) to its weight; nil when the
// object does not exist yet.
func (c RouteClients) splitOf(ctx context.Context, cd *v1.Canary) (map[string]int, error) {
	name := cd.GetServiceNames().Apex
	split := map[string]int{}
	var err error
	switch cd.GetProvider(v1.ProviderOSM) {
	case v1.ProviderLinkerd:
		err = c.linkerdSplit(ctx, cd.Namespace, name, split)
	case v1.ProviderGatewayAPI:
		err = c.routeSplit(ctx, cd.Namespace, name, split)
	default:
		err = c.osmSplit(ctx, cd.Namespace, name, split)
	}
	switch {
	case apierrors.IsNotFound(err):
		return nil, nil
	case err != nil:
		return nil, fmt.Errorf("reading the routes of %s: %w", name, err)
	}
	return split, nil
}

func (c RouteClients) osmSplit(ctx context.Context, ns, name string, split map[string]int) error {
	ts, err := c.Split.SplitV1alpha2().TrafficSplits(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, b := range ts.Spec.Backends {
		split[b.Service] += b.Weight
	}
	return nil
}

func (c RouteClients) linkerdSplit(ctx context.Context, ns, name string, split map[string]int) error {
	ts, err := c.Split.SplitV1alpha1().TrafficSplits(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, b := range ts.Spec.Backends {
		if b.Weight != nil {
			split[b.Service] += int(b.Weight.Value())
		}
	}
	return nil
}

func (c RouteClients) routeSplit(ctx context.Context, ns, name string, split map[string]int) error {
	hr, err := c.Gateway.GatewayV1().HTTPRoutes(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return err
	}
	for _, rule := range hr.Spec.Rules {
		if len(rule.BackendRefs) != 2 {
			continue
		}
		for _, b := range rule.BackendRefs {
			split[string(b.Name)] += int(ptr.Deref(b.Weight, 1))
		}
		return nil
	}
	return nil
}
