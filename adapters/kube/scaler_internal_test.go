package kube

import (
	"testing"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// TestUnchangedIsSemanticEquality checks that the fast path of unchanged
// answers as equality.Semantic does: identical objects, and objects equal
// only semantically (a quantity written another way, nil against empty
// labels), are unchanged; a drifted bound is not.
func TestUnchangedIsSemanticEquality(t *testing.T) {
	hpa := func(change func(*autoscalingv2.HorizontalPodAutoscaler)) *autoscalingv2.HorizontalPodAutoscaler {
		avg := resource.MustParse("500m")
		h := &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Name: "podinfo-primary", Labels: map[string]string{}},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{MaxReplicas: 4, Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.PodsMetricSourceType,
				Pods: &autoscalingv2.PodsMetricSource{Target: autoscalingv2.MetricTarget{AverageValue: &avg}},
			}}},
		}
		if change != nil {
			change(h)
		}
		return h
	}
	tests := []struct {
		name   string
		change func(*autoscalingv2.HorizontalPodAutoscaler)
		want   bool
	}{
		{name: "identical", want: true},
		{name: "quantity written another way", want: true, change: func(h *autoscalingv2.HorizontalPodAutoscaler) {
			q := resource.MustParse("0.5")
			h.Spec.Metrics[0].Pods.Target.AverageValue = &q
		}},
		{name: "nil labels against empty", want: true, change: func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Labels = nil }},
		{name: "max replicas drifted", want: false, change: func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MaxReplicas = 5 }},
		{name: "label added", want: false, change: func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Labels = map[string]string{"a": "b"} }},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := unchanged(hpa(nil), hpa(tc.change)); got != tc.want {
				t.Errorf("unchanged = %v, want %v", got, tc.want)
			}
		})
	}
}
