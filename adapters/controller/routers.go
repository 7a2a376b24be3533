package controller

import (
	"context"
	"fmt"

	smiclient "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"

	"github.com/fledge-canary/fledge/adapters/gatewayapi"
	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/linkerd"
	"github.com/fledge-canary/fledge/adapters/smi"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// providerRouter routes each Canary with the router of its provider: its
// spec.provider, else the controller's -mesh-provider.
type providerRouter struct {
	meshProvider string
	routers      map[string]engine.Router
}

var _ engine.Router = (*providerRouter)(nil)

// newProviderRouter builds the router of every provider over the clients.
func newProviderRouter(meshProvider string, services *kube.Services, split smiclient.Interface, gateway gwclient.Interface) *providerRouter {
	return &providerRouter{meshProvider: meshProvider, routers: map[string]engine.Router{
		v1.ProviderOSM:        smi.NewRouter(services, split),
		v1.ProviderLinkerd:    linkerd.NewRouter(services, split),
		v1.ProviderGatewayAPI: gatewayapi.NewRouter(services, gateway),
	}}
}

// pick is the Canary's router. Validation refuses other providers before
// a tick, so an unknown one is an error, not a fallback.
func (p *providerRouter) pick(cd *v1.Canary) (engine.Router, error) {
	provider := cd.GetProvider(p.meshProvider)
	r, ok := p.routers[provider]
	if !ok {
		return nil, fmt.Errorf("provider %q is not supported", provider)
	}
	return r, nil
}

func (p *providerRouter) Reconcile(ctx context.Context, cd *v1.Canary, target engine.Target) error {
	r, err := p.pick(cd)
	if err != nil {
		return err
	}
	return r.Reconcile(ctx, cd, target)
}

func (p *providerRouter) Routes(ctx context.Context, cd *v1.Canary) (decide.Routes, error) {
	r, err := p.pick(cd)
	if err != nil {
		return decide.Routes{}, err
	}
	return r.Routes(ctx, cd)
}

func (p *providerRouter) SetRoutes(ctx context.Context, cd *v1.Canary, routes decide.Routes) error {
	r, err := p.pick(cd)
	if err != nil {
		return err
	}
	return r.SetRoutes(ctx, cd, routes)
}

func (p *providerRouter) Release(ctx context.Context, cd *v1.Canary) error {
	r, err := p.pick(cd)
	if err != nil {
		return err
	}
	return r.Release(ctx, cd)
}
