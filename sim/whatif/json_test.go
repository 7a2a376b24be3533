package whatif_test

import (
	"encoding/json"
	"reflect"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// TestJSONSecondsAndUnmeasured: durations are written in seconds under
// keys ending in Seconds, what was not measured is left out, and the JSON
// reads back into the same report.
func TestJSONSecondsAndUnmeasured(t *testing.T) {
	ar := whatif.Arithmetic{Interval: 30 * time.Second, Weights: []int{10, 20}, ReadyTicks: 1,
		Analysis: time.Minute, Promotion: 210 * time.Second}
	rep := &whatif.Report{Spec: whatif.SpecSummary{Canary: "test/podinfo", Interval: 30 * time.Second, Threshold: 5, MaxWeight: 20},
		Profile: whatif.DefaultProfile(), Runs: 2, Seed: 1, RunLengthSeconds: 1230,
		Arithmetic: whatif.ArithmeticCheck{Arithmetic: ar, Holds: true},
		Cases: []whatif.CaseResult{
			{Case: whatif.Case{Kind: whatif.Healthy}, Name: "healthy", Runs: 2, Promoted: whatif.Rate{Count: 2, Of: 2, P: 1},
				TimeToPromote: whatif.Spread{N: 2, Mean: 210, Min: 210, P50: 210, P90: 210, Max: 210}},
		}}
	var got map[string]any
	mustJSON(t, rep, &got)
	want := map[string]any{
		"spec":       map[string]any{"canary": "test/podinfo", "intervalSeconds": 30.0, "threshold": 5.0, "maxWeight": 20.0, "metrics": nil},
		"profile":    map[string]any{"rps": 20.0, "errorRate": 0.1, "notFoundRate": 0.0, "p50Seconds": 0.005, "p99Seconds": 0.04, "readyAfterSeconds": 10.0},
		"arithmetic": map[string]any{"intervalSeconds": 30.0, "weights": []any{10.0, 20.0}, "readyTicks": 1.0, "analysisSeconds": 60.0, "promotionSeconds": 210.0, "holds": true},
	}
	for k, w := range want {
		if !reflect.DeepEqual(got[k], w) {
			t.Errorf("%s: %v, want %v", k, got[k], w)
		}
	}
	healthy := got["cases"].([]any)[0].(map[string]any)
	if _, ok := healthy["timeToRollbackSeconds"]; ok || healthy["timeToPromoteSeconds"] == nil {
		t.Errorf("healthy case %v: want its time to promote and no time to roll back", healthy)
	}
	var back whatif.Report
	mustJSON(t, rep, &back)
	if !reflect.DeepEqual(&back, rep) {
		t.Errorf("read back %+v, want %+v", back, *rep)
	}
	rep.Arithmetic = whatif.ArithmeticCheck{Error: "not modelled"}
	mustJSON(t, rep, &got)
	if a := got["arithmetic"]; !reflect.DeepEqual(a, map[string]any{"holds": false, "error": "not modelled"}) {
		t.Errorf("arithmetic not computed: %v, want only the error", a)
	}
}

// TestPointJSONLeavesOutTheUnmeasured: without a regression case a
// setting has no blast radius nor detection; without a healthy promotion
// no time to promote; a measured 0 is written.
func TestPointJSONLeavesOutTheUnmeasured(t *testing.T) {
	healthyOnly := &whatif.Report{Cases: []whatif.CaseResult{{Case: whatif.Case{Kind: whatif.Healthy}}}}
	withRegression := &whatif.Report{Cases: []whatif.CaseResult{{Case: whatif.Case{Kind: whatif.Errors, Size: 2}}}}
	for _, c := range []struct {
		name    string
		point   whatif.Point
		present []string
		absent  []string
	}{
		{"healthy only", whatif.Point{TimeToPromote: 390, Report: healthyOnly}, []string{"timeToPromoteSeconds", "falseRollback"},
			[]string{"blastRadius", "detection"}},
		{"never promoted, nothing caught", whatif.Point{Report: withRegression}, []string{"blastRadius", "detection", "falseRollback"},
			[]string{"timeToPromoteSeconds"}},
	} {
		var got map[string]any
		mustJSON(t, c.point, &got)
		for _, k := range c.present {
			if _, ok := got[k]; !ok {
				t.Errorf("%s: no %s in %v", c.name, k, got)
			}
		}
		for _, k := range c.absent {
			if _, ok := got[k]; ok {
				t.Errorf("%s: %s in %v, want it left out", c.name, k, got)
			}
		}
	}
}

// mustJSON encodes v and decodes it into out.
func mustJSON(t *testing.T, v, out any) {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(data, out); err != nil {
		t.Fatalf("%v\n%s", err, data)
	}
}
