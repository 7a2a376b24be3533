package faults

import (
	"fmt"
	"math"
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/adapters/prometheus"
	"github.com/fledge-canary/fledge/adapters/prometheus/promtest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
)

// builtinEvent is the event of a tick whose success-rate query met f, as
// Flagger words it for a builtin OSM metric (docs/flagger-compatibility.md, Events).
func builtinEvent(f promtest.Fault) (promtest.Fault, engine.Level) {
	switch {
	case f.Err == "":
		f.Err = fmt.Sprintf("Warning Halt podinfo.default advancement request-success-rate returned %v, not a value that can be judged", f.Value)
		return f, engine.LevelInfo
	case f.NoValues:
		f.Err = "Warning Halt advancement no values found for osm metric request-success-rate probably podinfo.default is not receiving traffic: running query failed: no values found"
		return f, engine.LevelInfo
	}
	f.Err = "Warning Prometheus query failed: running query failed: " + f.Err
	return f, engine.LevelError
}

// TestMetricFaultsNeverPromote puts a canary mid-analysis (weight 10) and
// at its last step (weight 30, where a passing tick promotes) and gives it
// one tick against each misbehaving Prometheus: the weight holds, the
// failed check is counted with its event, and nothing is promoted. At the
// last step the fault then lasts until the threshold rolls the canary back.
func TestMetricFaultsNeverPromote(t *testing.T) {
	for _, f := range promtest.Faults() {
		for _, weight := range []int{10, 30} {
			t.Run(fmt.Sprintf("%s at weight %d", f.Name, weight), func(t *testing.T) {
				t.Parallel()
				h := newHarness(t, newCanary(), prometheus.Options{Timeout: timeout(f)})
				advanceTo(t, h, weight)
				h.Engine.Config.MetricsServer = promtest.Serve(t, f)
				faultyTick(t, h, f, weight, 1)
				if weight == 30 {
					faultyTick(t, h, f, weight, 2)
					checkThresholdRollback(t, h)
				}
			})
		}
	}
}

// faultyTick runs one tick against the fault and checks that it failed a
// check and changed nothing else.
func faultyTick(t *testing.T, h *enginetest.Harness, f promtest.Fault, weight, failedChecks int) {
	t.Helper()
	events := tickChecked(t, h)
	want, level := builtinEvent(f)
	if len(events) != 1 || !want.Match(events[0]) {
		t.Fatalf("events %.400q\nwant [%.400q]", events, want.Err)
	}
	rec := lastRecord(h)
	if got := rec.Events[0].Level; got != level {
		t.Errorf("event level %s, want %s", got, level)
	}
	if n := len(rec.Checks); n == 0 || rec.Checks[n-1].Passed() || rec.Checks[n-1].Metric != v1.BuiltinSuccessRate {
		t.Errorf("checks %+v, want a failed %s", rec.Checks, v1.BuiltinSuccessRate)
	}
	st := h.Canary.Status
	if h.World.Split.Canary != weight || st.CanaryWeight != weight || st.Phase != v1.PhaseProgressing {
		t.Errorf("after the fault: weight %d (status %d), phase %s; want %d, Progressing", h.World.Split.Canary, st.CanaryWeight, st.Phase, weight)
	}
	if st.FailedChecks != failedChecks {
		t.Errorf("failedChecks %d, want %d", st.FailedChecks, failedChecks)
	}
	if h.World.Primary.Template != "podinfo:6.0.0" {
		t.Errorf("the primary runs %s: promoted on a failed check", h.World.Primary.Template)
	}
}

// checkThresholdRollback ticks once more with the threshold reached: the
// canary is rolled back, all traffic on the primary, the target at zero.
func checkThresholdRollback(t *testing.T, h *enginetest.Harness) {
	t.Helper()
	events := tickChecked(t, h)
	want := []string{
		"Warning Rolling back podinfo.default failed checks threshold reached 2",
		"Warning Canary failed! Scaling down podinfo.default",
	}
	if strings.Join(events, "\n") != strings.Join(want, "\n") {
		t.Errorf("events %q, want %q", events, want)
	}
	if s := h.World.Split; h.Canary.Status.Phase != v1.PhaseFailed || s.Primary != 100 || s.Canary != 0 {
		t.Errorf("phase %s, routes %d/%d; want Failed, 100/0", h.Canary.Status.Phase, s.Primary, s.Canary)
	}
	if h.World.Target.Replicas != 0 || h.World.Primary.Template != "podinfo:6.0.0" {
		t.Errorf("target at %d replicas, primary runs %s; want 0, podinfo:6.0.0", h.World.Target.Replicas, h.World.Primary.Template)
	}
}

// TestInfinityIsAFailedCheck pins the one place ±Inf is decided: the
// adapter returns it, the core fails the check on it whatever the bounds.
func TestInfinityIsAFailedCheck(t *testing.T) {
	m := v1.CanaryMetric{Name: "latency", ThresholdRange: &v1.CanaryThresholdRange{Min: ptr(0.0)}}
	for _, v := range []float64{math.Inf(1), math.Inf(-1)} {
		vd := decide.JudgeCustom(decide.Subject{Name: "podinfo", Namespace: "default"}, m, v)
		if vd.Passed() || vd.Outcome != decide.OutcomeFail {
			t.Errorf("%v judged %s, want fail", v, vd.Outcome)
		}
	}
}
