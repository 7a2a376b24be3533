package svgfmt

import (
	"math"
	"slices"
	"testing"
	"time"
)

func TestFormats(t *testing.T) {
	tests := []struct{ got, want string }{
		{Clock(90 * time.Second), "1:30"},
		{Clock(-30 * time.Second), "-0:30"},
		{Value(69.39682), "69.4"},
		{Value(99), "99"},
		{Value(math.Inf(1)), "+Inf"},
		{Px(12.345), "12.3"},
		{Polyline([][2]float64{{0, 1}, {0, 1}, {2.25, 3}}), "0.0,1.0 2.2,3.0"},
	}
	for _, tc := range tests {
		if tc.got != tc.want {
			t.Errorf("got %q, want %q", tc.got, tc.want)
		}
	}
}

func TestNiceDomain(t *testing.T) {
	lo, hi, vals, labels := NiceDomain(3, 97)
	if lo != 0 || hi != 100 {
		t.Errorf("domain [%v, %v], want [0, 100]", lo, hi)
	}
	if !slices.Equal(vals, []float64{0, 20, 40, 60, 80, 100}) || !slices.Equal(labels, []string{"0", "20", "40", "60", "80", "100"}) {
		t.Errorf("ticks %v %v", vals, labels)
	}
	if lo, hi, _, _ := NiceDomain(5, 5); lo >= 5 || hi <= 5 {
		t.Errorf("an empty domain is widened: got [%v, %v]", lo, hi)
	}
}

func TestTimeStep(t *testing.T) {
	for span, want := range map[time.Duration]time.Duration{
		8 * time.Second: time.Second, 7 * time.Minute: time.Minute, 5 * time.Hour: 30 * time.Minute, 30 * time.Hour: 4 * time.Hour,
	} {
		if got := TimeStep(span); got != want {
			t.Errorf("TimeStep(%v) = %v, want %v", span, got, want)
		}
	}
}
