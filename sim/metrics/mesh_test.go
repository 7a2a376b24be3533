package metrics_test

import (
	"context"
	"errors"
	"math"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/query"
	"github.com/fledge-canary/fledge/sim/metrics"
	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// TestMeshSeriesAnswerTheirObserver checks that each mesh's series answer
// the builtin queries of the observer Fledge (as Flagger) picks for it,
// and only those: a Linkerd model has no OSM series, and so on. The canary
// gets half of 20 rps, 30% of them 500s, with a P99 on the 500 ms bucket
// bound.
func TestMeshSeriesAnswerTheirObserver(t *testing.T) {
	meshes := []struct {
		mesh     traffic.Mesh
		observer query.Observer
	}{
		{traffic.MeshOSM, query.ObserverOSM},
		{traffic.MeshLinkerd, query.ObserverLinkerd},
		{traffic.MeshIstio, query.ObserverIstio},
	}
	source := traffic.Source{Name: "users", Target: traffic.Apex, RPS: 20,
		Codes: map[int]float64{200: 0.7, 500: 0.3}, Latency: traffic.Fixed(400 * time.Millisecond)}
	for _, tc := range meshes {
		t.Run(tc.mesh.String(), func(t *testing.T) {
			store := tsdb.NewStore()
			m, err := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Seed: 1, Start: epoch, Mesh: tc.mesh}, store)
			if err != nil {
				t.Fatal(err)
			}
			if err := m.Add(source); err != nil {
				t.Fatal(err)
			}
			at := epoch.Add(5 * time.Minute)
			if err := m.Advance(at, func() (int, int) { return 50, 50 }); err != nil {
				t.Fatal(err)
			}
			emb := metrics.New(tsdb.NewEngine(store))
			for _, o := range []query.Observer{query.ObserverOSM, query.ObserverLinkerd, query.ObserverIstio} {
				success := render(t, o.SuccessRate, "1m")
				duration := render(t, o.Duration, "1m")
				rate, rateErr := emb.Query(context.Background(), engine.Query{PromQL: success, At: at})
				p99, p99Err := emb.Query(context.Background(), engine.Query{PromQL: duration, At: at})
				if o != tc.observer {
					if !errors.Is(rateErr, engine.ErrNoValues) || !errors.Is(p99Err, engine.ErrNoValues) {
						t.Errorf("%s queries on %s series: %v, %v; want no values", o, tc.mesh, rateErr, p99Err)
					}
					continue
				}
				if rateErr != nil || math.Abs(rate-70) > 10 {
					t.Errorf("%s success rate = %v, %v; want 70 ± 10", o, rate, rateErr)
				}
				if p99Err != nil || p99 < 250 || p99 > 500 {
					t.Errorf("%s P99 = %v ms, %v; want in the 250-500 ms bucket", o, p99, p99Err)
				}
			}
		})
	}
}
