package decide

import (
	"fmt"
	"math"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Outcome is the result of one metric check.
type Outcome string

// The outcomes of a metric check. Anything but OutcomePass halts the
// advance and counts one failed check.
const (
	OutcomePass   Outcome = "pass"
	OutcomeFail   Outcome = "fail"
	OutcomeNoData Outcome = "no-data"
	OutcomeError  Outcome = "error"
)

// Verdict is the structured result of a metric check: what was asked, what
// came back, what it was held against and what was decided.
type Verdict struct {
	Metric   string   `json:"metric"`
	Query    string   `json:"query,omitempty"`
	Value    float64  `json:"value"`
	HasValue bool     `json:"hasValue"`
	Min      *float64 `json:"min,omitempty"`
	Max      *float64 `json:"max,omitempty"`
	Outcome  Outcome  `json:"outcome"`
	// Message is the event text for anything but a pass.
	Message string `json:"message,omitempty"`
}

// Passed reports whether the check passed.
func (v Verdict) Passed() bool { return v.Outcome == OutcomePass }

// Subject names the canary in messages: its name, its target and namespace.
type Subject struct {
	Name, Target, Namespace string
}

// Bounds are the effective bounds of a metric: thresholdRange when set,
// otherwise the legacy threshold read as a minimum for request-success-rate
// and as a maximum for everything else.
func Bounds(m v1.CanaryMetric) (lo, hi *float64) {
	if r := m.ThresholdRange; r != nil {
		return r.Min, r.Max
	}
	t := m.Threshold
	if m.IsBuiltin() && m.Name == v1.BuiltinSuccessRate {
		return &t, nil
	}
	return nil, &t
}

// JudgeSuccessRate holds a request-success-rate value (percent) against the
// metric's bounds.
func JudgeSuccessRate(s Subject, m v1.CanaryMetric, v float64) Verdict {
	return judge(s, m, v, func(op string, bound float64) string {
		return fmt.Sprintf("Halt %s.%s advancement success rate %.2f%% %s %v%%", s.Name, s.Namespace, v, op, bound)
	})
}

// JudgeDuration holds a request-duration value (milliseconds) against the
// metric's bounds. Value and bounds are truncated to whole milliseconds and
// printed as Go durations ("1.234s > 500ms"), as Flagger does.
func JudgeDuration(s Subject, m v1.CanaryMetric, v float64) Verdict {
	lo, hi := Bounds(m)
	ms := v
	if !math.IsInf(v, 0) && !math.IsNaN(v) {
		ms = float64(int64(v))
	}
	return judgeWith(s, m, v, ms, truncPtr(lo), truncPtr(hi), func(op string, bound float64) string {
		return fmt.Sprintf("Halt %s.%s advancement request duration %v %s %v",
			s.Name, s.Namespace, time.Duration(ms)*time.Millisecond, op, time.Duration(bound)*time.Millisecond)
	})
}

// JudgeCustom holds an inline-query or template metric value against the
// metric's bounds.
func JudgeCustom(s Subject, m v1.CanaryMetric, v float64) Verdict {
	return judge(s, m, v, func(op string, bound float64) string {
		return fmt.Sprintf("Halt %s.%s advancement %s %.2f %s %v", s.Name, s.Namespace, m.Name, v, op, bound)
	})
}

func judge(s Subject, m v1.CanaryMetric, v float64, msg func(op string, bound float64) string) Verdict {
	lo, hi := Bounds(m)
	return judgeWith(s, m, v, v, lo, hi, msg)
}

// judgeWith compares cmp (v, or v as Flagger rounds it) with the bounds.
func judgeWith(s Subject, m v1.CanaryMetric, v, cmp float64, lo, hi *float64, msg func(string, float64) string) Verdict {
	vd := Verdict{Metric: m.Name, Value: v, HasValue: true, Min: lo, Max: hi, Outcome: OutcomePass}
	switch {
	case math.IsNaN(v):
		vd.HasValue, vd.Outcome = false, OutcomeNoData
		vd.Message = fmt.Sprintf("Halt advancement no values found for metric: %s", m.Name)
	case math.IsInf(v, 0):
		vd.Outcome = OutcomeFail
		vd.Message = fmt.Sprintf("Halt %s.%s advancement %s returned %v, not a value that can be judged", s.Name, s.Namespace, m.Name, v)
	case lo != nil && cmp < *lo:
		vd.Outcome, vd.Message = OutcomeFail, msg("<", *lo)
	case hi != nil && cmp > *hi:
		vd.Outcome, vd.Message = OutcomeFail, msg(">", *hi)
	}
	return vd
}

func truncPtr(p *float64) *float64 {
	if p == nil {
		return nil
	}
	t := float64(int64(*p))
	return &t
}
