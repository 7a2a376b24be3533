package sim

import (
	"context"
	"math/rand/v2"

	kfake "k8s.io/client-go/kubernetes/fake"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// Faults are failures injected into the controller's side of a run: one
// crash and restart of the controller, and API errors on a share of its
// calls. The kubelet, the scenario's actions and the traffic model never
// see them. The zero value injects nothing.
type Faults struct {
	// Crash, when set, kills the controller once, at that point.
	Crash *CrashPoint
	// API makes a share of the controller's API calls fail.
	API []APIFault
	// Seed seeds the choice of the calls that fail.
	Seed uint64
}

// CrashPoint says where the controller dies. Tick numbers the controller's
// ticks from 0 in the order the run schedules them. With Write 0 the
// process restarts just before that tick: only in-memory state is lost.
// With Write k > 0 the k-th API write of that tick (the status write
// included) never reaches the server, and nothing after it in the tick
// does either: no write, event or webhook call.
//
// A restarted controller ticks at once, at the same virtual instant (the
// simulator keeps the schedule of the next ticks), so a crashed run can be
// compared step by step with the run without the crash.
type CrashPoint struct{ Tick, Write int }

// FaultKind is the error an injected API fault returns.
type FaultKind string

// The injected API errors.
const (
	// FaultConflict is a 409 Conflict; the call is not applied.
	FaultConflict FaultKind = "conflict"
	// FaultInternal is a 500 Internal Server Error; the call is not applied.
	FaultInternal FaultKind = "internal"
	// FaultTimeout is a 504 server timeout. A write is applied and only its
	// answer is lost, the ambiguous case.
	FaultTimeout FaultKind = "timeout"
)

// APIFault fails a share of the controller's API calls that match it.
type APIFault struct {
	// Verbs ("get", "list", "create", "update", "patch", "delete") and
	// Resources ("deployments", "services", "trafficsplits", "httproutes",
	// "canaries/status" for the status writer, ...) select the calls; empty
	// selects all.
	Verbs, Resources []string
	// Rate is the share of the selected calls that fail, in [0, 1].
	Rate float64
	Kind FaultKind
}

// FaultReport is what the fault injection saw during a run.
type FaultReport struct {
	// Writes is, for each controller tick of the run, the number of API
	// writes its first attempt made: the crash points of a run are
	// (tick, 0..Writes[tick]).
	Writes []int `json:"writes"`
	// Crashed is true once the crash point was reached.
	Crashed bool `json:"crashed"`
	// Injected counts the API errors injected.
	Injected int `json:"injected"`
	// Retries counts the ticks run again at once: after a crash, or after a
	// tick whose status write failed (controller-runtime requeues it).
	Retries int `json:"retries"`
	// Repeatable lists the event messages and RepeatableWeights the canary
	// weights of ticks that did not complete (a crash or an injected fault
	// hit them); a retry may record them again (see SameOutcome).
	Repeatable        []string `json:"repeatable,omitempty"`
	RepeatableWeights []int    `json:"repeatableWeights,omitempty"`
	// ExtraTicks lists the reasons of ticks a retry may run beyond
	// repeating a cut tick, whose events are then not compared (see
	// retryAllowances).
	ExtraTicks []engine.Reason `json:"extraTicks,omitempty"`
	// Violations are the invariants broken after some tick (see Invariants).
	Violations []string `json:"violations,omitempty"`
}

// RunWithFaults replays a scenario as Run does, injecting f into the
// controller, and checks Invariants after every tick.
func RunWithFaults(ctx context.Context, l *scenario.Loaded, f Faults) (*Result, *FaultReport, error) {
	r, err := newRun(l)
	if err != nil {
		return nil, nil, err
	}
	r.faults = &faultState{f: f, rng: rand.New(rand.NewPCG(f.Seed, 0x5eed)), base: *r.engine}
	kc := r.kube.(*kfake.Clientset)
	kc.PrependReactor("*", "*", r.faults.reactor(kc.Tracker()))
	r.smi.PrependReactor("*", "*", r.faults.reactor(r.smi.Tracker()))
	r.gw.PrependReactor("*", "*", r.faults.reactor(r.gw.Tracker()))
	r.cacheReads() // after the fault reactors, which apply some writes themselves
	r.restart()
	if err := r.bootstrap(ctx); err != nil {
		return nil, &r.faults.report, err
	}
	if err := r.timeline(ctx); err != nil {
		return nil, &r.faults.report, err
	}
	res := r.result()
	r.releaseStore()
	return res, &r.faults.report, nil
}
