package decide_test

import (
	"slices"
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

func TestMaxWeight(t *testing.T) {
	tests := []struct {
		name     string
		analysis v1.CanaryAnalysis
		want     int
	}{
		{name: "maxWeight", analysis: v1.CanaryAnalysis{StepWeight: 5, MaxWeight: 50}, want: 50},
		{name: "maxWeight 0 defaults to 100", analysis: v1.CanaryAnalysis{StepWeight: 5}, want: 100},
		{name: "maxWeight above 100 is kept", analysis: v1.CanaryAnalysis{StepWeight: 10, MaxWeight: 150}, want: 150},
		{name: "last of stepWeights", analysis: v1.CanaryAnalysis{StepWeights: []int{5, 25, 60}}, want: 60},
		{name: "last of stepWeights above 100 is capped", analysis: v1.CanaryAnalysis{StepWeights: []int{10, 50, 150}}, want: 100},
		{name: "last of stepWeights exactly 100", analysis: v1.CanaryAnalysis{StepWeights: []int{50, 100}}, want: 100},
		{name: "stepWeights win over maxWeight", analysis: v1.CanaryAnalysis{MaxWeight: 30, StepWeights: []int{5, 25, 60}}, want: 60},
		{name: "stepWeights set the max even when stepWeight sets the step", analysis: v1.CanaryAnalysis{StepWeight: 10, MaxWeight: 50, StepWeights: []int{5, 30}}, want: 30},
		{name: "nothing set", analysis: v1.CanaryAnalysis{}, want: 100},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide.MaxWeight(&tc.analysis); got != tc.want {
				t.Errorf("MaxWeight = %d, want %d", got, tc.want)
			}
		})
	}
}

func TestNextStepWeight(t *testing.T) {
	sw := []int{5, 25, 60}
	tests := []struct {
		name     string
		analysis v1.CanaryAnalysis
		weight   int
		want     int
	}{
		{name: "stepWeight at 0", analysis: v1.CanaryAnalysis{StepWeight: 5, MaxWeight: 50}, weight: 0, want: 5},
		{name: "stepWeight mid-way", analysis: v1.CanaryAnalysis{StepWeight: 5, MaxWeight: 50}, weight: 45, want: 5},
		{name: "stepWeight is not clamped to maxWeight", analysis: v1.CanaryAnalysis{StepWeight: 20, MaxWeight: 30}, weight: 20, want: 20},
		{name: "stepWeight is not clamped to 100", analysis: v1.CanaryAnalysis{StepWeight: 30}, weight: 90, want: 30},
		{name: "stepWeight at 100", analysis: v1.CanaryAnalysis{StepWeight: 10, MaxWeight: 150}, weight: 100, want: 10},
		{name: "stepWeight wins over stepWeights", analysis: v1.CanaryAnalysis{StepWeight: 10, StepWeights: sw}, weight: 5, want: 10},
		{name: "neither stepWeight nor stepWeights", analysis: v1.CanaryAnalysis{}, weight: 0, want: 0},
		{name: "stepWeights at 0: the first weight", analysis: v1.CanaryAnalysis{StepWeights: sw}, weight: 0, want: 5},
		{name: "stepWeights at the first weight", analysis: v1.CanaryAnalysis{StepWeights: sw}, weight: 5, want: 20},
		{name: "stepWeights at the second weight", analysis: v1.CanaryAnalysis{StepWeights: sw}, weight: 25, want: 35},
		{name: "stepWeights at the last weight: what is left", analysis: v1.CanaryAnalysis{StepWeights: sw}, weight: 60, want: 40},
		{name: "stepWeights at a weight not listed: what is left", analysis: v1.CanaryAnalysis{StepWeights: sw}, weight: 30, want: 70},
		{name: "stepWeights at 100: 1", analysis: v1.CanaryAnalysis{StepWeights: sw}, weight: 100, want: 1},
		{name: "stepWeights first weight above 100 clamped to what is left", analysis: v1.CanaryAnalysis{StepWeights: []int{150}}, weight: 0, want: 100},
		{name: "stepWeights next weight above 100 clamped to what is left", analysis: v1.CanaryAnalysis{StepWeights: []int{10, 50, 150}}, weight: 50, want: 50},
		{name: "stepWeights next weight exactly 100", analysis: v1.CanaryAnalysis{StepWeights: []int{50, 100}}, weight: 50, want: 50},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide.NextStepWeight(&tc.analysis, tc.weight); got != tc.want {
				t.Errorf("NextStepWeight(%d) = %d, want %d", tc.weight, got, tc.want)
			}
		})
	}
}

func TestAdvance(t *testing.T) {
	sw := []int{5, 25, 60}
	tests := []struct {
		name     string
		analysis v1.CanaryAnalysis
		routes   decide.Routes
		want     decide.Routes
	}{
		{name: "first step", analysis: v1.CanaryAnalysis{StepWeight: 5, MaxWeight: 50},
			routes: decide.Routes{Primary: 100}, want: decide.Routes{Primary: 95, Canary: 5}},
		{name: "step to maxWeight", analysis: v1.CanaryAnalysis{StepWeight: 5, MaxWeight: 50},
			routes: decide.Routes{Primary: 55, Canary: 45}, want: decide.Routes{Primary: 50, Canary: 50}},
		{name: "overshoot past maxWeight", analysis: v1.CanaryAnalysis{StepWeight: 20, MaxWeight: 30},
			routes: decide.Routes{Primary: 80, Canary: 20}, want: decide.Routes{Primary: 60, Canary: 40}},
		{name: "canary clamped to 100", analysis: v1.CanaryAnalysis{StepWeight: 30},
			routes: decide.Routes{Primary: 10, Canary: 90}, want: decide.Routes{Primary: 0, Canary: 100}},
		{name: "at 100 with maxWeight above 100 stays at 100", analysis: v1.CanaryAnalysis{StepWeight: 10, MaxWeight: 150},
			routes: decide.Routes{Primary: 0, Canary: 100}, want: decide.Routes{Primary: 0, Canary: 100}},
		{name: "stepWeights first", analysis: v1.CanaryAnalysis{StepWeights: sw},
			routes: decide.Routes{Primary: 100}, want: decide.Routes{Primary: 95, Canary: 5}},
		{name: "stepWeights next listed weight", analysis: v1.CanaryAnalysis{StepWeights: sw},
			routes: decide.Routes{Primary: 75, Canary: 25}, want: decide.Routes{Primary: 40, Canary: 60}},
		{name: "stepWeights from a weight not listed goes to 100", analysis: v1.CanaryAnalysis{StepWeights: sw},
			routes: decide.Routes{Primary: 70, Canary: 30}, want: decide.Routes{Primary: 0, Canary: 100}},
		{name: "stepWeights at 100 stays at 100", analysis: v1.CanaryAnalysis{StepWeights: sw},
			routes: decide.Routes{Primary: 0, Canary: 100}, want: decide.Routes{Primary: 0, Canary: 100}},
		{name: "no step configured stays put", analysis: v1.CanaryAnalysis{},
			routes: decide.Routes{Primary: 100}, want: decide.Routes{Primary: 100}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide.Advance(&tc.analysis, tc.routes); got != tc.want {
				t.Errorf("Advance(%+v) = %+v, want %+v", tc.routes, got, tc.want)
			}
		})
	}
}

// TestAdvanceWalk runs the canary strategy from 0 the way the engine does:
// advance while the canary is below MaxWeight, then promote.
func TestAdvanceWalk(t *testing.T) {
	const maxTicks = 12
	tests := []struct {
		name     string
		analysis v1.CanaryAnalysis
		want     []int // canary weights after each advance
		promotes bool  // whether the walk reaches MaxWeight within maxTicks
	}{
		{name: "tutorial: stepWeight 5, maxWeight 50", analysis: v1.CanaryAnalysis{StepWeight: 5, MaxWeight: 50},
			want: []int{5, 10, 15, 20, 25, 30, 35, 40, 45, 50}, promotes: true},
		{name: "reference trace: stepWeight 10, maxWeight 30", analysis: v1.CanaryAnalysis{StepWeight: 10, MaxWeight: 30},
			want: []int{10, 20, 30}, promotes: true},
		{name: "default maxWeight 100", analysis: v1.CanaryAnalysis{StepWeight: 25},
			want: []int{25, 50, 75, 100}, promotes: true},
		{name: "overshoot: stepWeight 20, maxWeight 30", analysis: v1.CanaryAnalysis{StepWeight: 20, MaxWeight: 30},
			want: []int{20, 40}, promotes: true},
		{name: "last step clamped to 100", analysis: v1.CanaryAnalysis{StepWeight: 30},
			want: []int{30, 60, 90, 100}, promotes: true},
		{name: "stepWeights", analysis: v1.CanaryAnalysis{StepWeights: []int{5, 25, 60}},
			want: []int{5, 25, 60}, promotes: true},
		{name: "stepWeights ending above 100", analysis: v1.CanaryAnalysis{StepWeights: []int{10, 50, 150}},
			want: []int{10, 50, 100}, promotes: true},
		{name: "stepWeight sets the step, stepWeights the max", analysis: v1.CanaryAnalysis{StepWeight: 10, MaxWeight: 50, StepWeights: []int{5, 30}},
			want: []int{10, 20, 30}, promotes: true},
		{name: "maxWeight above 100 never promotes", analysis: v1.CanaryAnalysis{StepWeight: 10, MaxWeight: 150},
			want: []int{10, 20, 30, 40, 50, 60, 70, 80, 90, 100, 100, 100}, promotes: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := decide.Routes{Primary: 100}
			var got []int
			for range maxTicks {
				if r.Canary >= decide.MaxWeight(&tc.analysis) {
					break
				}
				r = decide.Advance(&tc.analysis, r)
				if r.Primary+r.Canary != 100 {
					t.Fatalf("after weight %v: routes %+v do not add up to 100", got, r)
				}
				got = append(got, r.Canary)
			}
			if !slices.Equal(got, tc.want) {
				t.Errorf("weights = %v, want %v", got, tc.want)
			}
			if promotes := r.Canary >= decide.MaxWeight(&tc.analysis); promotes != tc.promotes {
				t.Errorf("promotes = %v, want %v (final routes %+v)", promotes, tc.promotes, r)
			}
		})
	}
}

func TestPromotionStep(t *testing.T) {
	type step struct {
		routes decide.Routes
		done   bool
	}
	tests := []struct {
		name                string
		stepWeightPromotion int
		routes              decide.Routes
		want                []step // successive steps until done
	}{
		{name: "60/40 step 40", stepWeightPromotion: 40, routes: decide.Routes{Primary: 60, Canary: 40},
			want: []step{{decide.Routes{Primary: 100, Canary: 0}, true}}},
		{name: "70/30 step 20", stepWeightPromotion: 20, routes: decide.Routes{Primary: 70, Canary: 30},
			want: []step{{decide.Routes{Primary: 90, Canary: 10}, false}, {decide.Routes{Primary: 100, Canary: 0}, true}}},
		{name: "step larger than canary weight clamps", stepWeightPromotion: 50, routes: decide.Routes{Primary: 80, Canary: 20},
			want: []step{{decide.Routes{Primary: 100, Canary: 0}, true}}},
		{name: "from 0/100 step 30", stepWeightPromotion: 30, routes: decide.Routes{Primary: 0, Canary: 100},
			want: []step{
				{decide.Routes{Primary: 30, Canary: 70}, false},
				{decide.Routes{Primary: 60, Canary: 40}, false},
				{decide.Routes{Primary: 90, Canary: 10}, false},
				{decide.Routes{Primary: 100, Canary: 0}, true},
			}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			a := v1.CanaryAnalysis{StepWeightPromotion: tc.stepWeightPromotion}
			r := tc.routes
			for i, want := range tc.want {
				next, done := decide.PromotionStep(&a, r)
				if next != want.routes || done != want.done {
					t.Fatalf("step %d: PromotionStep(%+v) = %+v, %v; want %+v, %v", i+1, r, next, done, want.routes, want.done)
				}
				r = next
			}
		})
	}
}

func TestStrategyOf(t *testing.T) {
	match := []v1.HTTPMatchRequest{{Headers: map[string]v1.StringMatch{"x-canary": {Exact: "insider"}}}}
	tests := []struct {
		name     string
		analysis v1.CanaryAnalysis
		want     decide.Strategy
	}{
		{name: "stepWeight", analysis: v1.CanaryAnalysis{StepWeight: 5, MaxWeight: 50}, want: decide.StrategyCanary},
		{name: "stepWeights", analysis: v1.CanaryAnalysis{StepWeights: []int{5, 25}}, want: decide.StrategyCanary},
		{name: "empty", analysis: v1.CanaryAnalysis{}, want: decide.StrategyCanary},
		{name: "match without iterations", analysis: v1.CanaryAnalysis{StepWeight: 10, Match: match}, want: decide.StrategyCanary},
		{name: "iterations", analysis: v1.CanaryAnalysis{Iterations: 10}, want: decide.StrategyBlueGreen},
		{name: "iterations win over stepWeight", analysis: v1.CanaryAnalysis{Iterations: 3, StepWeight: 10}, want: decide.StrategyBlueGreen},
		{name: "iterations and match", analysis: v1.CanaryAnalysis{Iterations: 10, Match: match}, want: decide.StrategyABTesting},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide.StrategyOf(&tc.analysis); got != tc.want {
				t.Errorf("StrategyOf = %q, want %q", got, tc.want)
			}
		})
	}
}
