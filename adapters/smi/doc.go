// Package smi implements the core's router port for Open Service Mesh with
// an SMI TrafficSplit (split.smi-spec.io/v1alpha2).
//
// [Router] reconciles the Services through kube.Services, then the
// TrafficSplit named after the apex Service:
//
//	spec:
//	  service: <hosts[0] or apex>
//	  backends:
//	  - service: <apex>-canary
//	    weight: 0
//	  - service: <apex>-primary
//	    weight: 100
//
// The canary backend is listed first and kept at weight 0: OSM once broke
// when a zero-weight backend was dropped from a split. An existing split is
// updated only when its root service or backend names differ; its weights
// are the router's state and are changed only by SetRoutes.
//
// SMI v1alpha2 cannot mirror traffic or match headers, so Routes never
// reports mirroring and SetRoutes only writes the two weights.
package smi
