package engine_test

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/engine/enginetest"

	. "github.com/onsi/gomega"
)

func ptr[T any](v T) *T { return &v }

// newCanary is the canary of Flagger's reference trace (podinfo in
// default: step 10 up to 30, threshold 2), changed by mods.
func newCanary(mods ...func(*v1.Canary)) *v1.Canary {
	cd := &v1.Canary{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "default"},
		Spec: v1.CanarySpec{
			Provider:  v1.ProviderOSM,
			TargetRef: v1.LocalObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "podinfo"},
			Service:   v1.CanaryService{Port: 9898},
			Analysis: &v1.CanaryAnalysis{
				Interval: "10s", Threshold: 2, StepWeight: 10, MaxWeight: 30,
				Metrics: []v1.CanaryMetric{
					{Name: "request-success-rate", Interval: "1m", ThresholdRange: &v1.CanaryThresholdRange{Min: ptr(99.0)}},
					{Name: "request-duration", Interval: "30s", ThresholdRange: &v1.CanaryThresholdRange{Max: ptr(500.0)}},
				},
			},
		},
	}
	for _, m := range mods {
		m(cd)
	}
	return cd
}

func withAnalysis(f func(a *v1.CanaryAnalysis)) func(*v1.Canary) {
	return func(cd *v1.Canary) { f(cd.Spec.Analysis) }
}

func withHook(typ v1.HookType, name string) func(*v1.Canary) {
	return withAnalysis(func(a *v1.CanaryAnalysis) {
		a.Webhooks = append(a.Webhooks, v1.CanaryWebhook{Type: typ, Name: name, URL: "http://flagger-loadtester.test/"})
	})
}

// tutorialCanary is the tutorial's podinfo-canary.yaml.
func tutorialCanary() *v1.Canary {
	return &v1.Canary{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "test"},
		Spec: v1.CanarySpec{
			Provider:                v1.ProviderOSM,
			TargetRef:               v1.LocalObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "podinfo"},
			AutoscalerRef:           &v1.AutoscalerReference{APIVersion: "autoscaling/v2beta2", Kind: "HorizontalPodAutoscaler", Name: "podinfo"},
			ProgressDeadlineSeconds: ptr(int32(60)),
			Service:                 v1.CanaryService{Port: 9898},
			Analysis: &v1.CanaryAnalysis{
				Interval: "30s", Threshold: 5, MaxWeight: 50, StepWeight: 5,
				Metrics: []v1.CanaryMetric{
					{Name: "request-success-rate", Interval: "1m", ThresholdRange: &v1.CanaryThresholdRange{Min: ptr(99.0)}},
					{Name: "request-duration", Interval: "30s", ThresholdRange: &v1.CanaryThresholdRange{Max: ptr(500.0)}},
				},
				Webhooks: []v1.CanaryWebhook{
					{Name: "acceptance-test", Type: v1.PreRolloutHook, URL: "http://flagger-loadtester.test/", Timeout: "30s",
						Metadata: &map[string]string{"type": "bash", "cmd": "curl -sd 'test' http://podinfo-canary.test:9898/token | grep token"}},
					{Name: "load-test", Type: v1.RolloutHook, URL: "http://flagger-loadtester.test/", Timeout: "5s",
						Metadata: &map[string]string{"cmd": "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/"}},
				},
			},
		},
	}
}

// tick is one expected tick: what the test does before it, then the phase,
// routes and exact event lines after it.
type tick struct {
	before func(h *enginetest.Harness)
	phase  v1.CanaryPhase
	routes *[2]int // primary, canary; nil: no TrafficSplit yet
	events []string
}

func expectTicks(h *enginetest.Harness, ticks []tick) {
	for i, tk := range ticks {
		if tk.before != nil {
			tk.before(h)
		}
		events := h.Tick()
		ExpectWithOffset(1, events).To(Equal(nonNil(tk.events)), "events of tick %d", i+1)
		ExpectWithOffset(1, h.Canary.Status.Phase).To(Equal(tk.phase), "phase after tick %d", i+1)
		if tk.routes == nil {
			ExpectWithOffset(1, h.World.Split).To(BeNil(), "TrafficSplit after tick %d", i+1)
			continue
		}
		ExpectWithOffset(1, h.World.Split).NotTo(BeNil(), "TrafficSplit after tick %d", i+1)
		got := [2]int{h.World.Split.Primary, h.World.Split.Canary}
		ExpectWithOffset(1, got).To(Equal(*tk.routes), "routes after tick %d", i+1)
	}
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func routes(primary, canary int) *[2]int { return &[2]int{primary, canary} }

func healthy(h *enginetest.Harness) {
	h.World.Values[v1.BuiltinSuccessRate] = 100
	h.World.Values[v1.BuiltinDuration] = 100
}

func ready(role engine.Role) func(*enginetest.Harness) {
	return func(h *enginetest.Harness) { h.World.MarkReady(role) }
}

// bootstrapped ticks a canary to Initialized and triggers a new revision
// whose canary is ready and healthy: the next tick starts the analysis.
func bootstrapped(cd *v1.Canary) *enginetest.Harness {
	h := enginetest.NewHarness(cd, "podinfo:6.0.0")
	h.World.AutoReady = true
	healthy(h)
	h.Tick()
	Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseInitialized))
	h.World.SetTemplate("podinfo:6.0.1")
	h.Tick()
	Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseProgressing))
	return h
}
