package engine_test

import (
	"errors"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/engine/enginetest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The reference traces (docs/flagger-compatibility.md, Reference traces),
// recorded by running Flagger v1.44
// with provider osm, tick by tick. One difference is deliberate: a fresh
// Canary shows Initializing after its first tick (Flagger's informer sets
// it before the first tick; the fixture that recorded the trace skipped
// the informer and shows "").
var _ = Describe("Reference trace (Flagger v1.44)", func() {
	var h *enginetest.Harness

	BeforeEach(func() {
		h = enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
		healthy(h)
	})

	promotion := []tick{
		{phase: v1.PhaseInitializing, routes: nil, events: []string{
			"Normal all the metrics providers are available!",
			"Warning podinfo-primary.default not ready: waiting for rollout to finish: 0 out of 1 new replicas have been updated",
		}},
		{before: ready(engine.RolePrimary), phase: v1.PhaseInitialized, routes: routes(100, 0), events: []string{
			"Normal all the metrics providers are available!",
			"Normal Initialization done! podinfo.default",
		}},
		{before: func(h *enginetest.Harness) { h.World.SetTemplate("podinfo:6.0.1") },
			phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{
				"Normal New revision detected! Scaling up podinfo.default",
			}},
		{phase: v1.PhaseProgressing, routes: routes(100, 0), events: []string{
			"Warning canary deployment podinfo.default not ready: waiting for rollout to finish: 0 out of 1 new replicas have been updated",
		}},
		{before: ready(engine.RoleCanary), phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
			"Normal Starting canary analysis for podinfo.default",
			"Normal Advance podinfo.default canary weight 10",
		}},
		{phase: v1.PhaseProgressing, routes: routes(80, 20), events: []string{"Normal Advance podinfo.default canary weight 20"}},
		{phase: v1.PhaseProgressing, routes: routes(70, 30), events: []string{"Normal Advance podinfo.default canary weight 30"}},
		{phase: v1.PhasePromoting, routes: routes(70, 30), events: []string{
			"Normal Copying podinfo.default template spec to podinfo-primary.default",
		}},
		{before: ready(engine.RolePrimary), phase: v1.PhaseFinalising, routes: routes(100, 0), events: []string{
			"Normal Routing all traffic to primary",
		}},
		{phase: v1.PhaseSucceeded, routes: routes(100, 0), events: []string{
			"Normal Promotion completed! Scaling down podinfo.default",
		}},
	}

	It("promotes a healthy revision", func() {
		expectTicks(h, promotion)
		Expect(h.Weights()).To(Equal([]int{10, 20, 30, 0}))
		Expect(h.Canary.Status.FailedChecks).To(Equal(0))
		Expect(h.Canary.Status.CanaryWeight).To(Equal(0))
		Expect(h.Canary.Status.LastPromotedSpec).To(Equal("podinfo:6.0.1"))
		Expect(h.World.Primary.Template).To(Equal("podinfo:6.0.1"))
		Expect(h.World.Target.Replicas).To(BeZero())
	})

	It("keeps the status weight in Promoting and zeroes it in Finalising", func() {
		expectTicks(h, promotion[:8])
		Expect(h.Canary.Status.CanaryWeight).To(Equal(30))
		expectTicks(h, promotion[8:9])
		Expect(h.Canary.Status.CanaryWeight).To(Equal(0))
	})

	It("evaluates the builtin queries at the tick's time, byte-for-byte", func() {
		expectTicks(h, promotion[:6])
		last := h.Log[len(h.Log)-1]
		Expect(last.Checks).To(HaveLen(2))
		Expect(last.Checks[0].Query).To(Equal(` sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[1m] ) ) * 100`))
		Expect(last.Checks[1].Query).To(Equal(` histogram_quantile( 0.99, sum( rate( osm_request_duration_ms_bucket{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[30s] ) ) by (le) )`))
		q := h.World.Queries[len(h.World.Queries)-1]
		Expect(q.At).To(Equal(last.Time))
		Expect(q.Address).To(Equal("http://prometheus:9090"))
	})

	It("rolls back on the tick after the threshold (failure variant)", func() {
		expectTicks(h, promotion[:5])
		expectTicks(h, []tick{
			{before: func(h *enginetest.Harness) { h.World.Values[v1.BuiltinSuccessRate] = 69.1666 },
				phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
					"Warning Halt podinfo.default advancement success rate 69.17% < 99%",
				}},
			{before: func(h *enginetest.Harness) {
				h.World.Values[v1.BuiltinSuccessRate] = 100
				h.World.Values[v1.BuiltinDuration] = 1234.7
			}, phase: v1.PhaseProgressing, routes: routes(90, 10), events: []string{
				"Warning Halt podinfo.default advancement request duration 1.234s > 500ms",
			}},
		})
		Expect(h.Canary.Status.FailedChecks).To(Equal(2))
		expectTicks(h, []tick{{phase: v1.PhaseFailed, routes: routes(100, 0), events: []string{
			"Warning Rolling back podinfo.default failed checks threshold reached 2",
			"Warning Canary failed! Scaling down podinfo.default",
		}}})
		Expect(h.Canary.Status.FailedChecks).To(Equal(0))
		Expect(h.World.Target.Replicas).To(BeZero())
		Expect(h.Log[len(h.Log)-1].Checks).To(BeEmpty(), "no metric is evaluated on the rollback tick")
	})

	It("rolls back a canary past its own progress deadline, and says so", func() {
		expectTicks(h, promotion[:3])
		h.World.ExceedDeadline(engine.RoleCanary)
		expectTicks(h, []tick{{phase: v1.PhaseFailed, routes: routes(100, 0), events: []string{
			`Warning canary deployment podinfo.default not ready: deployment "podinfo" exceeded its progress deadline`,
			`Warning Rolling back podinfo.default progress deadline exceeded canary deployment podinfo.default not ready: deployment "podinfo" exceeded its progress deadline`,
			"Warning Canary failed! Scaling down podinfo.default",
		}}})
	})

	It("measures progressDeadlineSeconds with the time it is given", func() {
		h.Canary.Spec.ProgressDeadlineSeconds = ptr(int32(60))
		expectTicks(h, promotion[:3])
		h.World.Stall(engine.RoleCanary, h.Now)
		waiting := "Warning canary deployment podinfo.default not ready: waiting for rollout to finish: 0 out of 1 new replicas have been updated"
		for range 7 { // at stall+0s .. stall+60s: still within the deadline
			Expect(h.Tick()).To(Equal([]string{waiting}))
		}
		Expect(h.Now.Sub(enginetest.Epoch)).To(BeNumerically(">", 0))
		expectTicks(h, []tick{{phase: v1.PhaseFailed, routes: routes(100, 0), events: []string{
			waiting,
			"Warning Rolling back podinfo.default progress deadline exceeded canary deployment podinfo.default not ready: waiting for rollout to finish: 0 out of 1 new replicas have been updated",
			"Warning Canary failed! Scaling down podinfo.default",
		}}})
	})

	It("waits at the confirm-promotion gate, then promotes by stepWeightPromotion", func() {
		h = enginetest.NewHarness(newCanary(withAnalysis(func(a *v1.CanaryAnalysis) {
			a.StepWeight, a.MaxWeight, a.StepWeightPromotion = 20, 30, 40
		}), withHook(v1.ConfirmPromotionHook, "approve")), "podinfo:6.0.0")
		healthy(h)
		h.World.AutoReady = true
		h.World.Hooks["approve"] = errors.New("Forbidden")
		expectTicks(h, []tick{
			{phase: v1.PhaseInitialized, routes: routes(100, 0), events: []string{
				"Normal all the metrics providers are available!", "Normal Initialization done! podinfo.default"}},
			{before: func(h *enginetest.Harness) { h.World.SetTemplate("podinfo:6.0.1") }, phase: v1.PhaseProgressing,
				routes: routes(100, 0), events: []string{"Normal New revision detected! Scaling up podinfo.default"}},
			{phase: v1.PhaseProgressing, routes: routes(80, 20), events: []string{
				"Normal Starting canary analysis for podinfo.default", "Normal Advance podinfo.default canary weight 20"}},
			{phase: v1.PhaseProgressing, routes: routes(60, 40), events: []string{"Normal Advance podinfo.default canary weight 40"}},
			{phase: v1.PhaseWaitingPromotion, routes: routes(60, 40), events: []string{
				"Warning Halt podinfo.default advancement waiting for promotion approval approve"}},
		})
		Expect(h.Canary.Status.CanaryWeight).To(Equal(0))
		Expect(h.Canary.Status.Iterations).To(Equal(-1))
		expectTicks(h, []tick{
			{phase: v1.PhaseWaitingPromotion, routes: routes(60, 40), events: nil},
			{before: func(h *enginetest.Harness) { h.World.Hooks["approve"] = nil }, phase: v1.PhasePromoting, routes: routes(60, 40),
				events: []string{"Normal Confirm-promotion check approve passed", "Normal Copying podinfo.default template spec to podinfo-primary.default"}},
			{phase: v1.PhaseFinalising, routes: routes(100, 0), events: []string{"Normal Advance podinfo.default primary weight 100"}},
			{phase: v1.PhaseSucceeded, routes: routes(100, 0), events: []string{"Normal Promotion completed! Scaling down podinfo.default"}},
		})
		Expect(h.Weights()).To(Equal([]int{20, 40, 0}))
		Expect(h.World.Calls).NotTo(BeEmpty())
		for _, c := range h.World.Calls {
			Expect(c.Payload.Phase).To(Equal(v1.PhaseProgressing), "confirm-promotion is told Progressing, even while waiting")
		}
	})

	It("walks stepWeights 5, 25, 60 then promotes", func() {
		h = bootstrapped(newCanary(withAnalysis(func(a *v1.CanaryAnalysis) {
			a.StepWeight, a.MaxWeight, a.StepWeights = 0, 0, []int{5, 25, 60}
		})))
		for range 4 {
			h.Tick()
		}
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhasePromoting))
		Expect(h.Weights()).To(Equal([]int{5, 25, 60}))
		Expect(h.Log[len(h.Log)-1].Checks).To(HaveLen(2), "metrics run on the promote tick too")
	})

	It("records each tick in the trace", func() {
		expectTicks(h, promotion[:6])
		rec := h.Log[5]
		Expect(rec.PhaseBefore).To(Equal(v1.PhaseProgressing))
		Expect(rec.Phase).To(Equal(v1.PhaseProgressing))
		Expect(*rec.Routes).To(Equal(decide.Routes{Primary: 80, Canary: 20}))
		Expect(rec.CanaryWeight).To(Equal(20))
		Expect(rec.Decision).To(Equal("advanced to weight 20"))
		Expect(rec.Checks).To(HaveEach(HaveField("Outcome", decide.OutcomePass)))
		Expect(rec.Checks[0].Value).To(Equal(100.0))
		Expect(rec.Checks[0].Min).To(HaveValue(Equal(99.0)))
		Expect(enginetest.Lines(rec.Events)).To(Equal([]string{"Normal Advance podinfo.default canary weight 20"}))
	})
})
