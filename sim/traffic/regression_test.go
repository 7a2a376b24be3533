package traffic_test

import (
	"math"
	"strings"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// TestRegressionServesOnlyFromTheCanary: the canary answers a further 20%
// of 500s and 5% of 404s and is 100ms slower; the primary is untouched.
func TestRegressionServesOnlyFromTheCanary(t *testing.T) {
	reg := traffic.Regression{Codes: map[int]float64{500: 0.2, 404: 0.05}, Delay: 100 * time.Millisecond}
	m, err := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Seed: 3, Start: epoch, Regression: reg}, tsdb.NewStore())
	if err != nil {
		t.Fatal(err)
	}
	src := traffic.Source{Name: "users", Target: traffic.Apex, RPS: 200, Codes: map[int]float64{200: 0.99, 503: 0.01},
		Latency: traffic.Fixed(10 * time.Millisecond)}
	if err := m.Add(src); err != nil {
		t.Fatal(err)
	}
	if err := m.Advance(epoch.Add(10*time.Minute), func() (int, int) { return 50, 50 }); err != nil {
		t.Fatal(err)
	}
	by := m.BySource()["users"]
	canary, primary := by["podinfo"], by["podinfo-primary"]
	rate := func(n, of uint64) float64 { return float64(n) / float64(of) }
	for _, c := range []struct {
		name      string
		got, want float64
	}{
		{"primary 5xx", rate(primary.Failed, primary.Requests), 0.01},
		{"primary 4xx", rate(primary.ClientErrors, primary.Requests), 0},
		{"canary 5xx", rate(canary.Failed, canary.Requests), 0.2 + 0.01*0.75},
		{"canary 4xx", rate(canary.ClientErrors, canary.Requests), 0.05},
	} {
		if math.Abs(c.got-c.want) > 0.005 {
			t.Errorf("%s rate %.4f, want %.4f", c.name, c.got, c.want)
		}
	}
	if total := m.Totals()["podinfo"]; total != canary {
		t.Errorf("totals %+v, want the one source's %+v", total, canary)
	}
}

func TestRegressionRejected(t *testing.T) {
	for _, c := range []struct {
		reg  traffic.Regression
		want string
	}{
		{traffic.Regression{Codes: map[int]float64{500: 1.5}}, "share 1.5 of code 500 is not between 0 and 1"},
		{traffic.Regression{Codes: map[int]float64{500: -0.1}}, "share -0.1 of code 500"},
		{traffic.Regression{Codes: map[int]float64{500: 0.6, 404: 0.6}}, "code shares sum to 1.2, more than 1"},
		{traffic.Regression{Codes: map[int]float64{700: 0.1}}, "status code 700 out of range"},
		{traffic.Regression{Delay: -time.Second}, "negative delay -1s"},
	} {
		_, err := traffic.New(traffic.Config{Namespace: "test", Target: "podinfo", Regression: c.reg}, tsdb.NewStore())
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%+v: error %v, want %q", c.reg, err, c.want)
		}
	}
}
