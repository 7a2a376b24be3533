package gatewayapi

import (
	"fmt"
	"maps"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// The annotations Flagger puts on the routes it owns so that Flux neither
// reconciles them back to Git nor reports them as drifted.
const (
	fluxReconcileKey      = "kustomize.toolkit.fluxcd.io/reconcile"
	helmDriftDetectionKey = "helm.toolkit.fluxcd.io/driftDetection"
	fluxDisabled          = "disabled"
)

// The defaults of Gateway API's CRDs, written out so that a stored route
// compares equal to the wanted one.
const (
	gatewayGroup = gwv1.Group(gwv1.GroupName)
	gatewayKind  = gwv1.Kind("Gateway")
	serviceKind  = gwv1.Kind("Service")
)

// newRoute is the HTTPRoute of a Canary at the given weights.
func newRoute(cd *v1.Canary, routes decide.Routes) (*gwv1.HTTPRoute, error) {
	spec, err := routeSpec(cd, routes)
	if err != nil {
		return nil, err
	}
	labels, annotations := routeMeta(cd)
	return &gwv1.HTTPRoute{
		TypeMeta: metav1.TypeMeta{APIVersion: gwv1.GroupVersion.String(), Kind: "HTTPRoute"},
		ObjectMeta: metav1.ObjectMeta{
			Name:            cd.GetServiceNames().Apex,
			Namespace:       cd.Namespace,
			Labels:          labels,
			Annotations:     annotations,
			OwnerReferences: []metav1.OwnerReference{kube.OwnerReference(cd)},
		},
		Spec: spec,
	}, nil
}

// routeMeta is the route's labels and annotations: the apex metadata of
// the Canary, with the Flux annotations added.
func routeMeta(cd *v1.Canary) (labels, annotations map[string]string) {
	labels, annotations = map[string]string{}, map[string]string{}
	if apex := cd.Spec.Service.Apex; apex != nil {
		maps.Copy(labels, apex.Labels)
		maps.Copy(annotations, apex.Annotations)
	}
	annotations[fluxReconcileKey] = fluxDisabled
	annotations[helmDriftDetectionKey] = fluxDisabled
	return labels, annotations
}

// routeSpec is the spec of the Canary's HTTPRoute with the weighted rule at
// routes, and for A/B testing the rule that keeps unmatched requests on the
// primary.
func routeSpec(cd *v1.Canary, routes decide.Routes) (gwv1.HTTPRouteSpec, error) {
	names := cd.GetServiceNames()
	port := cd.Spec.Service.Port
	weighted := rule(cd, []gwv1.HTTPRouteMatch{pathPrefixMatch()},
		backendRef(names.Primary, port, routes.Primary), backendRef(names.Canary, port, routes.Canary))
	spec := gwv1.HTTPRouteSpec{
		CommonRouteSpec: gwv1.CommonRouteSpec{ParentRefs: parentRefs(cd.Spec.Service.GatewayRefs)},
		Hostnames:       hostnames(cd.Spec.Service.Hosts),
		Rules:           []gwv1.HTTPRouteRule{weighted},
	}
	a := cd.GetAnalysis()
	if a == nil || len(a.Match) == 0 {
		return spec, nil
	}
	matches, err := abMatches(a.Match)
	if err != nil {
		return gwv1.HTTPRouteSpec{}, fmt.Errorf("HTTPRoute %s.%s: analysis.match: %w", names.Apex, cd.Namespace, err)
	}
	spec.Rules[0].Matches = matches
	spec.Rules = append(spec.Rules, rule(cd, []gwv1.HTTPRouteMatch{pathPrefixMatch()},
		backendRef(names.Primary, port, v1.TotalWeight)))
	return spec, nil
}

// rule is a rule of the route with the service's timeout.
func rule(cd *v1.Canary, matches []gwv1.HTTPRouteMatch, backends ...gwv1.HTTPBackendRef) gwv1.HTTPRouteRule {
	r := gwv1.HTTPRouteRule{Matches: matches, BackendRefs: backends}
	if t := cd.Spec.Service.Timeout; t != "" {
		r.Timeouts = &gwv1.HTTPRouteTimeouts{Request: ptr.To(gwv1.Duration(t))}
	}
	return r
}

// pathPrefixMatch is the service's default match: every path.
func pathPrefixMatch() gwv1.HTTPRouteMatch {
	return gwv1.HTTPRouteMatch{Path: &gwv1.HTTPPathMatch{Type: ptr.To(gwv1.PathMatchPathPrefix), Value: ptr.To("/")}}
}

func backendRef(service string, port int32, weight int) gwv1.HTTPBackendRef {
	return gwv1.HTTPBackendRef{BackendRef: gwv1.BackendRef{
		BackendObjectReference: gwv1.BackendObjectReference{
			Group: ptr.To(gwv1.Group("")),
			Kind:  ptr.To(serviceKind),
			Name:  gwv1.ObjectName(service),
			Port:  ptr.To(port),
		},
		Weight: ptr.To(int32(weight)),
	}}
}

// parentRefs copies the gatewayRefs, with the CRD's group and kind
// defaults written out.
func parentRefs(refs []v1.GatewayRef) []gwv1.ParentReference {
	out := make([]gwv1.ParentReference, 0, len(refs))
	for _, ref := range refs {
		p := gwv1.ParentReference{
			Group:       ptr.To(gatewayGroup),
			Kind:        ptr.To(gatewayKind),
			Namespace:   (*gwv1.Namespace)(ref.Namespace),
			Name:        gwv1.ObjectName(ref.Name),
			SectionName: (*gwv1.SectionName)(ref.SectionName),
			Port:        ref.Port,
		}
		if ref.Group != nil {
			p.Group = (*gwv1.Group)(ref.Group)
		}
		if ref.Kind != nil {
			p.Kind = (*gwv1.Kind)(ref.Kind)
		}
		out = append(out, p)
	}
	return out
}

func hostnames(hosts []string) []gwv1.Hostname {
	out := make([]gwv1.Hostname, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, gwv1.Hostname(h))
	}
	return out
}

// abMatches is one match a analysis.match entry: every path, and the
// entry's headers and query parameters, in key order. As in Flagger, an
// entry's uri and method are not used.
func abMatches(entries []v1.HTTPMatchRequest) ([]gwv1.HTTPRouteMatch, error) {
	out := make([]gwv1.HTTPRouteMatch, 0, len(entries))
	for i, e := range entries {
		m := pathPrefixMatch()
		for _, name := range slices.Sorted(maps.Keys(e.Headers)) {
			exact, value, err := exactOrRegex(e.Headers[name])
			if err != nil {
				return nil, fmt.Errorf("[%d].headers.%s: %w", i, name, err)
			}
			typ := gwv1.HeaderMatchRegularExpression
			if exact {
				typ = gwv1.HeaderMatchExact
			}
			m.Headers = append(m.Headers, gwv1.HTTPHeaderMatch{Type: &typ, Name: gwv1.HTTPHeaderName(name), Value: value})
		}
		for _, name := range slices.Sorted(maps.Keys(e.QueryParams)) {
			exact, value, err := exactOrRegex(e.QueryParams[name])
			if err != nil {
				return nil, fmt.Errorf("[%d].queryParams.%s: %w", i, name, err)
			}
			typ := gwv1.QueryParamMatchRegularExpression
			if exact {
				typ = gwv1.QueryParamMatchExact
			}
			m.QueryParams = append(m.QueryParams, gwv1.HTTPQueryParamMatch{Type: &typ, Name: gwv1.HTTPHeaderName(name), Value: value})
		}
		out = append(out, m)
	}
	return out, nil
}

// exactOrRegex reads a string match Gateway API can express: exact or regex.
func exactOrRegex(s v1.StringMatch) (exact bool, value string, err error) {
	switch {
	case s.Exact != "":
		return true, s.Exact, nil
	case s.Regex != "":
		return false, s.Regex, nil
	default:
		return false, "", fmt.Errorf("only exact and regex matches can be routed by an HTTPRoute, got %+v", s)
	}
}

// weightsOf reads the primary and canary weights from the route's rule
// with two backends (the weighted rule); ok is false when there is none.
func weightsOf(route *gwv1.HTTPRoute, names v1.ServiceNames) (routes decide.Routes, ok bool) {
	for _, r := range route.Spec.Rules {
		if len(r.BackendRefs) != 2 {
			continue
		}
		for _, b := range r.BackendRefs {
			w := int(ptr.Deref(b.Weight, 1))
			switch string(b.Name) {
			case names.Primary:
				routes.Primary, ok = w, true
			case names.Canary:
				routes.Canary = w
			}
		}
		if ok {
			return routes, true
		}
	}
	return decide.Routes{}, false
}
