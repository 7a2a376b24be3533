package prometheus

import (
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"strconv"

	"github.com/fledge-canary/fledge/core/engine"
)

// response is the envelope of every Prometheus API answer.
type response struct {
	Status    string `json:"status"`
	ErrorType string `json:"errorType"`
	Error     string `json:"error"`
	Data      struct {
		ResultType string          `json:"resultType"`
		Result     json.RawMessage `json:"result"`
	} `json:"data"`
}

// series is one element of an instant vector.
type series struct {
	Metric map[string]string `json:"metric"`
	Value  json.RawMessage   `json:"value"`
}

// decode reads the single value of an instant-query answer. It is pure: it
// reads nothing but body. Its errors may quote strings of the body in full;
// the caller scrubs and bounds them.
func decode(body []byte) (float64, error) {
	var r response
	if err := json.Unmarshal(body, &r); err != nil {
		return 0, fmt.Errorf("error unmarshaling result: %w", err)
	}
	switch r.Status {
	case "success":
	case "error":
		return 0, fmt.Errorf("query failed: %s: %s", r.ErrorType, r.Error)
	default:
		return 0, fmt.Errorf("error unmarshaling result: status %q, expected \"success\" or \"error\"", r.Status)
	}
	switch r.Data.ResultType {
	case "vector":
		return decodeVector(r.Data.Result)
	case "scalar":
		return decodeSample(r.Data.Result)
	case "matrix":
		return 0, errors.New("query returned a range vector (matrix), expected an instant vector or a scalar")
	default:
		return 0, fmt.Errorf("query returned result type %q, expected an instant vector or a scalar", r.Data.ResultType)
	}
}

func decodeVector(raw json.RawMessage) (float64, error) {
	var vec []series
	if err := json.Unmarshal(raw, &vec); err != nil {
		return 0, fmt.Errorf("error unmarshaling result: %w", err)
	}
	switch len(vec) {
	case 0:
		return 0, engine.ErrNoValues
	case 1:
		return decodeSample(vec[0].Value)
	default:
		return 0, fmt.Errorf("query returned %d series, expected one", len(vec))
	}
}

// decodeSample reads a [<unix time>, "<value>"] pair. NaN is no value.
func decodeSample(raw json.RawMessage) (float64, error) {
	if len(raw) == 0 {
		return 0, errors.New("error unmarshaling result: series has no value")
	}
	var pair []json.RawMessage
	if err := json.Unmarshal(raw, &pair); err != nil {
		return 0, fmt.Errorf("error unmarshaling result: %w", err)
	}
	if len(pair) != 2 {
		return 0, fmt.Errorf("error unmarshaling result: %w", fmt.Errorf("sample has %d elements, expected 2", len(pair)))
	}
	var s string
	if err := json.Unmarshal(pair[1], &s); err != nil {
		return 0, fmt.Errorf("error unmarshaling result: %w", err)
	}
	v, err := strconv.ParseFloat(s, 64)
	if err != nil {
		return 0, fmt.Errorf("error unmarshaling result: sample value %q is not a number", s)
	}
	if math.IsNaN(v) {
		return 0, engine.ErrNoValues
	}
	return v, nil
}
