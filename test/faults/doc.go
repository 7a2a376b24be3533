// Package faults drives the core engine through the real Prometheus and
// webhook adapters against servers that misbehave (adapters/prometheus/
// promtest and adapters/webhook/hooktest), and checks what a canary does on
// such a tick: the weight holds, the failed check is counted with the event
// text Flagger gives, no promotion happens, the hook types keep the
// semantics of Flagger's (docs/flagger-compatibility.md: Metric checks,
// Events, Hooks, Webhooks), and no planted credential reaches an event, a
// trace record or the status.
//
// The cluster is enginetest's in-memory World; only the metrics and webhook
// ports are the real adapters. The package holds tests only.
package faults
