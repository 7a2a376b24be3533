package engine_test

import (
	"errors"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/engine/enginetest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var mirrorRefused = v1.FieldErrors{{Path: "spec.analysis.mirror", Reason: "OSM cannot mirror traffic"}}

var _ = Describe("Refuse", func() {
	It("routes an analysed canary's traffic back to the primary, reports once, and resumes from 0 once valid", func() {
		h := bootstrapped(newCanary())
		h.Tick() // weight 10
		Expect(h.World.Split.Canary).To(Equal(10))
		events, res, err := h.Refuse(mirrorRefused)
		Expect(err).NotTo(HaveOccurred())
		Expect(events).To(Equal([]string{
			"Warning Halt podinfo.default advancement: invalid spec, all traffic routed to the primary until the spec is fixed",
			"Warning invalid spec: " + mirrorRefused.Strings()[0],
		}))
		Expect(res.Record.Reason).To(Equal(engine.ReasonInvalidSpec))
		Expect(res.RequeueAfter).To(Equal(10*time.Second), "back every interval, never at once")
		Expect(h.World.Split.Canary).To(BeZero())
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseProgressing), "the phase is kept")
		Expect(h.Canary.Status.CanaryWeight).To(BeZero())
		Expect(h.Canary.Status.Conditions).To(ContainElement(HaveField("Type", v1.InvalidCondition)))

		events, res, err = h.Refuse(mirrorRefused)
		Expect(err).NotTo(HaveOccurred())
		Expect(events).To(BeEmpty(), "reported already")
		Expect(res.Record.Reason).To(Equal(engine.ReasonInvalidSpecReported))

		Expect(h.Tick()).To(Equal([]string{
			"Normal Starting canary analysis for podinfo.default",
			"Normal Advance podinfo.default canary weight 10",
		}))
		Expect(h.Canary.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1.InvalidCondition)), "dropped once valid")
	})

	It("leaves the traffic of a canary between analyses alone", func() {
		h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
		h.World.AutoReady = true
		h.Tick()
		writes := len(h.World.RouteLog)
		events, res, err := h.Refuse(mirrorRefused)
		Expect(err).NotTo(HaveOccurred())
		Expect(events).To(Equal([]string{"Warning invalid spec: " + mirrorRefused.Strings()[0]}))
		Expect(res.Record.Routes).To(BeNil())
		Expect(h.World.RouteLog).To(HaveLen(writes))
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseInitialized))
	})

	It("keeps a new canary from initialising, and initialises it once valid", func() {
		h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
		h.World.AutoReady = true
		_, _, err := h.Refuse(mirrorRefused)
		Expect(err).NotTo(HaveOccurred())
		Expect(h.Canary.Status.Phase).To(BeEmpty())
		Expect(h.World.Primary).To(BeNil(), "nothing is created for a refused canary")
		h.Tick()
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseInitialized))
	})

	It("returns the router's error and records nothing when the traffic cannot move back", func() {
		h := bootstrapped(newCanary())
		h.Tick()
		h.World.Fail["SetRoutes"] = errors.New("etcdserver: leader changed")
		events, res, err := h.Refuse(mirrorRefused)
		Expect(err).To(MatchError(ContainSubstring("routing all traffic to the primary: etcdserver: leader changed")))
		Expect(events).To(BeEmpty())
		Expect(res.Record.Reason).To(Equal(engine.ReasonRoutesNotSet))
	})
})

// deleting is a bootstrapped revertOnDeletion canary at weight 10, deleted.
func deleting() *enginetest.Harness {
	h := bootstrapped(newCanary(func(cd *v1.Canary) { cd.Spec.RevertOnDeletion = true }))
	h.Tick()
	Expect(h.Canary.Finalizers).To(Equal([]string{v1.Finalizer}), "the first tick added the finalizer")
	ts := metav1.NewTime(h.Now)
	h.Canary.DeletionTimestamp = &ts
	return h
}

var _ = Describe("Finalize", func() {
	It("gives the traffic back to a ready target and removes the finalizer", func() {
		h := deleting()
		events, res, err := h.Finalize()
		Expect(err).NotTo(HaveOccurred())
		Expect(events).To(Equal([]string{"Normal Terminating canary podinfo.default", "Normal Terminated canary podinfo.default"}))
		Expect(res.Record.Reason).To(Equal(engine.ReasonTerminated))
		Expect(res.RequeueAfter).To(BeZero())
		Expect(h.World.Released).To(BeTrue())
		Expect(h.Canary.Finalizers).To(BeEmpty())
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseTerminating))
	})

	It("scales a target at zero back up and waits for it with a backoff counted in the status", func() {
		h := deleting()
		h.World.AutoReady = false
		h.World.Target.Replicas = 0 // a canary rolled back: the target at zero
		h.World.MarkReady(engine.RoleCanary)
		var waits []time.Duration
		for range engine.RevertChecks - 1 {
			_, res, err := h.Finalize()
			Expect(err).NotTo(HaveOccurred())
			Expect(res.Record.Reason).To(Equal(engine.ReasonWaitingTarget))
			waits = append(waits, res.RequeueAfter)
		}
		Expect(waits).To(Equal([]time.Duration{time.Second, 2 * time.Second, 4 * time.Second, 8 * time.Second}))
		Expect(h.World.Target.Replicas).To(BeNumerically(">=", 1))
		Expect(h.Canary.Status.FailedChecks).To(Equal(engine.RevertChecks - 1))
		events, res, err := h.Finalize()
		Expect(err).NotTo(HaveOccurred())
		Expect(events).To(Equal([]string{
			"Warning Deployment podinfo.default not ready after 5 checks: reverting traffic to it anyway",
			"Normal Terminated canary podinfo.default",
		}))
		Expect(res.Record.Reason).To(Equal(engine.ReasonTerminated))
		Expect(h.World.Released).To(BeTrue())
	})

	It("removes the finalizer without a revert when the target is gone", func() {
		h := deleting()
		h.World.Target = nil
		events, res, err := h.Finalize()
		Expect(err).NotTo(HaveOccurred())
		Expect(events).To(Equal([]string{
			"Normal Terminating canary podinfo.default",
			"Normal Deployment podinfo.default not found: canary podinfo.default terminated without reverting traffic to it",
		}))
		Expect(res.Record.Reason).To(Equal(engine.ReasonTerminatedUnreverted))
		Expect(h.World.Released).To(BeFalse())
		Expect(h.Canary.Finalizers).To(BeEmpty())
	})

	It("keeps the finalizer when the apex Service cannot be released, and finishes on the retry", func() {
		h := deleting()
		h.World.Fail["Release"] = errors.New("etcdserver: leader changed")
		_, res, err := h.Finalize()
		Expect(err).To(MatchError("etcdserver: leader changed"))
		Expect(res.Record.Reason).To(Equal(engine.ReasonFinalizeFailed))
		Expect(h.Canary.Finalizers).To(Equal([]string{v1.Finalizer}))
		delete(h.World.Fail, "Release")
		events, _, err := h.Finalize()
		Expect(err).NotTo(HaveOccurred())
		Expect(events).To(Equal([]string{"Normal Terminated canary podinfo.default"}), "Terminating was said once")
	})

	It("does nothing for a canary without the finalizer", func() {
		h := bootstrapped(newCanary())
		ts := metav1.NewTime(h.Now)
		h.Canary.DeletionTimestamp = &ts
		events, res, err := h.Finalize()
		Expect(err).NotTo(HaveOccurred())
		Expect(events).To(BeEmpty())
		Expect(res.Record.Reason).To(Equal(engine.ReasonNoFinalizer))
		Expect(h.World.Released).To(BeFalse())
	})
})

var _ = Describe("the metrics providers' probe", func() {
	It("probes the metrics server once per builtin metric on each initialising tick, as Flagger sends vector(1)", func() {
		h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
		h.Tick() // the primary is created, not ready yet
		Expect(h.World.Probes).To(HaveLen(2), "request-success-rate and request-duration")
		h.World.MarkReady(engine.RolePrimary)
		h.Tick()
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseInitialized))
		Expect(h.World.Probes).To(HaveLen(4))
		h.Tick()
		Expect(h.World.Probes).To(HaveLen(4), "not once initialised")
	})
})
