// Package linkerd implements the core's router port for provider linkerd
// with an SMI TrafficSplit of version split.smi-spec.io/v1alpha1, which is
// what Flagger v1.44 writes for that provider and what Linkerd's SMI
// extension (linkerd-smi) serves:
//
//	spec:
//	  service: <hosts[0] or apex>
//	  backends:
//	  - service: <apex>-canary
//	    weight: 0
//	  - service: <apex>-primary
//	    weight: 100
//
// The weights are integer quantities ("0" to "100"), the canary listed
// first as Flagger lists it. [Router] reconciles the Services through
// kube.Services first. An existing split is rewritten only when its root
// service or backend names differ, keeping its weights when they still
// add up to 100; SetRoutes alone moves weights.
//
// Linkerd's own HTTPRoute (GAMMA) routing is provider gatewayapi:v1 with
// the apex Service as parentRef (package gatewayapi). TrafficSplit cannot
// mirror or match headers.
package linkerd
