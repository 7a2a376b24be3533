package v1beta1

import (
	"fmt"
	"maps"
	"slices"
	"strings"
)

// meshProvider is the provider of a Canary without spec.provider.
func (o ValidationOptions) meshProvider() string {
	if o.MeshProvider == "" {
		return ProviderOSM
	}
	return o.MeshProvider
}

// routesBeyondOSM reports whether the provider is one Fledge routes for
// with its own checks; any other (OSM, or a provider already refused) is
// checked as OSM.
func routesBeyondOSM(provider string) bool {
	return provider != ProviderOSM && IsProvider(provider)
}

// validateProviderName checks spec.provider: empty (the controller's
// -mesh-provider) or a provider Fledge routes for.
func validateProviderName(r *report, p string) {
	switch {
	case p == "" || IsProvider(p):
	case p == "gatewayapi":
		r.fail("spec.provider", "%q names no API version: set %q (Flagger silently routes it with an Istio VirtualService)",
			p, ProviderGatewayAPI)
	case strings.HasPrefix(p, "gatewayapi:"):
		r.fail("spec.provider", "%q is not supported: set %q; Fledge writes gateway.networking.k8s.io/v1 HTTPRoutes only",
			p, ProviderGatewayAPI)
	default:
		r.fail("spec.provider", "%q is not supported: set %s, or leave it empty for the controller's -mesh-provider",
			p, quotedList(Providers()))
	}
}

// ValidateMeshProvider checks a controller's -mesh-provider: the provider
// of the Canaries that name none.
func ValidateMeshProvider(p string) error {
	if !IsProvider(p) {
		return fmt.Errorf("mesh provider %q is not supported: use %s", p, quotedList(Providers()))
	}
	return nil
}

func quotedList(items []string) string {
	quoted := make([]string, len(items))
	for i, s := range items {
		quoted[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " or " + quoted[len(quoted)-1]
}

// validateProviderService checks the service fields that depend on a
// provider other than OSM.
func validateProviderService(r *report, p string, s CanaryService, provider string) {
	router := ProviderRouterName(provider)
	if len(s.Gateways) > 0 {
		r.warn(p+".gateways", "ignored by %s (Istio only; Gateway API's parents are gatewayRefs)", router)
	}
	if provider != ProviderGatewayAPI {
		if s.Timeout != "" {
			r.warn(p+".timeout", "ignored by %s (Istio and Gateway API only)", router)
		}
		if len(s.GatewayRefs) > 0 {
			r.warn(p+".gatewayRefs", "ignored by %s (provider %s only)", router, ProviderGatewayAPI)
		}
		return
	}
	if len(s.GatewayRefs) == 0 {
		r.fail(p+".gatewayRefs", "required by provider %s: the Gateways the HTTPRoute attaches to, or for mesh (GAMMA) "+
			"routing the apex Service itself (group \"\", kind Service)", ProviderGatewayAPI)
	}
	for i, ref := range s.GatewayRefs {
		if ref.Name == "" {
			r.fail(fmt.Sprintf("%s.gatewayRefs[%d].name", p, i), "required")
		}
	}
}

// validateProviderRouting rejects what the provider's router cannot do.
func validateProviderRouting(r *report, a *CanaryAnalysis, path, provider string) {
	router := ProviderRouterName(provider)
	if a.Mirror {
		reason := router + " cannot mirror traffic"
		if provider == ProviderGatewayAPI {
			reason = "Fledge does not mirror traffic on Gateway API yet (Flagger adds a RequestMirror filter)"
		}
		r.fail(path+".mirror", "%s: remove it", reason)
	}
	if len(a.Match) > 0 {
		if ProviderRoutesByMatch(provider) {
			validateMatches(r, a, path)
		} else {
			r.fail(path+".match", "%s cannot route by header: remove it and use iterations without match for blue/green "+
				"(Flagger would send 100%% of traffic to the canary)", router)
		}
	}
	sa := a.SessionAffinity
	if sa == nil {
		return
	}
	p := path + ".sessionAffinity"
	if provider == ProviderGatewayAPI {
		r.warn(p, "ignored: Fledge's Gateway API router does not pin sessions yet (Flagger's does)")
	} else {
		r.warn(p, "ignored: %s cannot pin sessions (Istio and Gateway API only)", router)
	}
	validateCookieNames(r, p, sa)
}

// validateMatches checks analysis.match for an HTTPRoute: each entry needs
// headers or query parameters, matched exactly or by regex.
func validateMatches(r *report, a *CanaryAnalysis, path string) {
	if a.Iterations == 0 {
		r.warn(path+".match", "without iterations this is not A/B testing: only the matched requests are shifted to the "+
			"canary step by step, the others stay on the primary (as in Flagger)")
	}
	for i, m := range a.Match {
		p := fmt.Sprintf("%s.match[%d]", path, i)
		if len(m.Headers) == 0 && len(m.QueryParams) == 0 {
			r.fail(p, "give headers or queryParams: an entry without them matches every request")
		}
		if m.URI != nil || m.Method != nil || len(m.SourceLabels) > 0 {
			r.warn(p, "uri, method and sourceLabels are ignored: the HTTPRoute matches every path and only the headers "+
				"and query parameters of analysis.match (as Flagger's)")
		}
		validateStringMatches(r, p+".headers", m.Headers)
		validateStringMatches(r, p+".queryParams", m.QueryParams)
	}
}

func validateStringMatches(r *report, p string, ms map[string]StringMatch) {
	for _, name := range slices.Sorted(maps.Keys(ms)) {
		if m := ms[name]; m.Exact == "" && m.Regex == "" {
			r.fail(p+"."+name, "set exact or regex: an HTTPRoute cannot match by prefix or suffix "+
				"(Flagger drops the whole match and sends every request to the canary)")
		}
	}
}
