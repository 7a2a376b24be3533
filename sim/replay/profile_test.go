package replay_test

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/replay"
	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// primaryRecording is an hour of the simulator's traffic to podinfo-primary:
// 50 rps, 1% 5xx, 2% 404, latency 10ms median and 80ms P99.
func primaryRecording(t *testing.T) *replay.Recording {
	t.Helper()
	store := tsdb.NewStore()
	m, err := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Seed: 3, Start: knownStart}, store)
	if err != nil {
		t.Fatal(err)
	}
	err = m.Add(traffic.Source{Name: "users", Target: traffic.Primary, RPS: 50,
		Codes: map[int]float64{200: 0.97, 500: 0.01, 404: 0.02}, Latency: traffic.LogNormal(10*time.Millisecond, 80*time.Millisecond)})
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Advance(knownStart.Add(time.Hour), func() (int, int) { return 100, 0 }); err != nil {
		t.Fatal(err)
	}
	var om bytes.Buffer
	if err := replay.WriteOpenMetrics(context.Background(), &om, store, math.MinInt64, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	read, err := replay.ReadOpenMetrics("primary.om", om.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	return &replay.Recording{Source: "primary.om", Store: read}
}

// TestMeasureProfile recovers the profile the traffic was drawn with:
// rates within sampling noise, quantiles within the buckets' resolution.
func TestMeasureProfile(t *testing.T) {
	rec := primaryRecording(t)
	p, err := replay.MeasureProfile(context.Background(), rec, "test", "podinfo-primary", 7*24*time.Hour, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	near := func(name string, got, want, tolerance float64) {
		if math.Abs(got-want) > tolerance {
			t.Errorf("%s = %v, want %v ± %v", name, got, want, tolerance)
		}
	}
	t.Log(p)
	near("rps", p.RPS, 50, 1)
	near("5xx %", p.ErrorRate, 1, 0.2)
	near("404 %", p.NotFoundRate, 2, 0.3)
	near("p50 ms", float64(p.P50)/1e6, 10, 3)
	near("p99 ms", float64(p.P99)/1e6, 80, 25)
	if want := knownStart.Add(10 * time.Second); !p.From.Equal(want) || !p.To.Equal(knownStart.Add(time.Hour)) {
		t.Errorf("window %v to %v, want the recording's: %v to %v", p.From, p.To, want, knownStart.Add(time.Hour))
	}
	short, err := replay.MeasureProfile(context.Background(), rec, "test", "podinfo-primary", 10*time.Minute, time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	if !short.From.Equal(knownStart.Add(50 * time.Minute)) {
		t.Errorf("10m window from %v, want %v", short.From, knownStart.Add(50*time.Minute))
	}
	_, err = replay.MeasureProfile(context.Background(), rec, "test", "web-primary", time.Hour, time.Time{})
	if err == nil || !strings.Contains(err.Error(), "primary.om has no osm_request_total series of deployment web-primary.test") {
		t.Errorf("missing deployment: %v", err)
	}
}
