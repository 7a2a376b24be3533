package sim_test

import (
	"context"
	"io/fs"
	"os"
	"testing"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// full is set by FLEDGE_RELIABILITY=full for the exhaustive fault matrix.
var full = os.Getenv("FLEDGE_RELIABILITY") == "full"

func corpus(t *testing.T) map[string]*scenario.Loaded {
	t.Helper()
	files, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios embedded: %v", err)
	}
	out := map[string]*scenario.Loaded{}
	for _, f := range files {
		l, err := scenario.LoadFS(scenarios.FS, f, "scenarios/"+f)
		if err != nil {
			t.Fatal(err)
		}
		out[f] = l
	}
	return out
}

// baseline runs a scenario without faults, holds it to the invariants and
// checks it is the plain run's.
func baseline(t *testing.T, l *scenario.Loaded) (*sim.Result, *sim.FaultReport) {
	t.Helper()
	res, rep, err := sim.RunWithFaults(context.Background(), l, sim.Faults{})
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range rep.Violations {
		t.Errorf("without faults: %s", v)
	}
	plain, err := sim.Run(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	if d := sim.SameOutcome(plain, res, rep, true); len(d) > 0 || rep.Retries+rep.Injected > 0 {
		t.Fatalf("the fault-free run differs from the plain run: %v", d)
	}
	return res, rep
}

// TestCrashAtEveryPoint crashes the controller at every tick boundary and
// at every API write of every tick of every scenario (every fifth of
// these points unless FLEDGE_RELIABILITY=full), restarts it, and holds the
// run to the fault-free run's phase, weights and events (SameOutcome) and
// to the invariants.
func TestCrashAtEveryPoint(t *testing.T) {
	stride := 5
	if full {
		stride = 1
	}
	for name, l := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			want, base := baseline(t, l)
			points, runs := 0, 0
			for tick, writes := range base.Writes {
				for w := 0; w <= writes; w++ {
					points++
					if (points-1)%stride != 0 {
						continue
					}
					runs++
					got, rep, err := sim.RunWithFaults(context.Background(), l, sim.Faults{Crash: &sim.CrashPoint{Tick: tick, Write: w}})
					if err != nil {
						t.Fatalf("crash at tick %d write %d: %v", tick, w, err)
					}
					if !rep.Crashed {
						t.Errorf("crash at tick %d write %d: never reached", tick, w)
					}
					for _, v := range rep.Violations {
						t.Errorf("crash at tick %d write %d: %s", tick, w, v)
					}
					for _, d := range sim.SameOutcome(want, got, rep, true) {
						t.Errorf("crash at tick %d write %d: %s", tick, w, d)
					}
				}
			}
			t.Logf("%d ticks, %d crash points, %d crashed runs", len(base.Writes), points, runs)
		})
	}
}

// apiFaults are the API fault mixes of TestAPIFaults.
var apiFaults = []struct {
	name   string
	faults []sim.APIFault
}{
	{"conflicts 10%", []sim.APIFault{{Rate: 0.1, Kind: sim.FaultConflict}}},
	{"500s 10%", []sim.APIFault{{Rate: 0.1, Kind: sim.FaultInternal}}},
	{"timeouts 10%", []sim.APIFault{{Rate: 0.1, Kind: sim.FaultTimeout}}},
	{"mixed 30% of writes", []sim.APIFault{
		{Verbs: []string{"create", "update", "patch"}, Rate: 0.1, Kind: sim.FaultConflict},
		{Verbs: []string{"create", "update", "patch"}, Rate: 0.1, Kind: sim.FaultInternal},
		{Verbs: []string{"create", "update", "patch"}, Rate: 0.1, Kind: sim.FaultTimeout},
	}},
	{"status writes 30%", []sim.APIFault{{Resources: []string{"canaries/status"}, Rate: 0.3, Kind: sim.FaultConflict}}},
	{"TrafficSplit 30%", []sim.APIFault{{Resources: []string{"trafficsplits"}, Rate: 0.3, Kind: sim.FaultInternal}}},
	{"deployment reads 30%", []sim.APIFault{{Verbs: []string{"get"}, Resources: []string{"deployments"}, Rate: 0.3, Kind: sim.FaultTimeout}}},
}

// TestAPIFaults fails a share of the controller's API calls and holds
// every run to the invariants and to the fault-free run's outcome.
func TestAPIFaults(t *testing.T) {
	seeds := 1
	if full {
		seeds = 30
	}
	for name, l := range corpus(t) {
		t.Run(name, func(t *testing.T) {
			want, _ := baseline(t, l)
			injected, shifted := 0, 0
			for _, mix := range apiFaults {
				for seed := range seeds {
					got, rep, err := sim.RunWithFaults(context.Background(), l, sim.Faults{API: mix.faults, Seed: uint64(seed)})
					if err != nil {
						t.Fatalf("%s seed %d: %v", mix.name, seed, err)
					}
					injected += rep.Injected
					for _, v := range rep.Violations {
						t.Errorf("%s seed %d: %s", mix.name, seed, v)
					}
					for _, d := range sim.SameOutcome(want, got, rep, false) {
						t.Errorf("%s seed %d: %s", mix.name, seed, d)
					}
					if len(sim.SameOutcome(want, got, rep, true)) > 0 {
						shifted++
					}
				}
			}
			if injected == 0 {
				t.Fatal("no fault was injected")
			}
			t.Logf("%d runs, %d faults injected; %d runs took other steps than the fault-free run on the way",
				len(apiFaults)*seeds, injected, shifted)
		})
	}
}
