package replay_test

import (
	"bytes"
	"context"
	"math"
	"reflect"
	"testing"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/replay"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// simulated runs a scenario of the corpus and returns its result and its
// series as OpenMetrics text.
func simulated(t *testing.T, name string) (*scenario.Loaded, *sim.Result, []byte) {
	t.Helper()
	l, err := scenario.LoadFS(scenarios.FS, name+".yaml", "scenarios/"+name+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	res, store, err := sim.RunRecorded(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	var om bytes.Buffer
	if err := replay.WriteOpenMetrics(context.Background(), &om, store, math.MinInt64, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	return l, res, om.Bytes()
}

// replayed replays the canary of l over OpenMetrics text from start.
func replayed(t *testing.T, l *scenario.Loaded, om []byte, o replay.Options) *replay.Result {
	t.Helper()
	store, err := replay.ReadOpenMetrics("recording.om", om)
	if err != nil {
		t.Fatal(err)
	}
	qs, err := replay.QueriesOf(l.Canary, l.Templates)
	if err != nil {
		t.Fatal(err)
	}
	o.Loaded, o.Queries, o.Recording = l, qs, &replay.Recording{Source: "recording.om", Store: store}
	res, err := replay.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

// TestReplayMatchesSim replays the series a simulation recorded with the
// simulation's canary and start: the engine must decide exactly as it did
// in the simulation, check by check and event by event.
func TestReplayMatchesSim(t *testing.T) {
	tests := []struct {
		scenario string
		outcome  string
	}{
		{scenario: "tutorial-rollback-500s", outcome: replay.OutcomeRolledBack},
		{scenario: "tutorial-promote", outcome: replay.OutcomePromoted},
		{scenario: "tutorial-rollback-latency", outcome: replay.OutcomeRolledBack},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			l, want, om := simulated(t, tc.scenario)
			got := replayed(t, l, om, replay.Options{Start: want.Start, End: want.End})
			assertSameRun(t, want, got.Run)
			if got.Outcome != tc.outcome {
				t.Errorf("outcome %q, want %q", got.Outcome, tc.outcome)
			}
		})
	}
}

// assertSameRun compares what two runs decided: events (time, type,
// message), and per tick its time, phase, weight, checks and decision.
func assertSameRun(t *testing.T, want, got *sim.Result) {
	t.Helper()
	if len(got.Events) != len(want.Events) {
		t.Errorf("%d events, want %d:\ngot  %q\nwant %q", len(got.Events), len(want.Events), got.Messages(), want.Messages())
	}
	for i := range min(len(got.Events), len(want.Events)) {
		g, w := got.Events[i], want.Events[i]
		if !g.Time.Equal(w.Time) || g.Type != w.Type || g.Message != w.Message {
			t.Errorf("event %d: got %v %s %q, want %v %s %q", i, g.Time, g.Type, g.Message, w.Time, w.Type, w.Message)
		}
	}
	wantTicks := ticksFrom(want)
	if len(got.Ticks) != len(wantTicks) {
		t.Fatalf("%d ticks, want %d", len(got.Ticks), len(wantTicks))
	}
	for i, w := range wantTicks {
		g := got.Ticks[i]
		if !g.Time.Equal(w.Time) || g.Phase != w.Phase || g.CanaryWeight != w.CanaryWeight ||
			g.Decision != w.Decision || !reflect.DeepEqual(g.Checks, w.Checks) {
			t.Errorf("tick %d:\ngot  %v %s weight %d %q %+v\nwant %v %s weight %d %q %+v", i,
				g.Time, g.Phase, g.CanaryWeight, g.Decision, g.Checks, w.Time, w.Phase, w.CanaryWeight, w.Decision, w.Checks)
		}
	}
}

// ticksFrom are a simulation's ticks from its start on.
func ticksFrom(res *sim.Result) []engine.Record {
	var out []engine.Record
	for _, rec := range res.Ticks {
		if !rec.Time.Before(res.Start) {
			out = append(out, rec)
		}
	}
	return out
}
