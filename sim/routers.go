package sim

import (
	"context"

	smiclient "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"
	gwfake "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/fake"

	"github.com/fledge-canary/fledge/adapters/gatewayapi"
	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/linkerd"
	"github.com/fledge-canary/fledge/adapters/smi"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/query"
	"github.com/fledge-canary/fledge/sim/traffic"
)

// newGatewayClient is the fake Gateway API clientset of a run. Its plain
// object tracker, as NewClients' (the field-managed one is much slower).
func newGatewayClient() *gwfake.Clientset {
	return gwfake.NewSimpleClientset() //nolint:staticcheck // see NewClients
}

// newRouter is the router of the canary's provider (the simulated
// controller's -mesh-provider is osm) over the run's fake clientsets: the
// same adapters the controller runs.
// With readThroughCache, its reads go through the run's cache.
func (r *run) newRouter() engine.Router {
	var (
		kubeClient                     = r.kube
		split      smiclient.Interface = r.smi
		gateway    gwclient.Interface  = r.gw
	)
	if r.reads != nil {
		kubeClient, split, gateway = r.reads.Kube, r.reads.SMI, r.reads.Gateway
	}
	services := kube.NewServices(kubeClient)
	switch r.canary.GetProvider(v1.ProviderOSM) {
	case v1.ProviderLinkerd:
		return linkerd.NewRouter(services, split)
	case v1.ProviderGatewayAPI:
		return gatewayapi.NewRouter(services, gateway)
	default:
		return smi.NewRouter(services, split)
	}
}

// routeClients are the clients the invariants read the routes with.
func (r *run) routeClients() RouteClients {
	return RouteClients{Split: r.smi, Gateway: r.gw}
}

// meshOf is whose series the traffic model exports for a canary: those
// its builtin metrics are judged by (see query.ObserverFor).
func meshOf(cd *v1.Canary) traffic.Mesh {
	switch query.ObserverFor(query.MetricsProvider(cd.Spec.Provider, v1.ProviderOSM)) {
	case query.ObserverLinkerd:
		return traffic.MeshLinkerd
	case query.ObserverIstio:
		return traffic.MeshIstio
	default:
		return traffic.MeshOSM
	}
}

// apexWeights are the weights that split the apex traffic: the router's,
// except under A/B testing on a router that matches requests, where the
// weights are those of the matched requests only and every other request
// stays on the primary. A scenario sends the matched users to the canary
// service directly (see scenarios/README.md).
func (r *run) apexWeights(ctx context.Context) (primary, canary int, err error) {
	a := r.canary.GetAnalysis()
	if len(a.Match) > 0 && v1.ProviderRoutesByMatch(r.canary.GetProvider(v1.ProviderOSM)) {
		return v1.TotalWeight, 0, nil
	}
	rt, err := r.router.Routes(ctx, r.canary)
	return rt.Primary, rt.Canary, err
}
