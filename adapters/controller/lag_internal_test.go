package controller

import (
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/funcr"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/types"
)

func TestLagMeterObservesEveryTickAndWarnsOnceAMinute(t *testing.T) {
	var lines []string
	log := funcr.New(func(_, args string) { lines = append(lines, args) }, funcr.Options{})
	reg := prometheus.NewRegistry()
	l := newLagMeter(reg, log)
	key := types.NamespacedName{Namespace: "test", Name: "podinfo"}
	t0 := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	steps := []struct {
		at, lag  time.Duration
		warnings int
	}{
		{0, 0, 0},
		{10 * time.Second, 2 * time.Second, 0},                      // late, within the interval
		{20 * time.Second, 11 * time.Second, 1},                     // behind: warned
		{30 * time.Second, 15 * time.Second, 1},                     // behind, within the minute: counted
		{90 * time.Second, 12 * time.Second, 2},                     // a minute later: warned again
		{100 * time.Second, 10 * time.Second, 2},                    // exactly an interval: not behind
		{170 * time.Second, 10*time.Second + time.Millisecond, 3},   // just behind
		{175 * time.Second, 10*time.Second + time.Millisecond, 3},   // within the minute
		{240 * time.Second, 10*time.Second + 2*time.Millisecond, 4}, // warned, naming the two since
	}
	for i, s := range steps {
		l.observe(key, s.lag, 10*time.Second, t0.Add(s.at))
		if len(lines) != s.warnings {
			t.Fatalf("after step %d: %d warnings, want %d: %q", i, len(lines), s.warnings, lines)
		}
	}
	if !strings.Contains(lines[1], `"lateTicks"=2`) || !strings.Contains(lines[3], `"lateTicks"=2`) {
		t.Errorf("the warnings count the late ticks since the last one: %q", lines)
	}
	if !strings.Contains(lines[0], `"canary"="podinfo.test"`) || !strings.Contains(lines[0], "-kubeconfig-qps") {
		t.Errorf("the warning names the canary and what to raise: %q", lines[0])
	}
	var m dto.Metric
	if err := l.hist.Write(&m); err != nil {
		t.Fatal(err)
	}
	if got := m.GetHistogram().GetSampleCount(); got != uint64(len(steps)) {
		t.Errorf("fledge_canary_tick_lag_seconds counted %d ticks, want %d", got, len(steps))
	}
	// In intervals: 0, 0.2, 1.1, 1.5, 1.2, 1, then three just above 1.
	if err := l.ratio.Write(&m); err != nil {
		t.Fatal(err)
	}
	within := map[float64]uint64{}
	for _, b := range m.GetHistogram().GetBucket() {
		within[b.GetUpperBound()] = b.GetCumulativeCount()
	}
	if within[0.1] != 1 || within[0.25] != 2 || within[1] != 3 || within[2] != uint64(len(steps)) {
		t.Errorf("fledge_canary_tick_lag_intervals buckets %v, want 1 tick ≤0.1, 2 ≤0.25, 3 ≤1, all ≤2", within)
	}
	if again := newLagMeter(reg, log); again.hist != l.hist {
		t.Error("a second controller in the same registry shares the histogram")
	}
}

func TestLatenessIsZeroForAFirstTickAndCountsFromTheDueTime(t *testing.T) {
	s := newSchedule()
	key := types.NamespacedName{Namespace: "test", Name: "podinfo"}
	t0 := time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)
	if got := s.lateness(key, 10*time.Second, t0); got != 0 {
		t.Errorf("first tick: %v late, want 0", got)
	}
	s.ticked(key, t0)
	for at, want := range map[time.Duration]time.Duration{5 * time.Second: 0, 10 * time.Second: 0, 13 * time.Second: 3 * time.Second} {
		if got := s.lateness(key, 10*time.Second, t0.Add(at)); got != want {
			t.Errorf("at %v: %v late, want %v", at, got, want)
		}
	}
}
