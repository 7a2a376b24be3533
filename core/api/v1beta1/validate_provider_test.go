package v1beta1

import (
	"testing"
)

func onGatewayAPI(c *Canary) {
	c.Spec.Provider = ProviderGatewayAPI
	c.Spec.Service.GatewayRefs = []GatewayRef{{Name: "public", Namespace: ptr("gateway")}}
}

// abTesting turns the tutorial's analysis into A/B testing on matches.
func abTesting(matches ...HTTPMatchRequest) canaryMod {
	return withAnalysis(func(a *CanaryAnalysis) {
		a.StepWeight, a.MaxWeight, a.Iterations, a.Match = 0, 0, 10, matches
	})
}

var insider = HTTPMatchRequest{Headers: map[string]StringMatch{"x-canary": {Exact: "insider"}}}

func TestValidateProviders(t *testing.T) {
	tests := map[string]struct {
		mods        []canaryMod
		opts        ValidationOptions
		errs, warns []string
	}{
		"linkerd":                      {mods: []canaryMod{withSpec(func(s *CanarySpec) { s.Provider = ProviderLinkerd })}},
		"gatewayapi:v1 with a Gateway": {mods: []canaryMod{onGatewayAPI}},
		"gatewayapi:v1 on GAMMA, with timeout": {mods: []canaryMod{onGatewayAPI, withService(func(s *CanaryService) {
			s.GatewayRefs = []GatewayRef{{Group: ptr(""), Kind: ptr("Service"), Name: "podinfo"}}
			s.Timeout = "10s"
		})}},
		"the mesh provider for a Canary without provider": {
			mods:  []canaryMod{withSpec(func(s *CanarySpec) { s.Provider = "" }), withService(func(s *CanaryService) { s.Timeout = "10s" })},
			opts:  ValidationOptions{MeshProvider: ProviderLinkerd},
			warns: []string{"spec.service.timeout: ignored by Linkerd's SMI TrafficSplit (Istio and Gateway API only)"},
		},
		"gatewayapi:v1 without gatewayRefs": {
			mods: []canaryMod{onGatewayAPI, withService(func(s *CanaryService) { s.GatewayRefs = nil })},
			errs: []string{`spec.service.gatewayRefs: required by provider gatewayapi:v1: the Gateways the HTTPRoute attaches to, ` +
				`or for mesh (GAMMA) routing the apex Service itself (group "", kind Service)`},
		},
		"gatewayRef without name": {
			mods: []canaryMod{onGatewayAPI, withService(func(s *CanaryService) { s.GatewayRefs = []GatewayRef{{}} })},
			errs: []string{"spec.service.gatewayRefs[0].name: required"},
		},
		"gatewayapi without version": {
			mods:  []canaryMod{onGatewayAPI, withSpec(func(s *CanarySpec) { s.Provider = "gatewayapi" })},
			errs:  []string{`spec.provider: "gatewayapi" names no API version: set "gatewayapi:v1" (Flagger silently routes it with an Istio VirtualService)`},
			warns: []string{`spec.service.gatewayRefs: ignored by the OSM router (provider gatewayapi:v1 only)`},
		},
		"gatewayapi:v1beta1": {
			mods:  []canaryMod{onGatewayAPI, withSpec(func(s *CanarySpec) { s.Provider = "gatewayapi:v1beta1" })},
			errs:  []string{`spec.provider: "gatewayapi:v1beta1" is not supported: set "gatewayapi:v1"; Fledge writes gateway.networking.k8s.io/v1 HTTPRoutes only`},
			warns: []string{`spec.service.gatewayRefs: ignored by the OSM router (provider gatewayapi:v1 only)`},
		},
		"gateways on gatewayapi:v1": {
			mods:  []canaryMod{onGatewayAPI, withService(func(s *CanaryService) { s.Gateways = []string{"public"} })},
			warns: []string{"spec.service.gateways: ignored by the Gateway API HTTPRoute (Istio only; Gateway API's parents are gatewayRefs)"},
		},
		"A/B testing on gatewayapi:v1": {mods: []canaryMod{onGatewayAPI, abTesting(insider,
			HTTPMatchRequest{Headers: map[string]StringMatch{"cookie": {Regex: "^(.*?;)?(canary=always)(;.*)?$"}}},
			HTTPMatchRequest{QueryParams: map[string]StringMatch{"beta": {Exact: "1"}}})}},
		"A/B testing by prefix": {
			mods: []canaryMod{onGatewayAPI, abTesting(HTTPMatchRequest{Headers: map[string]StringMatch{"user": {Prefix: "a"}}})},
			errs: []string{"spec.analysis.match[0].headers.user: set exact or regex: an HTTPRoute cannot match by prefix or suffix " +
				"(Flagger drops the whole match and sends every request to the canary)"},
		},
		"A/B match entry matching everything": {
			mods: []canaryMod{onGatewayAPI, abTesting(insider, HTTPMatchRequest{URI: &StringMatch{Prefix: "/api"}})},
			errs: []string{"spec.analysis.match[1]: give headers or queryParams: an entry without them matches every request"},
			warns: []string{"spec.analysis.match[1]: uri, method and sourceLabels are ignored: the HTTPRoute matches every path " +
				"and only the headers and query parameters of analysis.match (as Flagger's)"},
		},
		"match without iterations": {
			mods: []canaryMod{onGatewayAPI, withAnalysis(func(a *CanaryAnalysis) { a.Match = []HTTPMatchRequest{insider} })},
			warns: []string{"spec.analysis.match: without iterations this is not A/B testing: only the matched requests are " +
				"shifted to the canary step by step, the others stay on the primary (as in Flagger)"},
		},
		"A/B testing on linkerd": {
			mods: []canaryMod{withSpec(func(s *CanarySpec) { s.Provider = ProviderLinkerd }), abTesting(insider)},
			errs: []string{"spec.analysis.match: Linkerd's SMI TrafficSplit cannot route by header: remove it and use iterations " +
				"without match for blue/green (Flagger would send 100% of traffic to the canary)"},
		},
		"mirroring on linkerd": {
			mods: []canaryMod{withSpec(func(s *CanarySpec) { s.Provider = ProviderLinkerd }), withAnalysis(func(a *CanaryAnalysis) { a.Mirror = true })},
			errs: []string{"spec.analysis.mirror: Linkerd's SMI TrafficSplit cannot mirror traffic: remove it"},
		},
		"mirroring on gatewayapi:v1": {
			mods: []canaryMod{onGatewayAPI, withAnalysis(func(a *CanaryAnalysis) { a.Mirror = true })},
			errs: []string{"spec.analysis.mirror: Fledge does not mirror traffic on Gateway API yet (Flagger adds a RequestMirror filter): remove it"},
		},
		"session affinity on gatewayapi:v1": {
			mods:  []canaryMod{onGatewayAPI, withAnalysis(func(a *CanaryAnalysis) { a.SessionAffinity = &SessionAffinity{CookieName: "c"} })},
			warns: []string{"spec.analysis.sessionAffinity: ignored: Fledge's Gateway API router does not pin sessions yet (Flagger's does)"},
		},
		"gatewayRefs on osm": {
			mods:  []canaryMod{withService(func(s *CanaryService) { s.GatewayRefs = []GatewayRef{{Name: "public"}} })},
			warns: []string{"spec.service.gatewayRefs: ignored by the OSM router (provider gatewayapi:v1 only)"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			errs, warns := validCanary(tc.mods...).Validate(tc.opts)
			assertFieldErrors(t, "errors", errs, tc.errs)
			assertFieldErrors(t, "warnings", warns, tc.warns)
		})
	}
}

func TestValidateMeshProvider(t *testing.T) {
	for _, p := range []string{"osm", "linkerd", "gatewayapi:v1"} {
		if err := ValidateMeshProvider(p); err != nil {
			t.Errorf("ValidateMeshProvider(%q) = %v", p, err)
		}
	}
	err := ValidateMeshProvider("istio")
	want := `mesh provider "istio" is not supported: use "osm", "linkerd" or "gatewayapi:v1"`
	if err == nil || err.Error() != want {
		t.Errorf("ValidateMeshProvider(istio) = %v, want %s", err, want)
	}
}
