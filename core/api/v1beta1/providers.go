package v1beta1

import "slices"

// The mesh providers Fledge routes for besides ProviderOSM.
const (
	// ProviderLinkerd routes with an SMI TrafficSplit v1alpha1 (Linkerd's
	// SMI extension), as Flagger does for provider linkerd.
	ProviderLinkerd = "linkerd"
	// ProviderGatewayAPI routes with a Gateway API v1 HTTPRoute; with the
	// apex Service as parentRef it is GAMMA mesh routing (Linkerd, Istio,
	// Cilium).
	ProviderGatewayAPI = "gatewayapi:v1"
)

// Providers lists the providers Fledge routes for, in the order messages
// name them.
func Providers() []string {
	return []string{ProviderOSM, ProviderLinkerd, ProviderGatewayAPI}
}

// IsProvider reports whether Fledge routes for the provider.
func IsProvider(p string) bool {
	return slices.Contains(Providers(), p)
}

// ProviderRoutesByMatch reports whether the provider's router can send
// requests by header, cookie or query parameter (analysis.match, A/B
// testing): only Gateway API's HTTPRoute can; SMI TrafficSplits cannot.
func ProviderRoutesByMatch(p string) bool {
	return p == ProviderGatewayAPI
}

// ProviderRouterName names the provider's routing object in messages.
func ProviderRouterName(p string) string {
	switch p {
	case ProviderLinkerd:
		return "Linkerd's SMI TrafficSplit"
	case ProviderGatewayAPI:
		return "the Gateway API HTTPRoute"
	default:
		return "OSM"
	}
}
