package metrics_test

import (
	"context"
	"fmt"
	"time"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/query"
	"github.com/fledge-canary/fledge/sim/metrics"
	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// The builtin request-success-rate check of a canary answering 30% 500s.
func Example() {
	start := time.Unix(0, 0).UTC()
	store := tsdb.NewStore()
	model, _ := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Seed: 1, Start: start}, store)
	_ = model.Add(traffic.Source{Name: "flagger-loadtester", Target: traffic.Canary, RPS: 10,
		Codes: map[int]float64{200: 0.7, 500: 0.3}})
	src := metrics.New(tsdb.NewEngine(store))
	q, _ := query.SuccessRate(query.Model{Namespace: "test", Target: "podinfo", Interval: "1m"})

	now := start.Add(5 * time.Minute)
	_ = model.Advance(now, nil) // traffic first, then the check at the same instant
	v, err := src.Query(context.Background(), engine.Query{PromQL: q, At: now})
	fmt.Printf("%.1f %v\n", v, err)

	_, err = src.Query(context.Background(), engine.Query{PromQL: q, At: start.Add(time.Hour)})
	fmt.Println(err)
	// Output:
	// 69.0 <nil>
	// no values found
}
