package decide

import (
	"encoding/json"
	"math"
	"testing"
)

// TestVerdictJSON: a value JSON numbers cannot hold is written as a
// string (after the other fields) instead of failing the whole encoding.
func TestVerdictJSON(t *testing.T) {
	tests := map[string]struct {
		value float64
		want  string
	}{
		"finite": {value: 99.5, want: `{"metric":"m","value":99.5,"hasValue":true,"outcome":"fail"}`},
		"+Inf":   {value: math.Inf(1), want: `{"metric":"m","hasValue":true,"outcome":"fail","value":"+Inf"}`},
		"-Inf":   {value: math.Inf(-1), want: `{"metric":"m","hasValue":true,"outcome":"fail","value":"-Inf"}`},
		"NaN":    {value: math.NaN(), want: `{"metric":"m","hasValue":true,"outcome":"fail","value":"NaN"}`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := json.Marshal(Verdict{Metric: "m", Value: tc.value, HasValue: true, Outcome: OutcomeFail})
			if err != nil || string(got) != tc.want {
				t.Errorf("Marshal = %s, %v; want %s", got, err, tc.want)
			}
		})
	}
}
