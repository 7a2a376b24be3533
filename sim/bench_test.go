package sim_test

import (
	"context"
	"runtime"
	"runtime/debug"
	"testing"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
)

func loadCorpus(b *testing.B, name string) *scenario.Loaded {
	b.Helper()
	l, err := scenario.LoadFS(scenarios.FS, name+".yaml", name)
	if err != nil {
		b.Fatal(err)
	}
	return l
}

// BenchmarkReplay replays each tutorial scenario; virtual-s/s reports how
// many times faster than real time the replay runs, ms/replay the wall
// time of one (issue 14's "one tutorial replay" is tutorial-promote). The
// PromQL engine's spans go to the no-op tracer and the garbage collector
// runs at GOGC 400, as in the fledge command (and the what-if benchmarks).
func BenchmarkReplay(b *testing.B) {
	otel.SetTracerProvider(noop.NewTracerProvider())  // as the fledge command sets it
	defer debug.SetGCPercent(debug.SetGCPercent(400)) // likewise
	for _, name := range []string{"tutorial-promote", "tutorial-rollback-500s", "tutorial-rollback-latency", "tutorial-rollback-404s"} {
		b.Run(name, func(b *testing.B) {
			l := loadCorpus(b, name)
			var res *sim.Result
			b.ReportAllocs()
			for b.Loop() {
				var err error
				if res, err = sim.Run(context.Background(), l); err != nil {
					b.Fatal(err)
				}
			}
			virtual := res.End.Sub(sim.Epoch).Seconds()
			b.ReportMetric(virtual*float64(b.N)/b.Elapsed().Seconds(), "virtual-s/s")
			b.ReportMetric(1000*b.Elapsed().Seconds()/float64(b.N), "ms/replay")
		})
	}
}

// BenchmarkHourAt1000rps replays one virtual hour of a canary that never
// settles (its gate stays closed) under 1,000 requests per second, and
// reports the heap in use at the end.
func BenchmarkHourAt1000rps(b *testing.B) {
	yaml := `version: fledge.dev/scenario/v1
name: hour-at-1000rps
seed: 7
until: 1h
canary:
  apiVersion: flagger.app/v1beta1
  kind: Canary
  metadata: {name: podinfo, namespace: test}
  spec:
    provider: osm
    targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
    service: {port: 9898}
    analysis:
      interval: 30s
      threshold: 5
      stepWeight: 10
      maxWeight: 50
      metrics:
        - {name: request-success-rate, interval: 1m, thresholdRange: {min: 99}}
        - {name: request-duration, interval: 30s, thresholdRange: {max: 500}}
      webhooks:
        - {name: approve, type: confirm-promotion, url: http://flagger-loadtester.test/gate/check}
traffic:
  - {name: users, target: apex, rps: 1000, codes: {500: 0.001}}
webhooks:
  approve: fail
actions:
  - at: 0s
    setImage: podinfod=ghcr.io/stefanprodan/podinfo:6.0.1
expect:
  phase: WaitingPromotion
`
	l, err := scenario.LoadBytes("hour", []byte(yaml), ".")
	if err != nil {
		b.Fatal(err)
	}
	var heap uint64
	b.ReportAllocs()
	for b.Loop() {
		res, err := sim.Run(context.Background(), l)
		if err != nil {
			b.Fatal(err)
		}
		if d := res.Duration().Hours(); d < 1 || res.Status.Phase != "WaitingPromotion" {
			b.Fatalf("ran %.2fh of virtual time to %s, want 1h in WaitingPromotion", d, res.Status.Phase)
		}
		runtime.GC()
		var ms runtime.MemStats
		runtime.ReadMemStats(&ms)
		heap = max(heap, ms.HeapAlloc)
		runtime.KeepAlive(res)
	}
	b.ReportMetric(float64(heap)/(1<<20), "heap-MB")
}
