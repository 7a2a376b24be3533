// Package faults drives the core engine through the real Prometheus and
// webhook adapters against servers that misbehave (adapters/prometheus/
// promtest and adapters/webhook/hooktest), and checks what a canary does on
// such a tick: the weight holds, the failed check is counted with the event
// text of SPEC.md §3.8/§4, no promotion happens, the hook types keep the
// semantics of SPEC.md §6, and no planted credential reaches an event, a
// trace record or the status.
//
// The cluster is enginetest's in-memory World; only the metrics and webhook
// ports are the real adapters. The package holds tests only.
package faults
