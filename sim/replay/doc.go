// Package replay runs a Canary's analysis over recorded Prometheus data:
// what Fledge's engine would have decided, tick by tick, had this spec
// been in charge during a rollout that already happened.
//
// A recording is a set of series with timestamps: OpenMetrics text (as
// `promtool tsdb dump-openmetrics` writes it), a Prometheus TSDB directory
// opened read-only, or a live Prometheus read through its remote-read API.
// Every source is copied into the simulator's in-memory store (sim/tsdb),
// keeping only the series the canary's queries select, so the three give
// the same answers. The engine (core/engine) runs with its production
// adapters for Kubernetes and SMI over fake clientsets and a simulated
// kubelet (sim/cluster); its metrics come from the recording through the
// simulator's PromQL engine (sim/metrics) at each tick's time; webhooks
// pass unless told otherwise.
//
// What a replay cannot know: the traffic split in the recording is the one
// that happened, not the one this spec would have set. A Result reports
// the recorded canary share beside the spec's weight on every tick.
package replay
