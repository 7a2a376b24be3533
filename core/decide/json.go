package decide

import (
	"encoding/json"
	"math"
	"strconv"
)

// MarshalJSON writes a Value that JSON numbers cannot hold (+Inf, -Inf,
// NaN) as a string, "+Inf", "-Inf" or "NaN", as Prometheus' API writes
// sample values. encoding/json refuses such a float, so a trace holding the
// verdict on a query that returned +Inf would not encode at all.
func (v Verdict) MarshalJSON() ([]byte, error) {
	type plain Verdict
	if !math.IsInf(v.Value, 0) && !math.IsNaN(v.Value) {
		return json.Marshal(plain(v))
	}
	return json.Marshal(struct {
		plain
		Value string `json:"value"`
	}{plain(v), strconv.FormatFloat(v.Value, 'f', -1, 64)})
}
