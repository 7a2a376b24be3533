// Package gatewayapi implements the core's router port for provider
// gatewayapi:v1 with a Gateway API HTTPRoute (gateway.networking.k8s.io/v1),
// as Flagger's Gateway API router writes it.
//
// [Router] reconciles the Services through kube.Services, then the HTTPRoute
// named after the apex Service, in the Canary's namespace:
//
//	metadata:
//	  labels/annotations: spec.service.apex's, plus Flagger's two
//	    annotations that keep Flux from reverting the weights
//	spec:
//	  parentRefs: spec.service.gatewayRefs (a Gateway, or the apex Service
//	    itself, group "" kind Service, for GAMMA mesh routing)
//	  hostnames: spec.service.hosts
//	  rules:
//	  - matches: [{path: {type: PathPrefix, value: /}}]
//	    timeouts: {request: spec.service.timeout}   (when set)
//	    backendRefs:
//	    - {kind: Service, name: <apex>-primary, port: <port>, weight: 100}
//	    - {kind: Service, name: <apex>-canary,  port: <port>, weight: 0}
//
// With A/B testing (analysis.iterations and analysis.match) the first rule's
// matches also carry the headers and query parameters of each
// analysis.match entry (a cookie is a "cookie" header matched by regex), and
// a second rule sends the other requests to the primary at weight 100. The
// weights are the first rule's: SetRoutes writes them, Routes reads them
// back from the rule with two backends.
//
// An existing HTTPRoute is rewritten only when its spec (weights aside) or
// its labels and annotations differ from the Canary's; its weights are the
// router's state and are kept. The defaults the API server fills in (parent
// group and kind, backend group, match types) are written explicitly so that
// a stored route compares equal to the wanted one.
package gatewayapi
