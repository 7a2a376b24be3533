// Package controller runs Fledge's engine against a real cluster: a
// controller-runtime reconciler that ticks every Canary on its analysis
// interval, wiring the engine's ports to the Kubernetes, SMI, Prometheus
// and webhook adapters, writing status through the status subresource,
// recording Kubernetes Events, logging as JSON and exporting Flagger's
// Prometheus metrics.
//
// # Scheduling
//
// There is no goroutine or ticker per canary. Each canary is a key of
// controller-runtime's work queue; a reconcile either ticks the canary, when
// its tick is due, or asks to come back when it will be
// (reconcile.Result{RequeueAfter}). The first tick of a new canary is
// immediate, as in Flagger; later ones follow analysis.interval from the
// previous tick. Only spec changes (generation) enqueue a canary; the
// controller's own status writes do not.
package controller
