package traffic_test

import (
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/traffic"
)

// BenchmarkAdvanceHour1000rps draws one virtual hour of 1,000 requests a
// second through the apex, split 90/10, with two status codes and a
// log-normal latency, scraped every 10s into a fresh store.
func BenchmarkAdvanceHour1000rps(b *testing.B) {
	b.ReportAllocs()
	var samples int
	for b.Loop() {
		m, store := newModel(b, 1, traffic.Source{
			Name: "frontend", Target: traffic.Apex, RPS: 1000,
			Codes:   map[int]float64{200: 0.99, 500: 0.01},
			Latency: traffic.LogNormal(20*time.Millisecond, 300*time.Millisecond),
		})
		if err := m.Advance(epoch.Add(time.Hour), func() (int, int) { return 90, 10 }); err != nil {
			b.Fatal(err)
		}
		_, samples = store.Stats()
	}
	b.ReportMetric(float64(samples), "samples")
}

// BenchmarkAdvanceTutorial draws the OSM tutorial's traffic: the
// loadtester's hey at 10 rps through the apex and 20 rps to the canary,
// six analysis intervals of one minute with the canary's weight stepping
// from 10% to 50%.
func BenchmarkAdvanceTutorial(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		m, _ := newModel(b, 1,
			traffic.Source{Name: "flagger-loadtester", Target: traffic.Canary, RPS: 20,
				Latency: traffic.LogNormal(3*time.Millisecond, 30*time.Millisecond)},
			traffic.Source{Name: "frontend", Target: traffic.Apex, RPS: 10,
				Latency: traffic.LogNormal(3*time.Millisecond, 30*time.Millisecond)})
		for i := 1; i <= 6; i++ {
			w := min(10*i, 50)
			if err := m.Advance(epoch.Add(time.Duration(i)*time.Minute), func() (int, int) { return 100 - w, w }); err != nil {
				b.Fatal(err)
			}
		}
	}
}
