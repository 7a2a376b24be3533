package sim_test

import (
	"strings"
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim"
)

func TestInvariants(t *testing.T) {
	cd := &v1.Canary{}
	cd.Name, cd.Namespace = "podinfo", "test"
	cd.Spec.TargetRef.Name = "podinfo"
	cd.Spec.Analysis = &v1.CanaryAnalysis{Threshold: 2, StepWeight: 10, MaxWeight: 50}
	split := func(primary, canary int) map[string]int {
		return map[string]int{"podinfo-primary": primary, "podinfo-canary": canary}
	}
	snap := func(phase v1.CanaryPhase, failed int, sp map[string]int, primary, target int32) sim.Snapshot {
		return sim.Snapshot{Status: v1.CanaryStatus{Phase: phase, FailedChecks: failed}, Split: sp,
			PrimaryReplicas: primary, TargetReplicas: target, PrimaryTemplate: "a"}
	}
	promoted := snap(v1.PhasePromoting, 2, split(50, 50), 1, 1)
	promoted.PrimaryTemplate = "b"
	cases := []struct {
		name          string
		before, after sim.Snapshot
		want          string // a part of the error; "" for none
	}{
		{"an advance", snap(v1.PhaseProgressing, 0, split(90, 10), 1, 1), snap(v1.PhaseProgressing, 0, split(80, 20), 1, 1), ""},
		{"no TrafficSplit yet", snap("", 0, nil, -1, 1), snap(v1.PhaseInitializing, 0, nil, 1, 1), ""},
		{"a rollback", snap(v1.PhaseProgressing, 2, split(80, 20), 1, 1), snap(v1.PhaseFailed, 0, split(100, 0), 1, 0), ""},
		{"weights off", snap(v1.PhaseProgressing, 0, split(90, 10), 1, 1), snap(v1.PhaseProgressing, 0, split(90, 20), 1, 1), "do not add up"},
		{"a backend missing", snap(v1.PhaseProgressing, 0, split(90, 10), 1, 1), snap(v1.PhaseProgressing, 0, map[string]int{"podinfo-primary": 100}, 1, 1), "backends"},
		{"primary at zero", snap(v1.PhaseProgressing, 0, split(90, 10), 1, 1), snap(v1.PhaseProgressing, 0, split(90, 10), 0, 1), "the primary takes 90%"},
		{"canary at zero", snap(v1.PhaseProgressing, 0, split(100, 0), 1, 0), snap(v1.PhaseProgressing, 0, split(90, 10), 1, 0), "the canary takes 10%"},
		{"advance past the threshold", snap(v1.PhaseProgressing, 2, split(90, 10), 1, 1), snap(v1.PhaseProgressing, 2, split(80, 20), 1, 1), "raised from 10 to 20"},
		{"promotion past the threshold", snap(v1.PhaseProgressing, 2, split(50, 50), 1, 1), promoted, "copied to the primary"},
		{"rollback leaving traffic", snap(v1.PhaseProgressing, 2, split(80, 20), 1, 1), snap(v1.PhaseFailed, 0, split(80, 20), 1, 0), "want all traffic on the primary"},
		{"rollback leaving replicas", snap(v1.PhaseProgressing, 2, split(80, 20), 1, 1), snap(v1.PhaseFailed, 0, split(100, 0), 1, 2), "target at 2 replicas"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			errs := sim.Invariants(cd, c.before, c.after)
			if c.want == "" {
				if len(errs) > 0 {
					t.Fatalf("want no violation, got %v", errs)
				}
				return
			}
			for _, err := range errs {
				if strings.Contains(err.Error(), c.want) {
					return
				}
			}
			t.Fatalf("want a violation containing %q, got %v", c.want, errs)
		})
	}
}

func TestSameOutcome(t *testing.T) {
	result := func(phase v1.CanaryPhase, weights []int, events ...string) *sim.Result {
		res := &sim.Result{Status: v1.CanaryStatus{Phase: phase}}
		for _, w := range weights {
			res.Routes = append(res.Routes, sim.RouteWrite{Routes: routes(w)})
		}
		for _, e := range events {
			res.Events = append(res.Events, event(e))
		}
		return res
	}
	want := result(v1.PhaseSucceeded, []int{10, 20, 0}, "Advance 10", "Advance 20", "Copying", "Routing all traffic to primary", "Promotion completed!")
	cases := []struct {
		name  string
		got   *sim.Result
		rep   sim.FaultReport
		exact bool
		diffs int
	}{
		{"equal", want, sim.FaultReport{}, true, 0},
		{"a repeat allowed", result(v1.PhaseSucceeded, []int{10, 20, 0}, "Advance 10", "Advance 20", "Copying", "Copying", "Routing all traffic to primary", "Promotion completed!"),
			sim.FaultReport{Repeatable: []string{"Copying"}}, true, 0},
		{"a repeat not recorded by the cut tick", result(v1.PhaseSucceeded, []int{10, 20, 0}, "Advance 10", "Advance 10", "Advance 20", "Copying", "Routing all traffic to primary", "Promotion completed!"),
			sim.FaultReport{Repeatable: []string{"Copying"}}, true, 1},
		{"a repeat twice", result(v1.PhaseSucceeded, []int{10, 20, 0}, "Advance 10", "Advance 20", "Copying", "Copying", "Copying", "Routing all traffic to primary", "Promotion completed!"),
			sim.FaultReport{Repeatable: []string{"Copying"}}, true, 1},
		{"a waited primary", waited(result(v1.PhaseSucceeded, []int{10, 20, 0}, "Advance 10", "Advance 20", "Copying", "p.ns not ready: x", "p.ns not ready: y", "Routing all traffic to primary", "Promotion completed!"), 3, 4),
			sim.FaultReport{ExtraTicks: []engine.Reason{engine.ReasonPrimaryNotReady}}, true, 0},
		{"a waited primary not allowed", waited(result(v1.PhaseSucceeded, []int{10, 20, 0}, "Advance 10", "Advance 20", "Copying", "p.ns not ready: x", "p.ns not ready: y", "Routing all traffic to primary", "Promotion completed!"), 3, 4),
			sim.FaultReport{}, true, 1},
		{"a wait of another reason", result(v1.PhaseSucceeded, []int{10, 20, 0}, "Advance 10", "Advance 20", "Copying", "p.ns not ready: x", "Routing all traffic to primary", "Promotion completed!"),
			sim.FaultReport{ExtraTicks: []engine.Reason{engine.ReasonPrimaryNotReady}}, true, 1},
		{"a skipped step", result(v1.PhaseSucceeded, []int{10, 0}, "Advance 10", "Copying", "Routing all traffic to primary", "Promotion completed!"), sim.FaultReport{}, true, 2},
		{"another phase", result(v1.PhaseFailed, []int{10, 20, 0}, "Advance 10", "Advance 20", "Canary failed!"), sim.FaultReport{}, false, 2},
		{"fewer steps, same end", result(v1.PhaseSucceeded, []int{10, 0}, "Advance 10", "x (injected fault)", "Promotion completed!"), sim.FaultReport{}, false, 0},
		{"stuck on the canary", result(v1.PhaseSucceeded, []int{10, 20}, "Advance 10", "Advance 20", "Promotion completed!"), sim.FaultReport{}, false, 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			if d := sim.SameOutcome(want, c.got, &c.rep, c.exact); len(d) != c.diffs {
				t.Fatalf("want %d differences, got %d: %v", c.diffs, len(d), d)
			}
		})
	}
}

// waited records the events at the indexes given as the ticks of a
// primary that was not ready.
func waited(res *sim.Result, indexes ...int) *sim.Result {
	for _, i := range indexes {
		res.Ticks = append(res.Ticks, engine.Record{Reason: engine.ReasonPrimaryNotReady, Events: res.Events[i : i+1]})
	}
	return res
}

func routes(canary int) decide.Routes { return decide.Routes{Primary: 100 - canary, Canary: canary} }

func event(msg string) engine.Event { return engine.Event{Message: msg} }
