package engine_test

import (
	"slices"
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
)

func abCanary(provider string) *v1.Canary {
	return newCanary(func(c *v1.Canary) {
		c.Spec.Provider = provider
		c.Spec.Analysis = &v1.CanaryAnalysis{
			Interval: "1m", Threshold: 2, Iterations: 3,
			Match: []v1.HTTPMatchRequest{{Headers: map[string]v1.StringMatch{"x-canary": {Exact: "insider"}}}},
			Metrics: []v1.CanaryMetric{
				{Name: v1.BuiltinSuccessRate, Interval: "1m", ThresholdRange: &v1.CanaryThresholdRange{Min: ptr(99.0)}},
			},
		}
	})
}

// TestABTesting runs an A/B analysis through to promotion on Gateway API,
// and refuses it on the SMI providers.
func TestABTesting(t *testing.T) {
	tests := []struct {
		provider    string
		ticks       int
		wantEvents  []string
		wantWeights []int
		wantPhase   v1.CanaryPhase
	}{
		{provider: v1.ProviderGatewayAPI, ticks: 7, wantPhase: v1.PhaseSucceeded, wantWeights: []int{100, 100, 100, 0}, wantEvents: []string{
			"Normal Starting canary analysis for podinfo.default",
			"Normal Advance podinfo.default canary iteration 1/3",
			"Normal Advance podinfo.default canary iteration 2/3",
			"Normal Advance podinfo.default canary iteration 3/3",
			"Normal Copying podinfo.default template spec to podinfo-primary.default",
			"Normal Routing all traffic to primary",
			"Normal Promotion completed! Scaling down podinfo.default",
		}},
		{provider: v1.ProviderLinkerd, ticks: 2, wantPhase: v1.PhaseProgressing, wantWeights: []int{}, wantEvents: []string{
			"Normal Starting canary analysis for podinfo.default",
			"Warning A/B testing needs header routing, which Linkerd's SMI TrafficSplit cannot do: remove analysis.match",
			"Normal Starting canary analysis for podinfo.default",
			"Warning A/B testing needs header routing, which Linkerd's SMI TrafficSplit cannot do: remove analysis.match",
		}},
		{provider: v1.ProviderOSM, ticks: 1, wantPhase: v1.PhaseProgressing, wantWeights: []int{}, wantEvents: []string{
			"Normal Starting canary analysis for podinfo.default",
			"Warning A/B testing needs header routing, which OSM cannot do: remove analysis.match",
		}},
	}
	for _, tc := range tests {
		t.Run(tc.provider, func(t *testing.T) {
			h := bootstrappedT(t, abCanary(tc.provider), v1.ProviderOSM)
			before := len(h.World.RouteLog)
			var events []string
			for range tc.ticks {
				events = append(events, h.Tick()...)
				if h.Canary.Status.CanaryWeight != 0 {
					t.Errorf("status.canaryWeight = %d, want 0 throughout", h.Canary.Status.CanaryWeight)
				}
			}
			if !slices.Equal(events, tc.wantEvents) {
				t.Errorf("events\n got %q\nwant %q", events, tc.wantEvents)
			}
			if got := weightsSince(h, before); !slices.Equal(got, tc.wantWeights) {
				t.Errorf("canary weights written = %v, want %v", got, tc.wantWeights)
			}
			if h.Canary.Status.Phase != tc.wantPhase {
				t.Errorf("phase = %q, want %q", h.Canary.Status.Phase, tc.wantPhase)
			}
		})
	}
}

func weightsSince(h *enginetest.Harness, n int) []int {
	return h.Weights()[n:]
}
