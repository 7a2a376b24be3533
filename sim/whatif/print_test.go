package whatif_test

import (
	"reflect"
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// TestPointCells shows "-" for what a setting did not measure: the time to
// promote when no healthy run promoted, the blast radius and detection when
// it ran no regression case.
func TestPointCells(t *testing.T) {
	healthy := whatif.CaseResult{Case: whatif.Case{Kind: whatif.Healthy}}
	errors := whatif.CaseResult{Case: whatif.Case{Kind: whatif.Errors, Size: 5}}
	setting := whatif.Setting{{Key: "threshold", Value: "2"}}
	tests := map[string]struct {
		point whatif.Point
		want  []string
	}{
		"healthy only": {
			point: whatif.Point{Setting: setting, TimeToPromote: 390, Report: &whatif.Report{Cases: []whatif.CaseResult{healthy}}},
			want:  []string{"threshold=2", "6m30s", "0.0%", "-", "-", ""},
		},
		"with a regression": {
			point: whatif.Point{Setting: setting, TimeToPromote: 390, BlastRadius: 12.25, Detection: 0.5, FalseRollback: 0.01, Frontier: true,
				Report: &whatif.Report{Cases: []whatif.CaseResult{healthy, errors}}},
			want: []string{"threshold=2", "6m30s", "1.0%", "12.2", "50.0%", "*"},
		},
		"never promoted": {
			point: whatif.Point{Setting: setting, FalseRollback: 1, Report: &whatif.Report{Cases: []whatif.CaseResult{healthy, errors}}},
			want:  []string{"threshold=2", "-", "100.0%", "0.0", "0.0%", ""},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if got := tc.point.Cells(); !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Cells() = %q, want %q", got, tc.want)
			}
		})
	}
}

// TestFindingsFalseRollbacksWithoutArithmetic: the false-rollback rate is
// said whenever there is a healthy case, the arithmetic computed or not.
func TestFindingsFalseRollbacksWithoutArithmetic(t *testing.T) {
	healthy := whatif.CaseResult{Case: whatif.Case{Kind: whatif.Healthy}, Name: "healthy", Runs: 4,
		RolledBack: whatif.Rate{Count: 1, Of: 4, P: 0.25, Low: 0.05, High: 0.7}}
	rep := &whatif.Report{Cases: []whatif.CaseResult{healthy},
		Arithmetic: whatif.ArithmeticCheck{Error: "the arithmetic models the canary strategy, not blue-green"}}
	want := []string{
		"Arithmetic: not computed: the arithmetic models the canary strategy, not blue-green.",
		"False rollbacks of a healthy canary: 25.0% (5.0–70.0%).",
	}
	if got := rep.Findings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Findings() = %q, want %q", got, want)
	}
}

// TestFindingsUndecided: runs that neither promoted nor rolled back are
// named, and left out of the judgement of what was caught.
func TestFindingsUndecided(t *testing.T) {
	healthy := whatif.CaseResult{Case: whatif.Case{Kind: whatif.Healthy}, Name: "healthy", Runs: 10,
		Promoted: whatif.Rate{Count: 10, Of: 10, P: 1}, RolledBack: whatif.Rate{Of: 10, Low: 0, High: 0.278}}
	allUndecided := whatif.CaseResult{Case: whatif.Case{Kind: whatif.Errors, Size: 2}, Name: "+2% 5xx", Runs: 10, Undecided: 10,
		RolledBack: whatif.Rate{Of: 10}}
	someUndecided := whatif.CaseResult{Case: whatif.Case{Kind: whatif.Errors, Size: 1}, Name: "+1% 5xx", Runs: 10, Undecided: 4,
		Promoted: whatif.Rate{Count: 4, Of: 10, P: 0.4}, RolledBack: whatif.Rate{Count: 2, Of: 10, P: 0.2}}
	caughtWhenDecided := whatif.CaseResult{Case: whatif.Case{Kind: whatif.Errors, Size: 5}, Name: "+5% 5xx", Runs: 10, Undecided: 6,
		RolledBack: whatif.Rate{Count: 4, Of: 10, P: 0.4}}
	rep := &whatif.Report{RunLengthSeconds: 4290, Cases: []whatif.CaseResult{healthy, allUndecided, someUndecided, caughtWhenDecided},
		Arithmetic: whatif.ArithmeticCheck{Error: "not modelled"}}
	want := []string{
		"Arithmetic: not computed: not modelled.",
		"False rollbacks of a healthy canary: 0.0% (0.0–27.8%).",
		"Undecided after 1h11m30s (neither promoted nor rolled back): +2% 5xx 10 of 10, +1% 5xx 4 of 10, +5% 5xx 6 of 10.",
		"Caught in fewer than half the runs: +1% 5xx (2 of 6 decided runs, 4 undecided).",
	}
	if got := rep.Findings(); !reflect.DeepEqual(got, want) {
		t.Errorf("Findings() =\n%q\nwant\n%q", got, want)
	}
}

// TestSweepPrintSaysUndecided: a setting whose runs did not all decide is
// named under the sweep's table with its undecided runs.
func TestSweepPrintSaysUndecided(t *testing.T) {
	decided := &whatif.Report{RunLengthSeconds: 1770, Cases: []whatif.CaseResult{{Case: whatif.Case{Kind: whatif.Errors, Size: 2}, Name: "+2% 5xx", Runs: 4}}}
	undecided := &whatif.Report{RunLengthSeconds: 1770, Cases: []whatif.CaseResult{{Case: whatif.Case{Kind: whatif.Errors, Size: 2}, Name: "+2% 5xx", Runs: 4, Undecided: 3}}}
	rep := &whatif.SweepReport{Points: []whatif.Point{
		{Setting: whatif.Setting{{Key: "threshold", Value: "5"}}, Report: decided},
		{Setting: whatif.Setting{{Key: "threshold", Value: "100"}}, Report: undecided},
	}}
	var b strings.Builder
	if err := rep.Print(&b); err != nil {
		t.Fatal(err)
	}
	want := "threshold=100: Undecided after 29m30s (neither promoted nor rolled back): +2% 5xx 3 of 4.\n"
	if !strings.HasSuffix(b.String(), want) || strings.Count(b.String(), "Undecided") != 1 {
		t.Errorf("sweep table:\n%s\nwant it to end with %q", b.String(), want)
	}
}
