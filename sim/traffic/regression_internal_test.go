package traffic

import (
	"maps"
	"testing"
)

// TestApplyDoesNotDependOnMapOrder: with three or more codes a float sum
// depends on the order of its terms (0.1+0.2+0.3 is not 0.3+0.2+0.1), so
// the shares must be summed in one order whatever the map's iteration.
func TestApplyDoesNotDependOnMapOrder(t *testing.T) {
	codes := map[int]float64{200: 0.1, 404: 0.2, 500: 0.3, 503: 0.4}
	reg := Regression{Codes: map[int]float64{500: 0.1, 502: 0.2, 504: 0.3}}
	first, _ := reg.apply(codes, Fixed(0))
	for range 200 {
		got, _ := reg.apply(codes, Fixed(0))
		if !maps.Equal(got, first) {
			t.Fatalf("apply gave %v, then %v", first, got)
		}
	}
}
