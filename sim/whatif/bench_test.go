package whatif_test

import (
	"context"
	"testing"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// benchStudy makes runs runs of each of cases on the tutorial's Canary.
func benchStudy(b *testing.B, cases []whatif.Case, runs, workers int) {
	b.Helper()
	base, err := whatif.LoadBase(whatif.BaseOptions{})
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := whatif.Run(context.Background(), whatif.Options{Base: base, Profile: whatif.DefaultProfile(),
			Cases: cases, Runs: runs, Seed: 1, Workers: workers}); err != nil {
			b.Fatal(err)
		}
	}
	total := float64(runs * len(cases) * b.N)
	b.ReportMetric(total/b.Elapsed().Seconds(), "runs/s")
}

// BenchmarkHealthy1000 is 1,000 runs of the tutorial's spec with a healthy
// canary: every run goes the whole way to the promotion.
func BenchmarkHealthy1000(b *testing.B) {
	benchStudy(b, []whatif.Case{{Kind: whatif.Healthy}}, 1000, 0)
}

// BenchmarkDefaultStudy is the default study: 11 cases of 200 runs.
func BenchmarkDefaultStudy(b *testing.B) {
	benchStudy(b, whatif.DefaultRegressions().Cases(), whatif.DefaultRuns, 0)
}

// BenchmarkOneWorker is 100 healthy runs on one worker: the cost of a run
// on one core.
func BenchmarkOneWorker(b *testing.B) {
	benchStudy(b, []whatif.Case{{Kind: whatif.Healthy}}, 100, 1)
}
