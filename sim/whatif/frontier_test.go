package whatif_test

import (
	"slices"
	"testing"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// TestMarkFrontier: a point is on the frontier when no point that promoted
// is at least as good on every trade-off and better on one; detection is a
// trade-off (the higher the better) only when regressions were studied.
func TestMarkFrontier(t *testing.T) {
	withRegressions := &whatif.Report{Cases: []whatif.CaseResult{{Case: whatif.Case{Kind: whatif.Healthy}},
		{Case: whatif.Case{Kind: whatif.Errors, Size: 2}}}}
	healthyOnly := &whatif.Report{Cases: []whatif.CaseResult{{Case: whatif.Case{Kind: whatif.Healthy}}}}
	// pt is a setting promoting in secs, with blast radius, detection and
	// false rollbacks.
	pt := func(name string, secs, blast, detection, falseRollback float64) whatif.Point {
		return whatif.Point{Setting: whatif.Setting{{Key: "threshold", Value: name}}, TimeToPromote: secs,
			BlastRadius: blast, Detection: detection, FalseRollback: falseRollback, Report: withRegressions}
	}
	healthy := func(p whatif.Point) whatif.Point { p.Report = healthyOnly; return p }
	for _, c := range []struct {
		name   string
		points []whatif.Point
		want   []string
	}{
		{"dominated on time", []whatif.Point{pt("1", 300, 5, 1, 0), pt("2", 400, 5, 1, 0)}, []string{"1"}},
		{"dominated on false rollbacks", []whatif.Point{pt("1", 300, 5, 1, 0.1), pt("2", 300, 5, 1, 0)}, []string{"2"}},
		{"tied", []whatif.Point{pt("1", 300, 5, 1, 0), pt("2", 300, 5, 1, 0)}, []string{"1", "2"}},
		{"never promoted", []whatif.Point{pt("1", 0, 0, 1, 1), pt("2", 300, 5, 1, 0)}, []string{"2"}},
		{"only one never promoted", []whatif.Point{pt("1", 0, 0, 1, 1)}, nil},
		{"faster against fewer failed requests", []whatif.Point{pt("1", 300, 20, 1, 0), pt("2", 600, 5, 1, 0), pt("3", 650, 6, 1, 0)},
			[]string{"1", "2"}},
		{"fewer failed requests by promoting a bad release", []whatif.Point{pt("1", 200, 3, 0.1, 0), pt("2", 400, 10, 1, 0)},
			[]string{"1", "2"}},
		{"dominated on detection", []whatif.Point{pt("1", 300, 5, 0.5, 0), pt("2", 300, 5, 0.9, 0)}, []string{"2"}},
		{"detection not studied", []whatif.Point{healthy(pt("1", 300, 0, 0, 0)), healthy(pt("2", 400, 0, 1, 0))}, []string{"1"}},
	} {
		t.Run(c.name, func(t *testing.T) {
			whatif.MarkFrontier(c.points)
			var got []string
			for _, p := range c.points {
				if p.Frontier {
					got = append(got, p.Setting[0].Value)
				}
			}
			if !slices.Equal(got, c.want) {
				t.Errorf("frontier %q, want %q", got, c.want)
			}
		})
	}
}
