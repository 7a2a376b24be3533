package whatif_test

import (
	"context"
	"runtime/debug"
	"strconv"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace/noop"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// benchStudy makes runs runs of each of cases on base, with the garbage
// collector and the no-op tracer provider set as fledge sets them, and reports runs per second, the
// seconds 1,000 runs take (issue 14's figure) and the virtual time
// replayed per second.
func benchStudy(b *testing.B, base *scenario.Loaded, cases []whatif.Case, runs, workers int) {
	b.Helper()
	defer debug.SetGCPercent(debug.SetGCPercent(400))
	otel.SetTracerProvider(noop.NewTracerProvider())
	b.ReportAllocs()
	var virtual time.Duration
	for b.Loop() {
		st, err := whatif.Run(context.Background(), whatif.Options{Base: base, Profile: whatif.DefaultProfile(),
			Cases: cases, Runs: runs, Seed: 1, Workers: workers})
		if err != nil {
			b.Fatal(err)
		}
		for _, outs := range st.Outcomes {
			for _, o := range outs {
				virtual += o.Duration
			}
		}
	}
	b.ReportMetric(float64(runs*len(cases)*b.N)/b.Elapsed().Seconds(), "runs/s")
	b.ReportMetric(1000*b.Elapsed().Seconds()/float64(runs*len(cases)*b.N), "s/1000runs")
	b.ReportMetric(virtual.Seconds()/b.Elapsed().Seconds(), "virtual-s/s")
}

var healthy = []whatif.Case{{Kind: whatif.Healthy}}

// BenchmarkTutorial is the figure: 1,000 runs of the tutorial's
// spec, healthy (every run goes all the way to the promotion), on every
// core; and the default study of 11 cases.
func BenchmarkTutorial(b *testing.B) {
	b.Run("healthy-1000", func(b *testing.B) { benchStudy(b, tutorial(b), healthy, 1000, 0) })
	b.Run("default-study", func(b *testing.B) {
		benchStudy(b, tutorial(b), whatif.DefaultRegressions().Cases(), whatif.DefaultRuns, 0)
	})
}

// BenchmarkRuns is how the time grows with the number of runs, on one
// worker so that it is the cost per core.
func BenchmarkRuns(b *testing.B) {
	for _, runs := range []int{10, 100, 1000} {
		b.Run(strconv.Itoa(runs), func(b *testing.B) { benchStudy(b, tutorial(b), healthy, runs, 1) })
	}
}

// BenchmarkVirtualDuration is how the time grows with the virtual time of
// a run: the tutorial's spec with its interval at 30s, 1m and 2m (a healthy
// run lasts 13 intervals), on one worker.
func BenchmarkVirtualDuration(b *testing.B) {
	for _, interval := range []string{"30s", "1m", "2m"} {
		b.Run(interval, func(b *testing.B) {
			base := withAnalysis(b, func(a *v1.CanaryAnalysis) { a.Interval = interval })
			benchStudy(b, base, healthy, 50, 1)
		})
	}
}
