// Package adapters is the home of Fledge's real implementations of the core's ports.
//
// The adapters themselves live in subpackages: kube (Deployments, Services, HPA,
// ConfigMap/Secret tracking, Canary status, Events), smi (the OSM TrafficSplit), prometheus
// (the Prometheus HTTP API) and webhook (HTTP calls in Flagger's payload format), together
// with the controller loop that wires them. They arrive with the simulator and controller
// issues (#3 and #4); this package holds no code of its own.
package adapters
