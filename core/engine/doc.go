// Package engine holds every decision about a Canary over its whole life:
// Flagger's per-tick algorithm and phase machine, for Deployment targets
// routed by OSM, plus the refusal of an invalid spec and the finalizer of a
// deleted Canary.
//
// # Entry points
//
// A caller (the controller's Reconcile, the simulator's run loop) reads the
// Canary and calls exactly one of them, then comes back after the
// Result's RequeueAfter:
//
//	deleted?  → Finalize  (revertOnDeletion: Terminating, target scaled back,
//	                       apex Service released, finalizer removed)
//	invalid?  → Refuse    (traffic of a canary in flight back to the primary,
//	                       one Warning and an Invalid condition per distinct spec)
//	due?      → Tick      (one analysis step; drops a stale Invalid condition)
//
// Each returns the same Result: the status, a trace Record with a typed
// Reason (see reason.go) and RequeueAfter. Every effect goes through the
// ports (Workload, Router, Metrics, Templates, Webhooks, StatusWriter,
// Finalizers, Recorder): the callers write nothing of their own, so the
// events of every path are logged, recorded as Kubernetes Events and sent
// to event webhooks alike, and the simulator replays every path through the
// same adapters.
//
// A call is gather, decide, apply. The engine reads the world through the
// ports, takes its decisions from the pure functions of core/decide,
// performs effects through the same ports, computes the new status once and
// writes it once, and records every event and a trace Record of what it saw
// and decided. Time is a value: each entry point takes `now`, and metric
// queries are evaluated at that instant, so the production controller, the
// simulator and a replay of recorded data drive the same code.
//
// # The tick
//
// The steps run in Flagger's order, each one either handing over to the next
// or ending the tick:
//
//	finalizer added? ─ suspended? ─ observe target ─ bootstrap (primary, services, split)
//	  ─ initialised? ─ should advance? ─ primary ready? ─ read routes
//	  ─ start on a new revision ─ restart on a revision mid-analysis ─ canary ready?
//	  ─ skip analysis? ─ rollback hooks ─ promoting ─ finalising ─ threshold reached?
//	  ─ analyse (pre-rollout on the first tick, then rollout hooks and metrics)
//	  ─ advance (confirm-traffic-increase, weight step or confirm-promotion)
//
// An error from a port ends the tick with a Warning event; the next tick
// starts again from the top, as in Flagger.
//
// # Alerts
//
// At the moments Flagger alerts (initialised, analysis started, a gate
// waiting, rollback, promotion finished or failed) the tick builds an Alert
// with its severity, message, fields and receivers — the analysis.alerts
// entries whose severity takes it, or the controller's global notifier —
// records it in the trace and hands it to the optional Alerts port, which
// posts it without blocking the tick (see alerts.go).
package engine
