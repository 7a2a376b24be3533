// Package engine runs one analysis tick of a Canary: Flagger's per-tick
// algorithm and phase machine, for Deployment targets routed by OSM.
//
// A tick is gather, decide, apply. The engine reads the world through small
// ports (Workload, Router, Metrics, Templates, Webhooks), takes its decisions
// from the pure functions of core/decide, performs effects through the same
// ports, computes the new status once and writes it once (StatusWriter),
// and records every event (Recorder) and a trace Record of what it saw and
// decided. Time is a value: Tick takes `now`, and metric queries are
// evaluated at that instant, so the production controller, the simulator and
// a replay of recorded data drive the same code.
//
// # The tick
//
// The steps run in Flagger's order, each one either handing over to the next
// or ending the tick:
//
//	suspended? ─ observe target ─ bootstrap (primary, services, split) ─ initialised?
//	  ─ should advance? ─ primary ready? ─ read routes ─ start on a new revision
//	  ─ restart on a revision mid-analysis ─ canary ready? ─ skip analysis?
//	  ─ rollback hooks ─ promoting ─ finalising ─ threshold reached?
//	  ─ analyse (pre-rollout on the first tick, then rollout hooks and metrics)
//	  ─ advance (confirm-traffic-increase, weight step or confirm-promotion)
//
// An error from a port ends the tick with a Warning event; the next tick
// starts again from the top, as in Flagger.
package engine
