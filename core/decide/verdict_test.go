package decide_test

import (
	"fmt"
	"math"
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

func float(f float64) *float64 { return &f }

func showFloat(p *float64) string {
	if p == nil {
		return "nil"
	}
	return fmt.Sprint(*p)
}

func sameFloat(a, b *float64) bool {
	return (a == nil) == (b == nil) && (a == nil || *a == *b)
}

// checkVerdict compares every field of a verdict.
func checkVerdict(t *testing.T, got, want decide.Verdict) {
	t.Helper()
	if got.Metric != want.Metric || got.Query != want.Query || got.Value != want.Value || got.HasValue != want.HasValue ||
		!sameFloat(got.Min, want.Min) || !sameFloat(got.Max, want.Max) || got.Outcome != want.Outcome || got.Message != want.Message {
		t.Errorf("verdict =\n{Metric:%q Query:%q Value:%v HasValue:%v Min:%s Max:%s Outcome:%q Message:%q}\nwant\n"+
			"{Metric:%q Query:%q Value:%v HasValue:%v Min:%s Max:%s Outcome:%q Message:%q}",
			got.Metric, got.Query, got.Value, got.HasValue, showFloat(got.Min), showFloat(got.Max), got.Outcome, got.Message,
			want.Metric, want.Query, want.Value, want.HasValue, showFloat(want.Min), showFloat(want.Max), want.Outcome, want.Message)
	}
	if got.Passed() != (want.Outcome == decide.OutcomePass) {
		t.Errorf("Passed() = %v with outcome %q", got.Passed(), got.Outcome)
	}
}

var podinfo = decide.Subject{Name: "podinfo", Target: "podinfo", Namespace: "test"}

func thresholdRange(lo, hi *float64) *v1.CanaryThresholdRange {
	return &v1.CanaryThresholdRange{Min: lo, Max: hi}
}

func TestJudgeSuccessRate(t *testing.T) {
	const name = v1.BuiltinSuccessRate
	tests := []struct {
		name   string
		metric v1.CanaryMetric
		value  float64
		want   decide.Verdict
	}{
		{
			name:   "range min: fails below",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(99), nil)}, value: 69.1666,
			want: decide.Verdict{Metric: name, Value: 69.1666, HasValue: true, Min: float(99), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement success rate 69.17% < 99%"},
		},
		{
			name:   "range min: passes at the bound",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(99), nil)}, value: 99,
			want: decide.Verdict{Metric: name, Value: 99, HasValue: true, Min: float(99), Outcome: decide.OutcomePass},
		},
		{
			name:   "range min: passes above",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(99), nil)}, value: 100,
			want: decide.Verdict{Metric: name, Value: 100, HasValue: true, Min: float(99), Outcome: decide.OutcomePass},
		},
		{
			name:   "range min fractional bound",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(99.5), nil)}, value: 99.4,
			want: decide.Verdict{Metric: name, Value: 99.4, HasValue: true, Min: float(99.5), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement success rate 99.40% < 99.5%"},
		},
		{
			name:   "range max: fails above",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(90), float(99))}, value: 99.999,
			want: decide.Verdict{Metric: name, Value: 99.999, HasValue: true, Min: float(90), Max: float(99), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement success rate 100.00% > 99%"},
		},
		{
			name:   "range min and max: passes between",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(90), float(99))}, value: 95,
			want: decide.Verdict{Metric: name, Value: 95, HasValue: true, Min: float(90), Max: float(99), Outcome: decide.OutcomePass},
		},
		{
			name:   "legacy threshold is a minimum: fails below",
			metric: v1.CanaryMetric{Name: name, Threshold: 99}, value: 98,
			want: decide.Verdict{Metric: name, Value: 98, HasValue: true, Min: float(99), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement success rate 98.00% < 99%"},
		},
		{
			name:   "legacy threshold is a minimum: passes above",
			metric: v1.CanaryMetric{Name: name, Threshold: 99}, value: 99.9,
			want: decide.Verdict{Metric: name, Value: 99.9, HasValue: true, Min: float(99), Outcome: decide.OutcomePass},
		},
		{
			name:   "thresholdRange wins over threshold",
			metric: v1.CanaryMetric{Name: name, Threshold: 99, ThresholdRange: thresholdRange(float(50), nil)}, value: 60,
			want: decide.Verdict{Metric: name, Value: 60, HasValue: true, Min: float(50), Outcome: decide.OutcomePass},
		},
		{
			name:   "+Inf fails",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(99), nil)}, value: math.Inf(1),
			want: decide.Verdict{Metric: name, Value: math.Inf(1), HasValue: true, Min: float(99), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request-success-rate returned +Inf, not a value that can be judged"},
		},
		{
			name:   "-Inf fails",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(99), nil)}, value: math.Inf(-1),
			want: decide.Verdict{Metric: name, Value: math.Inf(-1), HasValue: true, Min: float(99), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request-success-rate returned -Inf, not a value that can be judged"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkVerdict(t, decide.JudgeSuccessRate(podinfo, tc.metric, tc.value), tc.want)
		})
	}
}

func TestJudgeDuration(t *testing.T) {
	const name = v1.BuiltinDuration
	tests := []struct {
		name   string
		metric v1.CanaryMetric
		value  float64
		want   decide.Verdict
	}{
		{
			name:   "range max: fails above, printed as durations",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(nil, float(500))}, value: 1234.7,
			want: decide.Verdict{Metric: name, Value: 1234.7, HasValue: true, Max: float(500), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request duration 1.234s > 500ms"},
		},
		{
			name:   "range max: 1200ms prints as 1.2s",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(nil, float(500))}, value: 1200,
			want: decide.Verdict{Metric: name, Value: 1200, HasValue: true, Max: float(500), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request duration 1.2s > 500ms"},
		},
		{
			name:   "value truncated to whole ms: 500.9 passes max 500",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(nil, float(500))}, value: 500.9,
			want: decide.Verdict{Metric: name, Value: 500.9, HasValue: true, Max: float(500), Outcome: decide.OutcomePass},
		},
		{
			name:   "one ms above max fails",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(nil, float(500))}, value: 501,
			want: decide.Verdict{Metric: name, Value: 501, HasValue: true, Max: float(500), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request duration 501ms > 500ms"},
		},
		{
			name:   "bounds truncated to whole ms",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(10.9), float(500.9))}, value: 500.95,
			want: decide.Verdict{Metric: name, Value: 500.95, HasValue: true, Min: float(10), Max: float(500), Outcome: decide.OutcomePass},
		},
		{
			name:   "truncated max fails a value in between",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(nil, float(500.9))}, value: 501.2,
			want: decide.Verdict{Metric: name, Value: 501.2, HasValue: true, Max: float(500), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request duration 501ms > 500ms"},
		},
		{
			name:   "range min: fails below",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(10), float(500))}, value: 3.7,
			want: decide.Verdict{Metric: name, Value: 3.7, HasValue: true, Min: float(10), Max: float(500), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request duration 3ms < 10ms"},
		},
		{
			name:   "range min and max: passes between",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(float(10), float(500))}, value: 250,
			want: decide.Verdict{Metric: name, Value: 250, HasValue: true, Min: float(10), Max: float(500), Outcome: decide.OutcomePass},
		},
		{
			name:   "legacy threshold is a maximum: fails above",
			metric: v1.CanaryMetric{Name: name, Threshold: 500}, value: 750,
			want: decide.Verdict{Metric: name, Value: 750, HasValue: true, Max: float(500), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request duration 750ms > 500ms"},
		},
		{
			name:   "legacy threshold is a maximum: passes at the bound",
			metric: v1.CanaryMetric{Name: name, Threshold: 500}, value: 500,
			want: decide.Verdict{Metric: name, Value: 500, HasValue: true, Max: float(500), Outcome: decide.OutcomePass},
		},
		{
			name:   "+Inf fails",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(nil, float(500))}, value: math.Inf(1),
			want: decide.Verdict{Metric: name, Value: math.Inf(1), HasValue: true, Max: float(500), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request-duration returned +Inf, not a value that can be judged"},
		},
		{
			name:   "-Inf fails",
			metric: v1.CanaryMetric{Name: name, ThresholdRange: thresholdRange(nil, float(500))}, value: math.Inf(-1),
			want: decide.Verdict{Metric: name, Value: math.Inf(-1), HasValue: true, Max: float(500), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request-duration returned -Inf, not a value that can be judged"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkVerdict(t, decide.JudgeDuration(podinfo, tc.metric, tc.value), tc.want)
		})
	}
}

func TestJudgeCustom(t *testing.T) {
	const name = "404s percentage"
	query := `100 - sum(rate(osm_request_total{response_code!="404"}[1m])) / sum(rate(osm_request_total[1m])) * 100`
	ref := &v1.CrossNamespaceObjectReference{Name: "not-found-percentage"}
	tests := []struct {
		name   string
		metric v1.CanaryMetric
		value  float64
		want   decide.Verdict
	}{
		{
			name:   "legacy threshold is a maximum: fails above",
			metric: v1.CanaryMetric{Name: name, Threshold: 3, Query: query}, value: 6.2,
			want: decide.Verdict{Metric: name, Value: 6.2, HasValue: true, Max: float(3), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement 404s percentage 6.20 > 3"},
		},
		{
			name:   "legacy threshold is a maximum: passes at the bound",
			metric: v1.CanaryMetric{Name: name, Threshold: 3, Query: query}, value: 3,
			want: decide.Verdict{Metric: name, Value: 3, HasValue: true, Max: float(3), Outcome: decide.OutcomePass},
		},
		{
			name:   "legacy threshold 0 fails any positive value",
			metric: v1.CanaryMetric{Name: name, Query: query}, value: 0.5,
			want: decide.Verdict{Metric: name, Value: 0.5, HasValue: true, Max: float(0), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement 404s percentage 0.50 > 0"},
		},
		{
			name:   "legacy threshold 0 passes 0",
			metric: v1.CanaryMetric{Name: name, TemplateRef: ref}, value: 0,
			want: decide.Verdict{Metric: name, Value: 0, HasValue: true, Max: float(0), Outcome: decide.OutcomePass},
		},
		{
			name:   "range max: fails above",
			metric: v1.CanaryMetric{Name: name, TemplateRef: ref, ThresholdRange: thresholdRange(nil, float(5))}, value: 5.004,
			want: decide.Verdict{Metric: name, Value: 5.004, HasValue: true, Max: float(5), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement 404s percentage 5.00 > 5"},
		},
		{
			name:   "range min: fails below",
			metric: v1.CanaryMetric{Name: name, TemplateRef: ref, ThresholdRange: thresholdRange(float(1.5), float(5))}, value: 1.25,
			want: decide.Verdict{Metric: name, Value: 1.25, HasValue: true, Min: float(1.5), Max: float(5), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement 404s percentage 1.25 < 1.5"},
		},
		{
			name:   "range min and max: passes between",
			metric: v1.CanaryMetric{Name: name, TemplateRef: ref, ThresholdRange: thresholdRange(float(1.5), float(5))}, value: 4.99,
			want: decide.Verdict{Metric: name, Value: 4.99, HasValue: true, Min: float(1.5), Max: float(5), Outcome: decide.OutcomePass},
		},
		{
			name:   "builtin name with a template: legacy threshold is a maximum",
			metric: v1.CanaryMetric{Name: v1.BuiltinSuccessRate, Threshold: 99, TemplateRef: ref}, value: 99.5,
			want: decide.Verdict{Metric: v1.BuiltinSuccessRate, Value: 99.5, HasValue: true, Max: float(99), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement request-success-rate 99.50 > 99"},
		},
		{
			name:   "+Inf fails",
			metric: v1.CanaryMetric{Name: name, Threshold: 3, Query: query}, value: math.Inf(1),
			want: decide.Verdict{Metric: name, Value: math.Inf(1), HasValue: true, Max: float(3), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement 404s percentage returned +Inf, not a value that can be judged"},
		},
		{
			name:   "-Inf fails although it is below the max",
			metric: v1.CanaryMetric{Name: name, Threshold: 3, Query: query}, value: math.Inf(-1),
			want: decide.Verdict{Metric: name, Value: math.Inf(-1), HasValue: true, Max: float(3), Outcome: decide.OutcomeFail,
				Message: "Halt podinfo.test advancement 404s percentage returned -Inf, not a value that can be judged"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			checkVerdict(t, decide.JudgeCustom(podinfo, tc.metric, tc.value), tc.want)
		})
	}
}

func TestBounds(t *testing.T) {
	ref := &v1.CrossNamespaceObjectReference{Name: "not-found-percentage"}
	tests := []struct {
		name   string
		metric v1.CanaryMetric
		lo, hi *float64
	}{
		{name: "success rate range min", metric: v1.CanaryMetric{Name: v1.BuiltinSuccessRate, ThresholdRange: thresholdRange(float(99), nil)},
			lo: float(99)},
		{name: "success rate range min and max", metric: v1.CanaryMetric{Name: v1.BuiltinSuccessRate, ThresholdRange: thresholdRange(float(90), float(99))},
			lo: float(90), hi: float(99)},
		{name: "success rate legacy threshold is a min", metric: v1.CanaryMetric{Name: v1.BuiltinSuccessRate, Threshold: 99},
			lo: float(99)},
		{name: "success rate with an inline query: threshold is a max", metric: v1.CanaryMetric{Name: v1.BuiltinSuccessRate, Threshold: 99, Query: "vector(1)"},
			hi: float(99)},
		{name: "success rate with a template: threshold is a max", metric: v1.CanaryMetric{Name: v1.BuiltinSuccessRate, Threshold: 99, TemplateRef: ref},
			hi: float(99)},
		{name: "duration range max", metric: v1.CanaryMetric{Name: v1.BuiltinDuration, ThresholdRange: thresholdRange(nil, float(500))},
			hi: float(500)},
		{name: "duration range is not truncated here", metric: v1.CanaryMetric{Name: v1.BuiltinDuration, ThresholdRange: thresholdRange(float(10.5), float(500.9))},
			lo: float(10.5), hi: float(500.9)},
		{name: "duration legacy threshold is a max", metric: v1.CanaryMetric{Name: v1.BuiltinDuration, Threshold: 500},
			hi: float(500)},
		{name: "custom legacy threshold is a max", metric: v1.CanaryMetric{Name: "404s percentage", Threshold: 3, Query: "vector(1)"},
			hi: float(3)},
		{name: "custom legacy threshold 0 is a max of 0", metric: v1.CanaryMetric{Name: "404s percentage", TemplateRef: ref},
			hi: float(0)},
		{name: "custom range min", metric: v1.CanaryMetric{Name: "404s percentage", TemplateRef: ref, ThresholdRange: thresholdRange(float(1), nil)},
			lo: float(1)},
		{name: "range wins over threshold", metric: v1.CanaryMetric{Name: "404s percentage", Threshold: 3, TemplateRef: ref, ThresholdRange: thresholdRange(nil, float(7))},
			hi: float(7)},
		{name: "empty range has no bounds", metric: v1.CanaryMetric{Name: "404s percentage", Threshold: 3, TemplateRef: ref, ThresholdRange: thresholdRange(nil, nil)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			lo, hi := decide.Bounds(tc.metric)
			if !sameFloat(lo, tc.lo) || !sameFloat(hi, tc.hi) {
				t.Errorf("Bounds = %s, %s; want %s, %s", showFloat(lo), showFloat(hi), showFloat(tc.lo), showFloat(tc.hi))
			}
		})
	}
}

func TestJudgeNaNIsNoData(t *testing.T) {
	s := decide.Subject{Name: "podinfo", Target: "podinfo", Namespace: "test"}
	m := v1.CanaryMetric{Name: "404s percentage", Threshold: 3, Query: "q"}
	for name, judge := range map[string]func(decide.Subject, v1.CanaryMetric, float64) decide.Verdict{
		"success rate": decide.JudgeSuccessRate, "duration": decide.JudgeDuration, "custom": decide.JudgeCustom,
	} {
		vd := judge(s, m, math.NaN())
		if vd.Outcome != decide.OutcomeNoData || vd.HasValue || vd.Message != "Halt advancement no values found for metric: 404s percentage" {
			t.Errorf("%s: NaN judged %+v", name, vd)
		}
	}
}
