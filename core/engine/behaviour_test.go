package engine_test

import (
	"errors"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/engine/enginetest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("Gates and hooks", func() {
	It("waits for confirm-rollout, then starts without re-checking the change", func() {
		h := enginetest.NewHarness(newCanary(withHook(v1.ConfirmRolloutHook, "gate")), "podinfo:6.0.0")
		h.World.AutoReady = true
		healthy(h)
		h.Tick()
		h.World.Hooks["gate"] = errors.New("Forbidden")
		h.World.SetTemplate("podinfo:6.0.1")
		expectTicks(h, []tick{
			{phase: v1.PhaseWaiting, routes: routes(100, 0), events: []string{"Warning Halt podinfo.default advancement waiting for approval gate"}},
			{phase: v1.PhaseWaiting, routes: routes(100, 0), events: nil},
			{before: func(h *enginetest.Harness) { h.World.Hooks["gate"] = nil }, phase: v1.PhaseProgressing, routes: routes(100, 0),
				events: []string{"Normal Confirm-rollout check gate passed", "Normal New revision detected! Scaling up podinfo.default"}},
		})
		Expect(h.World.Calls[0].Payload.Phase).To(Equal(v1.PhaseInitialized), "confirm-rollout is told the current phase")
	})

	It("rolls back when a rollback hook answers 2xx, and says so on every other tick", func() {
		h := bootstrapped(newCanary(withHook(v1.RollbackHook, "rb")))
		h.World.Hooks["rb"] = errors.New("Forbidden")
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Normal Rollback hook rb not signaling a rollback",
			"Normal Starting canary analysis for podinfo.default",
			"Normal Advance podinfo.default canary weight 10",
		}}})
		h.World.Hooks["rb"] = nil
		expectTicks(h, []tick{{phase: v1.PhaseFailed, routes: routes(100, 0), events: []string{
			"Warning Rollback check rb passed",
			"Warning Rolling back podinfo.default manual webhook invoked",
			"Warning Canary failed! Scaling down podinfo.default",
		}}})
	})

	It("counts a failed pre-rollout check and evaluates no metric on that tick", func() {
		h := bootstrapped(newCanary(withHook(v1.PreRolloutHook, "smoke")))
		h.World.Hooks["smoke"] = errors.New("command failed: exit status 1")
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{
			"Normal Starting canary analysis for podinfo.default",
			"Warning Halt podinfo.default advancement pre-rollout check smoke failed command failed: exit status 1",
		}}})
		Expect(h.Canary.Status.FailedChecks).To(Equal(1))
		Expect(h.World.Queries).To(BeEmpty())
		Expect(h.World.Calls[len(h.World.Calls)-1].Payload.Phase).To(Equal(v1.PhaseProgressing))
	})

	It("counts a failed rollout hook before any metric", func() {
		h := bootstrapped(newCanary(withHook(v1.HookType(""), "load")))
		h.Tick()
		queries := len(h.World.Queries)
		h.World.Hooks["load"] = errors.New("Forbidden")
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Warning Halt podinfo.default advancement external check load failed Forbidden",
		}}})
		Expect(h.World.Queries).To(HaveLen(queries))
		Expect(h.Canary.Status.FailedChecks).To(Equal(1))
	})

	It("holds the weight while confirm-traffic-increase refuses, without counting a failure", func() {
		h := bootstrapped(newCanary(withHook(v1.ConfirmTrafficIncreaseHook, "more")))
		h.World.Hooks["more"] = errors.New("Forbidden")
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{
			"Normal Starting canary analysis for podinfo.default",
			"Warning Halt podinfo.default advancement waiting for traffic increase approval more",
		}}})
		Expect(h.Canary.Status.FailedChecks).To(Equal(0))
		h.World.Hooks["more"] = nil
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Normal Starting canary analysis for podinfo.default",
			"Normal Confirm-traffic-increase check more passed",
			"Normal Advance podinfo.default canary weight 10",
		}}})
	})

	It("runs post-rollout hooks with the outcome's phase and keeps the outcome when one fails", func() {
		h := bootstrapped(newCanary(withHook(v1.PostRolloutHook, "notify"), withHook(v1.PostRolloutHook, "second")))
		h.World.Hooks["notify"] = errors.New("Internal Server Error")
		for range 6 {
			h.Tick()
		}
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseSucceeded))
		Expect(enginetest.Lines(h.Log[len(h.Log)-1].Events)).To(Equal([]string{
			"Warning Post-rollout hook notify failed Internal Server Error",
			"Normal Promotion completed! Scaling down podinfo.default",
		}))
		last := h.World.Calls[len(h.World.Calls)-1]
		Expect(last.Hook.Name).To(Equal("notify"), "a failed post-rollout hook stops the others")
		Expect(last.Payload.Phase).To(Equal(v1.PhaseSucceeded))
	})

	It("sends Flagger's payload: name, namespace, phase, checksum of the revision, metadata", func() {
		h := bootstrapped(newCanary(withHook(v1.PreRolloutHook, "smoke")))
		h.Canary.Spec.Analysis.Webhooks[0].Metadata = &map[string]string{"cmd": "hey"}
		h.Tick()
		p := h.World.Calls[0].Payload
		Expect(p.Name).To(Equal("podinfo"))
		Expect(p.Namespace).To(Equal("default"))
		Expect(p.Metadata).To(Equal(map[string]string{"cmd": "hey"}))
		Expect(p.Checksum).To(Equal(engine.Checksum(h.Canary.Status)))
		Expect(p.Checksum).NotTo(Equal(engine.Checksum(v1.CanaryStatus{LastAppliedSpec: "podinfo:6.0.0"})))
	})
})

var _ = Describe("Analysis", func() {
	It("halts on no values and names the provider and target", func() {
		h := bootstrapped(newCanary())
		h.Tick()
		delete(h.World.Values, v1.BuiltinSuccessRate)
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Warning Halt advancement no values found for osm metric request-success-rate probably podinfo.default is not receiving traffic: running query failed: no values found",
		}}})
		h.World.Values[v1.BuiltinSuccessRate] = 100
		delete(h.World.Values, v1.BuiltinDuration)
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Warning Halt advancement no values found for osm metric request-duration probably podinfo.default is not receiving traffic",
		}}})
		Expect(h.Canary.Status.FailedChecks).To(Equal(2))
		Expect(h.Log[len(h.Log)-1].Checks[1].Outcome).To(Equal(decide.OutcomeNoData))
	})

	It("reports a failing query as an error and never advances on it", func() {
		h := bootstrapped(newCanary())
		h.Tick()
		h.World.QueryErrors[v1.BuiltinSuccessRate] = errors.New("request failed: connection refused")
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Warning Prometheus query failed: running query failed: request failed: connection refused",
		}}})
		Expect(h.World.Events[len(h.World.Events)-1].Level).To(Equal(engine.LevelError))
	})

	It("renders a MetricTemplate with the metric's variables and 1m when interval is unset", func() {
		h := bootstrapped(newCanary(withAnalysis(func(a *v1.CanaryAnalysis) {
			a.Metrics = append(a.Metrics, v1.CanaryMetric{
				Name: "not-found", TemplateRef: &v1.CrossNamespaceObjectReference{Name: "nf", Namespace: "shared"},
				TemplateVariables: map[string]string{"code": "404"}, ThresholdRange: &v1.CanaryThresholdRange{Max: ptr(3.0)},
			})
		})))
		h.World.MetricTemplates["shared/nf"] = &v1.MetricTemplate{
			ObjectMeta: metav1.ObjectMeta{Name: "nf", Namespace: "shared"},
			Spec: v1.MetricTemplateSpec{Provider: v1.MetricTemplateProvider{Type: "prometheus"},
				Query: `rate(x{ns="{{ namespace }}",name="{{ target }}",code="{{ variables.code }}"}[{{ interval }}])`},
		}
		const rendered = `rate(x{ns="default",name="podinfo",code="404"}[1m])`
		h.World.NameQuery(rendered, "not-found")
		h.World.Values["not-found"] = 6.2
		h.Tick()
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Warning Halt podinfo.default advancement not-found 6.20 > 3",
		}}})
		last := h.World.Queries[len(h.World.Queries)-1]
		Expect(last.PromQL).To(Equal(rendered))
		Expect(last.Template.Name).To(Equal("nf"))
	})

	It("reports a missing MetricTemplate", func() {
		h := bootstrapped(newCanary(withAnalysis(func(a *v1.CanaryAnalysis) {
			a.Metrics = []v1.CanaryMetric{{Name: "x", TemplateRef: &v1.CrossNamespaceObjectReference{Name: "gone"}, Threshold: 1}}
		})))
		h.Tick()
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			`Warning Metric template gone.default error: metrictemplate.flagger.app "gone" not found`,
		}}})
	})

	It("restarts the analysis on a new revision mid-flight", func() {
		h := bootstrapped(newCanary())
		h.Tick()
		h.Tick()
		Expect(h.World.Split.Canary).To(Equal(20))
		h.Canary.Status.FailedChecks = 1
		h.World.SetTemplate("podinfo:6.0.2")
		expectTicks(h, []tick{
			{phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{"Normal New revision detected! Restarting analysis for podinfo.default"}},
			{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
				"Normal Starting canary analysis for podinfo.default", "Normal Advance podinfo.default canary weight 10"}},
		})
		Expect(h.Canary.Status.FailedChecks).To(Equal(0))
		Expect(h.Canary.Status.LastAppliedSpec).To(Equal("podinfo:6.0.2"))
	})

	It("starts an analysis when a tracked ConfigMap changes", func() {
		h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
		h.World.AutoReady = true
		h.World.Configs = map[string]string{"configmap/podinfo-config": "a1"}
		healthy(h)
		h.Tick()
		Expect(*h.Canary.Status.TrackedConfigs).To(Equal(map[string]string{"configmap/podinfo-config": "a1"}))
		expectTicks(h, []tick{{phase: v1.PhaseInitialized, routes: routes(100, 0), events: nil}})
		h.World.Configs = map[string]string{"configmap/podinfo-config": "b2"}
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{
			"Normal New revision detected! Scaling up podinfo.default"}}})
	})

	It("runs blue/green: iterations without traffic, then all traffic to the canary, then promotion", func() {
		h := bootstrapped(newCanary(withAnalysis(func(a *v1.CanaryAnalysis) { a.StepWeight, a.MaxWeight, a.Iterations = 0, 0, 2 })))
		expectTicks(h, []tick{
			{phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{
				"Normal Starting canary analysis for podinfo.default", "Normal Advance podinfo.default canary iteration 1/2"}},
			{phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{"Normal Advance podinfo.default canary iteration 2/2"}},
			{phase: v1.PhaseProgressing, routes: routes(0, 100), events: []string{"Normal Routing all traffic to canary"}},
			{phase: v1.PhasePromoting, routes: routes(0, 100), events: []string{"Normal Copying podinfo.default template spec to podinfo-primary.default"}},
			{phase: v1.PhaseFinalising, routes: routes(100, 0), events: []string{"Normal Routing all traffic to primary"}},
			{phase: v1.PhaseSucceeded, routes: routes(100, 0), events: []string{"Normal Promotion completed! Scaling down podinfo.default"}},
		})
	})

	It("overshoots maxWeight as Flagger does: step 20 up to 30 goes 20, 40", func() {
		h := bootstrapped(newCanary(withAnalysis(func(a *v1.CanaryAnalysis) { a.StepWeight, a.MaxWeight = 20, 30 })))
		for range 3 {
			h.Tick()
		}
		Expect(h.Weights()).To(Equal([]int{20, 40}))
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhasePromoting))
	})
})

var _ = Describe("Life cycle", func() {
	It("does nothing but say so while suspended", func() {
		h := bootstrapped(newCanary())
		h.Canary.Spec.Suspend = true
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{
			"Normal skipping canary run as object is suspended"}}})
		Expect(h.World.RouteLog).To(BeEmpty())
	})

	It("promotes without analysis when skipAnalysis is set", func() {
		h := enginetest.NewHarness(newCanary(func(cd *v1.Canary) { cd.Spec.SkipAnalysis = true }), "podinfo:6.0.0")
		h.World.AutoReady = true
		expectTicks(h, []tick{
			{phase: v1.PhaseInitialized, routes: routes(100, 0), events: []string{"Normal Initialization done! podinfo.default"}},
			{before: func(h *enginetest.Harness) { h.World.SetTemplate("podinfo:6.0.1") }, phase: v1.PhaseProgressing, routes: routes(100, 0),
				events: []string{"Normal New revision detected! Scaling up podinfo.default"}},
			{phase: v1.PhaseSucceeded, routes: routes(100, 0), events: []string{
				"Normal Copying podinfo.default template spec to podinfo-primary.default",
				"Normal Promotion completed! Canary analysis was skipped for podinfo.default"}},
		})
		Expect(h.World.Queries).To(BeEmpty())
		Expect(h.World.Primary.Template).To(Equal("podinfo:6.0.1"))
	})

	It("fails a promotion whose primary is stuck, leaving traffic on the canary as Flagger 1.44", func() {
		h := bootstrapped(newCanary())
		for range 4 {
			h.Tick()
		}
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhasePromoting))
		h.World.ExceedDeadline(engine.RolePrimary)
		expectTicks(h, []tick{{phase: v1.PhaseFailed, routes: routes(0, 100), events: []string{
			`Warning podinfo-primary.default not ready: deployment "podinfo-primary" exceeded its progress deadline`,
			`Warning Promotion of podinfo.default failed, primary not ready: podinfo-primary.default not ready: deployment "podinfo-primary" exceeded its progress deadline`,
		}}})
		Expect(h.Canary.Status.CanaryWeight).To(Equal(100))
	})

	It("retries a rollback whose routes cannot be written, keeping the phase", func() {
		h := bootstrapped(newCanary())
		h.Tick()
		h.Canary.Status.FailedChecks = 2
		h.World.Fail["SetRoutes"] = errors.New("TrafficSplit podinfo.default update error: conflict")
		expectTicks(h, []tick{{phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Warning Rolling back podinfo.default failed checks threshold reached 2",
			"Warning TrafficSplit podinfo.default update error: conflict",
		}}})
		delete(h.World.Fail, "SetRoutes")
		expectTicks(h, []tick{{phase: v1.PhaseFailed, routes: routes(100, 0), events: []string{
			"Warning Rolling back podinfo.default failed checks threshold reached 2",
			"Warning Canary failed! Scaling down podinfo.default",
		}}})
	})

	It("reports an unavailable metrics server while initialising without blocking", func() {
		h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
		h.World.AutoReady = true
		h.World.Unavailable = errors.New("connection refused")
		expectTicks(h, []tick{{phase: v1.PhaseInitialized, routes: routes(100, 0), events: []string{
			"Warning Error checking metric providers: prometheus not available: connection refused",
			"Normal Initialization done! podinfo.default"}}})
	})

	It("writes the status once per tick, only when it changed, with the Promoted condition", func() {
		h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
		h.World.AutoReady = true
		h.Tick()
		Expect(h.World.Stored).NotTo(BeNil())
		cond := h.Canary.Status.Conditions
		Expect(cond).To(HaveLen(1))
		Expect(cond[0].Type).To(Equal("Promoted"))
		Expect(cond[0].Status).To(Equal(v1.ConditionTrue))
		Expect(cond[0].Reason).To(Equal("Initialized"))
		Expect(cond[0].Message).To(Equal("Deployment initialization completed."))
		Expect(h.Canary.Status.LastTransitionTime.Time).To(Equal(enginetest.Epoch))
		h.World.Stored = nil
		h.Tick()
		Expect(h.World.Stored).To(BeNil(), "an idle tick writes nothing")
	})

	It("does not wait for the primary or fail when the target is missing", func() {
		h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
		h.World.Target = nil
		expectTicks(h, []tick{{phase: v1.PhaseInitializing, routes: nil, events: []string{
			"Warning deployment podinfo.default get query error: not found"}}})
	})
})
