package whatif

import (
	"encoding/json"
	"math"
	"time"
)

// The JSON of a report gives every duration in seconds, under a key ending
// in Seconds, and leaves out what was not measured: the times of a case
// that never promoted or never rolled back, a setting's blast radius and
// detection without a regression case, its time to promote when no healthy
// run promoted, the arithmetic when it was not computed. The types below
// are the JSON forms: their fields shadow the durations of the embedded
// plain types, which have no methods.
type (
	plainProfile    Profile
	plainSpec       SpecSummary
	plainArithmetic Arithmetic
	plainPoint      Point
)

type profileJSON struct {
	plainProfile
	P50        float64 `json:"p50Seconds"`
	P99        float64 `json:"p99Seconds"`
	ReadyAfter float64 `json:"readyAfterSeconds"`
}

type specJSON struct {
	plainSpec
	Interval float64 `json:"intervalSeconds"`
}

type arithmeticJSON struct {
	plainArithmetic
	Interval  float64 `json:"intervalSeconds"`
	Analysis  float64 `json:"analysisSeconds"`
	Promotion float64 `json:"promotionSeconds"`
}

// checkJSON is an ArithmeticCheck without its arithmetic.
type checkJSON struct {
	Holds     bool             `json:"holds"`
	Error     string           `json:"error,omitempty"`
	Scenarios *SimulatorTiming `json:"tutorialScenarios,omitempty"`
}

type pointJSON struct {
	plainPoint
	TimeToPromote *float64 `json:"timeToPromoteSeconds,omitempty"`
	BlastRadius   *float64 `json:"blastRadius,omitempty"`
	Detection     *float64 `json:"detection,omitempty"`
}

// fromSeconds is the duration of s seconds, to the nanosecond.
func fromSeconds(s float64) time.Duration { return time.Duration(math.Round(s * float64(time.Second))) }

// MarshalJSON writes the durations in seconds.
func (p Profile) MarshalJSON() ([]byte, error) {
	return json.Marshal(profileJSON{plainProfile(p), p.P50.Seconds(), p.P99.Seconds(), p.ReadyAfter.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (p *Profile) UnmarshalJSON(data []byte) error {
	var j profileJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*p = Profile(j.plainProfile)
	p.P50, p.P99, p.ReadyAfter = fromSeconds(j.P50), fromSeconds(j.P99), fromSeconds(j.ReadyAfter)
	return nil
}

// MarshalJSON writes the interval in seconds.
func (s SpecSummary) MarshalJSON() ([]byte, error) {
	return json.Marshal(specJSON{plainSpec(s), s.Interval.Seconds()})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (s *SpecSummary) UnmarshalJSON(data []byte) error {
	var j specJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*s = SpecSummary(j.plainSpec)
	s.Interval = fromSeconds(j.Interval)
	return nil
}

func (a Arithmetic) toJSON() arithmeticJSON {
	return arithmeticJSON{plainArithmetic(a), a.Interval.Seconds(), a.Analysis.Seconds(), a.Promotion.Seconds()}
}

func (j arithmeticJSON) arithmetic() Arithmetic {
	a := Arithmetic(j.plainArithmetic)
	a.Interval, a.Analysis, a.Promotion = fromSeconds(j.Interval), fromSeconds(j.Analysis), fromSeconds(j.Promotion)
	return a
}

// MarshalJSON writes the durations in seconds.
func (a Arithmetic) MarshalJSON() ([]byte, error) { return json.Marshal(a.toJSON()) }

// UnmarshalJSON reads what MarshalJSON writes.
func (a *Arithmetic) UnmarshalJSON(data []byte) error {
	var j arithmeticJSON
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*a = j.arithmetic()
	return nil
}

// MarshalJSON writes the arithmetic, durations in seconds, beside the
// check; only the error when the arithmetic was not computed.
func (c ArithmeticCheck) MarshalJSON() ([]byte, error) {
	check := checkJSON{Holds: c.Holds, Error: c.Error, Scenarios: c.Scenarios}
	if c.Error != "" {
		return json.Marshal(check)
	}
	return json.Marshal(struct {
		arithmeticJSON
		checkJSON
	}{c.toJSON(), check})
}

// UnmarshalJSON reads what MarshalJSON writes.
func (c *ArithmeticCheck) UnmarshalJSON(data []byte) error {
	var j struct {
		arithmeticJSON
		checkJSON
	}
	if err := json.Unmarshal(data, &j); err != nil {
		return err
	}
	*c = ArithmeticCheck{Arithmetic: j.arithmetic(), Holds: j.Holds, Error: j.Error, Scenarios: j.Scenarios}
	return nil
}

// MarshalJSON leaves out what the setting did not measure: the time to
// promote when no healthy run promoted, the blast radius and detection
// without a regression case.
func (p Point) MarshalJSON() ([]byte, error) {
	j := pointJSON{plainPoint: plainPoint(p)}
	if p.TimeToPromote > 0 {
		j.TimeToPromote = &p.TimeToPromote
	}
	if p.StudiedRegressions() {
		j.BlastRadius, j.Detection = &p.BlastRadius, &p.Detection
	}
	return json.Marshal(j)
}
