package whatif_test

import (
	"context"
	"reflect"
	"strings"
	"testing"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// quiet is a profile without noise: the primary never fails.
func quiet() whatif.Profile {
	p := whatif.DefaultProfile()
	p.ErrorRate = 0
	return p
}

func tutorial(t testing.TB) *scenario.Loaded {
	t.Helper()
	base, err := whatif.LoadBase(whatif.BaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return base
}

// withAnalysis is the tutorial with its analysis changed by edit.
func withAnalysis(t testing.TB, edit func(a *v1.CanaryAnalysis)) *scenario.Loaded {
	base := tutorial(t)
	cd := base.Canary.DeepCopy()
	edit(cd.Spec.Analysis)
	out := *base
	out.Canary = cd
	return &out
}

func study(t testing.TB, o whatif.Options) *whatif.Study {
	t.Helper()
	st, err := whatif.Run(context.Background(), o)
	if err != nil {
		t.Fatal(err)
	}
	return st
}

// TestAllErrorsRollBackAfterThresholdPlusOneTicks: a canary answering every
// request with a 500 fails every check from its first analysed tick, so it
// is rolled back on the threshold+1-th tick after analysis starts, in every
// run.
func TestAllErrorsRollBackAfterThresholdPlusOneTicks(t *testing.T) {
	for _, threshold := range []int{1, 2, 5} {
		base := withAnalysis(t, func(a *v1.CanaryAnalysis) { a.Threshold = threshold })
		st := study(t, whatif.Options{Base: base, Profile: quiet(), Cases: []whatif.Case{{Kind: whatif.Errors, Size: 100}},
			Runs: 20, Seed: 3})
		// Ticks: the change (1), the wait for the canary until analysis
		// starts at the first weight (R = 1 tick for a 10s rollout), then
		// threshold failing checks and the rollback.
		wantTicks := 1 + 1 + threshold + 1
		for i, o := range st.Outcomes[0] {
			if o.Phase != v1.PhaseFailed || o.FailedChecks != threshold || o.Ticks != wantTicks ||
				o.Duration != time.Duration(wantTicks-1)*30*time.Second {
				t.Errorf("threshold %d, run %d: %+v, want Failed after %d failed checks and %d ticks", threshold, i, o, threshold, wantTicks)
			}
		}
	}
}

// TestQuietHealthyCanaryPromotesOnTheArithmetic: without noise every run
// promotes, in exactly the time the arithmetic gives.
func TestQuietHealthyCanaryPromotesOnTheArithmetic(t *testing.T) {
	for _, c := range []struct {
		name       string
		edit       func(a *v1.CanaryAnalysis)
		readyAfter time.Duration
		want       time.Duration
	}{
		{"tutorial", func(*v1.CanaryAnalysis) {}, 10 * time.Second, 13 * 30 * time.Second},
		{"tutorial, slow rollouts", func(*v1.CanaryAnalysis) {}, 40 * time.Second, 15 * 30 * time.Second},
		{"stepWeight 20 to 50 (20, 40, 60)", func(a *v1.CanaryAnalysis) { a.StepWeight = 20 }, 10 * time.Second, 6 * 30 * time.Second},
		{"stepWeights 1,10,50 every minute", func(a *v1.CanaryAnalysis) {
			a.StepWeight, a.StepWeights, a.Interval = 0, []int{1, 10, 50}, "1m"
		}, 90 * time.Second, 8 * time.Minute},
	} {
		t.Run(c.name, func(t *testing.T) {
			base := withAnalysis(t, c.edit)
			p := quiet()
			p.ReadyAfter = c.readyAfter
			ar, err := whatif.ArithmeticOf(base.Canary, p.ReadyAfter)
			if err != nil {
				t.Fatal(err)
			}
			if ar.Promotion != c.want {
				t.Fatalf("arithmetic %v, want %v", ar.Promotion, c.want)
			}
			rep := study(t, whatif.Options{Base: base, Profile: p, Cases: []whatif.Case{{Kind: whatif.Healthy}}, Runs: 10, Seed: 9}).Report()
			h := rep.Cases[0]
			if h.Promoted.Count != 10 || h.TimeToPromote.Max != c.want.Seconds() || !rep.Arithmetic.Holds {
				t.Errorf("promoted %d/10 in up to %vs (holds %v), want all in %v", h.Promoted.Count, h.TimeToPromote.Max, rep.Arithmetic.Holds, c.want)
			}
		})
	}
}

// TestDetectionRisesWithSize: more errors are caught at least as often.
func TestDetectionRisesWithSize(t *testing.T) {
	regs := whatif.Regressions{Errors: []float64{0.2, 0.5, 1, 2, 5, 20}, Latency: []time.Duration{50 * time.Millisecond, 200 * time.Millisecond, time.Second}}
	rep := study(t, whatif.Options{Base: tutorial(t), Profile: whatif.DefaultProfile(), Cases: regs.Cases()[1:], Runs: 16, Seed: 5}).Report()
	prev := map[whatif.Kind]float64{}
	for _, c := range rep.Cases {
		if p := c.RolledBack.P; p < prev[c.Kind] {
			t.Errorf("%s caught in %.2f of runs, less than the smaller %s regression's %.2f", c.Name, p, c.Kind, prev[c.Kind])
		}
		prev[c.Kind] = c.RolledBack.P
	}
	if prev[whatif.Errors] != 1 || prev[whatif.Latency] != 1 {
		t.Errorf("largest regressions caught in %v of runs, want all", prev)
	}
}

// TestLowerThresholdNeverLowersDetection: the same traffic (same seed)
// that fails five checks has failed two before, so every run a threshold
// of 5 rolls back is rolled back with a threshold of 2 as well.
func TestLowerThresholdNeverLowersDetection(t *testing.T) {
	cases := whatif.Regressions{Errors: []float64{0.5, 1, 2}, Latency: []time.Duration{100 * time.Millisecond}}.Cases()
	runs := func(threshold int) [][]whatif.Outcome {
		base := withAnalysis(t, func(a *v1.CanaryAnalysis) { a.Threshold = threshold })
		return study(t, whatif.Options{Base: base, Profile: whatif.DefaultProfile(), Cases: cases, Runs: 12, Seed: 11}).Outcomes
	}
	low, high := runs(2), runs(5)
	for c := range cases {
		for i := range high[c] {
			if high[c][i].Phase == v1.PhaseFailed && low[c][i].Phase != v1.PhaseFailed {
				t.Errorf("%s run %d: rolled back with threshold 5 but %s with threshold 2", cases[c].Name(), i, low[c][i].Phase)
			}
		}
	}
}

// TestDeterministic: the same inputs give the same report on any number of
// workers.
func TestDeterministic(t *testing.T) {
	o := whatif.Options{Base: tutorial(t), Profile: whatif.DefaultProfile(),
		Cases: whatif.Regressions{Errors: []float64{1}}.Cases(), Runs: 12, Seed: 42}
	one, two := o, o
	one.Workers, two.Workers = 1, 3
	a, b := study(t, one).Report(), study(t, two).Report()
	if !reflect.DeepEqual(a, b) {
		t.Errorf("reports differ between 1 and 3 workers:\n%+v\n%+v", a.Cases, b.Cases)
	}
	o.Seed = 43
	if c := study(t, o).Report(); reflect.DeepEqual(a.Cases, c.Cases) {
		t.Error("another seed gave the very same runs")
	}
}

func TestBadInput(t *testing.T) {
	base := tutorial(t)
	for _, c := range []struct {
		name string
		o    whatif.Options
		want string
	}{
		{"no runs", whatif.Options{Base: base, Profile: quiet(), Cases: []whatif.Case{{Kind: whatif.Healthy}}}, "runs 0: want at least 1"},
		{"negative runs", whatif.Options{Base: base, Profile: quiet(), Cases: []whatif.Case{{Kind: whatif.Healthy}}, Runs: -3}, "runs -3: want at least 1"},
		{"no cases", whatif.Options{Base: base, Profile: quiet(), Runs: 1}, "no cases"},
		{"error rate above 100%", whatif.Options{Base: base, Profile: whatif.Profile{RPS: 1, ErrorRate: 120, P50: time.Millisecond, P99: time.Second},
			Cases: []whatif.Case{{Kind: whatif.Healthy}}, Runs: 1}, "error rate 120%: want 0 to 100%"},
		{"no traffic", whatif.Options{Base: base, Profile: whatif.Profile{P50: time.Millisecond, P99: time.Second},
			Cases: []whatif.Case{{Kind: whatif.Healthy}}, Runs: 1}, "rps 0: want a finite rate above 0"},
		{"negative load tester", whatif.Options{Base: base, Profile: whatif.Profile{RPS: 1, P50: time.Millisecond, P99: time.Second, LoadtesterRPS: -1},
			Cases: []whatif.Case{{Kind: whatif.Healthy}}, Runs: 1}, "loadtester rps -1: want a finite rate of 0 or more"},
		{"p99 under p50", whatif.Options{Base: base, Profile: whatif.Profile{RPS: 1, P50: time.Second, P99: time.Millisecond},
			Cases: []whatif.Case{{Kind: whatif.Healthy}}, Runs: 1}, "latency p99 1ms is below p50 1s"},
	} {
		t.Run(c.name, func(t *testing.T) {
			_, err := whatif.Run(context.Background(), c.o)
			if err == nil || !strings.Contains(err.Error(), c.want) {
				t.Errorf("error %v, want %q", err, c.want)
			}
		})
	}
}

func TestRegressionsValidate(t *testing.T) {
	for _, c := range []struct {
		regs whatif.Regressions
		want string
	}{
		{whatif.Regressions{Errors: []float64{150}}, "5xx regression 150%: want a share above 0 and at most 100%"},
		{whatif.Regressions{Errors: []float64{-1}}, "5xx regression -1%"},
		{whatif.Regressions{NotFound: []float64{0}}, "404 regression 0%"},
		{whatif.Regressions{Latency: []time.Duration{-time.Second}}, "latency regression -1s: want a delay above 0"},
	} {
		if err := c.regs.Validate(); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.regs, err, c.want)
		}
	}
	if err := whatif.DefaultRegressions().Validate(); err != nil {
		t.Errorf("defaults: %v", err)
	}
}

func TestParseAxis(t *testing.T) {
	for _, c := range []struct {
		in, want string
	}{
		{"stepWeight=5,10", ""},
		{"interval=30s,1m", ""},
		{"speed=5", `unknown key "speed": want one of interval, maxWeight, stepWeight, threshold`},
		{"threshold", "want KEY=V1,V2"},
		{"threshold=", "no values"},
	} {
		_, err := whatif.ParseAxis(c.in)
		if (err == nil) != (c.want == "") || (err != nil && !strings.Contains(err.Error(), c.want)) {
			t.Errorf("%s: error %v, want %q", c.in, err, c.want)
		}
	}
}

// TestLoadtesterTraffic: extra load to the canary service reaches the
// canary, and gives the success-rate check more samples, so a +0.5%
// regression on a 0.1% noise floor (0.6% errors against a 1% bound) is
// judged on steadier numbers: fewer runs halt on a noisy check and
// promotion is never slower.
func TestLoadtesterTraffic(t *testing.T) {
	cases := []whatif.Case{{Kind: whatif.Errors, Size: 0.5}}
	run := func(rps float64) *whatif.Study {
		p := whatif.DefaultProfile()
		p.LoadtesterRPS = rps
		return study(t, whatif.Options{Base: tutorial(t), Profile: p, Cases: cases, Runs: 12, Seed: 2})
	}
	withoutRuns, withRuns := run(0), run(500)
	for i, o := range withRuns.Outcomes[0] {
		// 500 rps from the change to the end, less the ticks the canary
		// is not yet ready: at least 500 rps over the run's last minute.
		if o.Loadtester < 500*60 || withoutRuns.Outcomes[0][i].Loadtester != 0 {
			t.Errorf("run %d: the canary answered %d load tester requests with 500 rps, %d without",
				i, o.Loadtester, withoutRuns.Outcomes[0][i].Loadtester)
		}
	}
	without, with := withoutRuns.Report().Cases[0], withRuns.Report().Cases[0]
	if with.TimeToPromote.Max > without.TimeToPromote.Max || with.Promoted.Count < without.Promoted.Count {
		t.Errorf("with 500 rps of load: %d promoted, slowest %vs; without: %d, slowest %vs",
			with.Promoted.Count, with.TimeToPromote.Max, without.Promoted.Count, without.TimeToPromote.Max)
	}
}

// TestArithmeticRefuses: timings the arithmetic does not model are said,
// not guessed.
func TestArithmeticRefuses(t *testing.T) {
	for _, c := range []struct {
		name       string
		edit       func(a *v1.CanaryAnalysis)
		readyAfter time.Duration
		want       string
	}{
		{"unfinished at a tick past the progress deadline", func(*v1.CanaryAnalysis) {}, 91 * time.Second,
			"every release is rolled back: rollouts take 1m31s, and the tick 1m30s after a change finds them unfinished past the progress deadline 1m0s"},
		{"stepWeightPromotion", func(a *v1.CanaryAnalysis) { a.StepWeightPromotion = 10 }, time.Second,
			"does not model stepWeightPromotion"},
		{"blue/green", func(a *v1.CanaryAnalysis) { a.Iterations, a.StepWeight, a.MaxWeight = 5, 0, 0 }, time.Second,
			"models the canary strategy, not blue-green"},
	} {
		base := withAnalysis(t, c.edit)
		if _, err := whatif.ArithmeticOf(base.Canary, c.readyAfter); err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %v, want %q", c.name, err, c.want)
		}
	}
}

// TestRunsLastUntilTheThreshold: a canary failing (nearly) every check
// reaches a high threshold before the run ends, far past three healthy
// promotions (or the hour of a spec the arithmetic does not model); no run
// is left undecided.
func TestRunsLastUntilTheThreshold(t *testing.T) {
	for _, c := range []struct {
		name string
		edit func(a *v1.CanaryAnalysis)
		c    whatif.Case
	}{
		{"threshold 100, +100% 5xx", func(a *v1.CanaryAnalysis) { a.Threshold = 100 }, whatif.Case{Kind: whatif.Errors, Size: 100}},
		{"threshold 100, +2% 5xx", func(a *v1.CanaryAnalysis) { a.Threshold = 100 }, whatif.Case{Kind: whatif.Errors, Size: 2}},
		{"blue/green, threshold 150, +100% 5xx", func(a *v1.CanaryAnalysis) {
			a.Iterations, a.StepWeight, a.MaxWeight, a.Threshold = 5, 0, 0, 150
		}, whatif.Case{Kind: whatif.Errors, Size: 100}},
	} {
		base := withAnalysis(t, c.edit)
		rep := study(t, whatif.Options{Base: base, Profile: whatif.DefaultProfile(), Cases: []whatif.Case{c.c}, Runs: 4, Seed: 3}).Report()
		if r := rep.Cases[0]; r.RolledBack.Count+r.Promoted.Count != 4 || r.Undecided != 0 {
			t.Errorf("%s: %d of 4 runs rolled back, %d promoted, %d undecided; want all decided",
				c.name, r.RolledBack.Count, r.Promoted.Count, r.Undecided)
		}
	}
}

// TestSweepRefusesNewWarnings: beside stepWeights maxWeight is ignored, so
// sweeping it would run the same spec three times: refused, naming the
// setting and the warning; a warning the base spec has already is no
// reason to refuse, unless it is about the swept field.
func TestSweepRefusesNewWarnings(t *testing.T) {
	base := withAnalysis(t, func(a *v1.CanaryAnalysis) { a.StepWeight, a.MaxWeight, a.StepWeights = 0, 0, []int{10, 50} })
	err := whatif.CheckSweep(base.Canary, []whatif.Axis{{Key: "maxWeight", Values: []string{"20", "40", "100"}}})
	want := "sweep: maxWeight=20: the spec gains a warning: spec.analysis.maxWeight: ignored with stepWeights: the last step, 50, is the maximum weight"
	if err == nil || err.Error() != want {
		t.Errorf("error %v, want %q", err, want)
	}
	warned := withAnalysis(t, func(a *v1.CanaryAnalysis) { a.StepWeight, a.MaxWeight, a.StepWeights = 0, 30, []int{10, 50} })
	if err := whatif.CheckSweep(warned.Canary, []whatif.Axis{{Key: "threshold", Values: []string{"2", "3"}}}); err != nil {
		t.Errorf("a sweep of threshold on a spec warned already: %v", err)
	}
	// The base spec's maxWeight is ignored too: the same warning, but on
	// the swept field.
	err = whatif.CheckSweep(warned.Canary, []whatif.Axis{{Key: "maxWeight", Values: []string{"20", "40"}}})
	if err == nil || err.Error() != want {
		t.Errorf("maxWeight swept beside stepWeights and a maxWeight: error %v, want %q", err, want)
	}
}
