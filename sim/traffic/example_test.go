package traffic_test

import (
	"fmt"
	"time"

	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

func Example() {
	start := time.Unix(0, 0).UTC()
	store := tsdb.NewStore()
	model, _ := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Seed: 1, Start: start}, store)
	_ = model.Add(traffic.Source{
		Name: "frontend", Target: traffic.Apex, RPS: 100,
		Codes:   map[int]float64{200: 0.99, 500: 0.01},
		Latency: traffic.LogNormal(20*time.Millisecond, 200*time.Millisecond),
	})
	// The router holds the canary at 20% for ten virtual minutes.
	_ = model.Advance(start.Add(10*time.Minute), func() (primary, canary int) { return 80, 20 })
	totals := model.Totals()
	fmt.Printf("primary %+v\ncanary  %+v\n", totals["podinfo-primary"], totals["podinfo"])
	series, samples := store.Stats()
	fmt.Println(series, "series,", samples, "samples")
	// Output:
	// primary {Requests:48220 Failed:472 ClientErrors:0}
	// canary  {Requests:12137 Failed:112 ClientErrors:0}
	// 48 series, 2880 samples
}
