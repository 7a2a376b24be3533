package report

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"
)

func TestFormatting(t *testing.T) {
	for v, want := range map[float64]string{69.39682539682539: "69.4", 99: "99", 84.50000000000009: "84.5", math.Inf(1): "+Inf"} {
		if got := svgfmt.Value(v); got != want {
			t.Errorf("svgfmt.Value(%v) = %q, want %q", v, got, want)
		}
	}
	for d, want := range map[time.Duration]string{0: "0:00", 90 * time.Second: "1:30", -30 * time.Second: "-0:30", 75 * time.Minute: "75:00"} {
		if got := svgfmt.Clock(d); got != want {
			t.Errorf("svgfmt.Clock(%v) = %q, want %q", d, got, want)
		}
	}
	for s, want := range map[string]string{"tutorial-rollback-500s": "tutorial-rollback-500s", "404s percentage": "404s-percentage", "  A/B  ": "a-b", "<>": "run"} {
		if got := slug(s); got != want {
			t.Errorf("slug(%q) = %q, want %q", s, got, want)
		}
	}
}

func TestNiceScales(t *testing.T) {
	cases := []struct {
		lo, hi         float64
		wantLo, wantHi float64
		labels         []string
	}{
		{0, 15, 0, 15, []string{"0", "5", "10", "15"}},
		{66.87, 100, 60, 100, []string{"60", "70", "80", "90", "100"}},
		{99, 100, 99, 100, []string{"99.0", "99.2", "99.4", "99.6", "99.8", "100.0"}},
		{0, 2452.6, 0, 2500, []string{"0", "500", "1000", "1500", "2000", "2500"}},
		{5, 5, 4, 6, []string{"4.0", "4.5", "5.0", "5.5", "6.0"}},
	}
	for _, c := range cases {
		lo, hi, _, labels := svgfmt.NiceDomain(c.lo, c.hi)
		if lo != c.wantLo || hi != c.wantHi || !slices.Equal(labels, c.labels) {
			t.Errorf("svgfmt.NiceDomain(%v, %v) = %v, %v, %q; want %v, %v, %q", c.lo, c.hi, lo, hi, labels, c.wantLo, c.wantHi, c.labels)
		}
	}
	for span, want := range map[time.Duration]time.Duration{5 * time.Minute: 30 * time.Second, 450 * time.Second: time.Minute, 20 * time.Second: 2 * time.Second, 30 * time.Hour: 4 * time.Hour} {
		if got := svgfmt.TimeStep(span); got != want {
			t.Errorf("svgfmt.TimeStep(%v) = %v, want %v", span, got, want)
		}
	}
}
