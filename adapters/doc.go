// Package adapters is the home of Fledge's real implementations of the
// core's ports, in subpackages: kube (Deployments, Services, HPAs,
// ConfigMap/Secret tracking), smi (the OSM TrafficSplit), prometheus (the
// Prometheus HTTP API), webhook (HTTP calls in Flagger's payload format),
// alerts (Slack, Discord, Rocket.Chat, Teams and Google Chat posts) and
// controller (the controller-runtime reconciler that wires them to the
// engine, with the Canary status, finalizer and Event writers). This
// package holds no code of its own.
package adapters
