package controller_test

import (
	"encoding/json"
	"fmt"
	"os"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fledge-canary/fledge/adapters/controller"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// rejectCase is an entry of core/api/v1beta1/testdata/reject-cases.json,
// the validation table's rejection cases as data.
type rejectCase struct {
	Name    string               `json:"name"`
	Options v1.ValidationOptions `json:"options"`
	Canary  *v1.Canary           `json:"canary"`
	Errors  []string             `json:"errors"`
}

func rejectCases() []rejectCase {
	data, err := os.ReadFile("../../core/api/v1beta1/testdata/reject-cases.json")
	Expect(err).NotTo(HaveOccurred())
	var cases []rejectCase
	Expect(json.Unmarshal(data, &cases)).To(Succeed())
	Expect(len(cases)).To(BeNumerically(">", 50))
	return cases
}

// admissionRejected are the cases the CRD's OpenAPI schema refuses before
// the controller sees them: a Canary needs a name, and the CRD enumerates
// the webhook types.
var admissionRejected = []string{"no name", "unknown webhook type"}

// invalidRounds is how many analysis intervals each invalid canary is
// reconciled over.
const invalidRounds = 2

var _ = Describe("every invalid Canary of the validation table on a live API server", func() {
	It("gets one Warning naming the field and an Invalid condition, no hot loop, and the valid canary promotes", func() {
		w := newWorld(5 * time.Second)
		cd := w.tutorialCanary()
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tickUntil(cd, 5, v1.PhaseInitialized)
		strict, err := controller.NewWithClients(controller.Clients{Client: k8s, Reader: k8s, Config: cfg}, controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", NoCrossNamespaceRefs: true,
			Clock: w.clock, Metrics: w.metrics, Log: log.Log,
		})
		Expect(err).NotTo(HaveOccurred())

		accepted := map[string]rejectCase{} // by canary name
		var refused []string
		for i, tc := range rejectCases() {
			bad := tc.Canary.DeepCopy()
			bad.Namespace = w.ns
			if bad.Name != "" {
				bad.Name = fmt.Sprintf("bad-%02d", i)
			}
			if err := k8s.Create(suiteCtx, bad); err != nil {
				Expect(apierrors.IsInvalid(err)).To(BeTrue(), "%s: %v", tc.Name, err)
				refused = append(refused, tc.Name)
				continue
			}
			accepted[bad.Name] = tc
		}
		AddReportEntry("refused by the CRD schema at admission", refused)
		fmt.Fprintf(GinkgoWriter, "%d cases: %d refused at admission %q\n", len(accepted)+len(refused), len(refused), refused)
		Expect(refused).To(ConsistOf(admissionRejected))

		versions := map[string]string{}
		w.setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
		for round := range invalidRounds {
			for name, tc := range accepted {
				rec := w.rec
				if tc.Options.NoCrossNamespaceRefs {
					rec = strict
				}
				res, err := rec.Reconcile(suiteCtx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: w.ns, Name: name}})
				Expect(err).NotTo(HaveOccurred(), tc.Name)
				Expect(res).To(Equal(ctrl.Result{RequeueAfter: w.canary(name).GetAnalysisInterval()}),
					"%s: an invalid canary comes back every interval, never at once", tc.Name)
				got := w.canary(name)
				if round == 0 {
					versions[name] = got.ResourceVersion
				}
				Expect(got.ResourceVersion).To(Equal(versions[name]), "%s: written again in round %d", tc.Name, round)
				Expect(got.Status.Conditions).To(ContainElement(And(
					HaveField("Type", v1.InvalidCondition), HaveField("Status", v1.ConditionTrue),
					HaveField("Message", invalidMessage(tc, w.ns)))), tc.Name)
				Expect(got.Status.Phase).To(BeEmpty(), "%s: never ticked", tc.Name)
			}
			w.tick(cd)
		}
		w.tickUntil(cd, 30, v1.PhaseSucceeded, v1.PhaseFailed)
		Expect(w.canary("podinfo").Status.Phase).To(Equal(v1.PhaseSucceeded))

		warnings := invalidWarnings(w.ns, len(accepted))
		for name, tc := range accepted {
			Expect(warnings[name]).To(Equal([]string{invalidMessage(tc, w.ns)}), tc.Name)
		}
	})
})

// invalidMessage is the condition and event text of a case, in the ns.
func invalidMessage(tc rejectCase, ns string) string {
	return strings.ReplaceAll("invalid spec: "+strings.Join(tc.Errors, "; "), `namespace "test"`, `namespace "`+ns+`"`)
}

// invalidWarnings are the Warning events of the bad-* canaries by name,
// once there are at least n of them (and a moment more for stragglers).
func invalidWarnings(ns string, n int) map[string][]string {
	collect := func() map[string][]string {
		var list corev1.EventList
		Expect(k8s.List(suiteCtx, &list, ctrlClientInNamespace(ns))).To(Succeed())
		out := map[string][]string{}
		for _, e := range list.Items {
			if e.InvolvedObject.Kind != "Canary" || !strings.HasPrefix(e.InvolvedObject.Name, "bad-") {
				continue
			}
			Expect(e.Type).To(Equal(corev1.EventTypeWarning))
			Expect(e.Count).To(BeNumerically("<=", 1), "repeated: %s", e.Message)
			out[e.InvolvedObject.Name] = append(out[e.InvolvedObject.Name], e.Message)
		}
		for _, msgs := range out {
			sort.Strings(msgs)
		}
		return out
	}
	Eventually(func() int { return len(collect()) }).WithTimeout(10 * time.Second).Should(BeNumerically(">=", n))
	Consistently(func() int { return len(collect()) }).WithTimeout(time.Second).Should(Equal(n))
	return collect()
}

var _ = Describe("a spec that turns invalid in the middle of an analysis", func() {
	It("routes all traffic back to the primary, comes back every interval, and resumes once fixed", func() {
		w := newWorld(5 * time.Second)
		cd := w.tutorialCanary()
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tickUntil(cd, 5, v1.PhaseInitialized)
		w.setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
		for range 20 {
			if w.canary("podinfo").Status.CanaryWeight >= 30 {
				break
			}
			w.tick(cd)
		}
		Expect(w.canary("podinfo").Status.CanaryWeight).To(Equal(30))

		edit := func(mirror bool) {
			got := w.canary("podinfo")
			got.Spec.Analysis.Mirror = mirror
			Expect(k8s.Update(suiteCtx, got)).To(Succeed())
		}
		edit(true)
		key := types.NamespacedName{Namespace: w.ns, Name: "podinfo"}
		for range 3 {
			res, err := w.rec.Reconcile(suiteCtx, ctrl.Request{NamespacedName: key})
			Expect(err).NotTo(HaveOccurred())
			Expect(res.RequeueAfter).To(Equal(cd.GetAnalysisInterval()), "back every interval, never at once")
			w.clock.Step(cd.GetAnalysisInterval())
		}
		ts, err := splits.SplitV1alpha2().TrafficSplits(w.ns).Get(suiteCtx, "podinfo", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ts.Spec.Backends[0].Service).To(Equal("podinfo-canary"))
		Expect(ts.Spec.Backends[0].Weight).To(BeZero(), "no traffic stays on an unanalysed canary")
		Expect(ts.Spec.Backends[1].Weight).To(Equal(100))
		got := w.canary("podinfo")
		Expect(got.Status.Phase).To(Equal(v1.PhaseProgressing))
		Expect(got.Status.CanaryWeight).To(BeZero())
		Expect(got.Status.Conditions).To(ContainElement(HaveField("Type", v1.InvalidCondition)))
		// Events reach the API server asynchronously: wait for both, then
		// check each is one Warning, not one per interval.
		halt := "Halt podinfo." + w.ns + " advancement: invalid spec, all traffic routed to the primary until the spec is fixed"
		refusal := func(e corev1.Event) bool {
			return e.Message == halt || strings.Contains(e.Message, "spec.analysis.mirror")
		}
		Eventually(func() []string { return messages(w.events("podinfo", 1)) }).WithTimeout(10 * time.Second).Should(
			ContainElements(halt, ContainSubstring("spec.analysis.mirror")))
		var refusals []corev1.Event
		for _, e := range w.events("podinfo", 1) {
			if refusal(e) {
				refusals = append(refusals, e)
			}
		}
		Expect(refusals).To(HaveLen(2))
		for _, e := range refusals {
			Expect(e.Type).To(Equal(corev1.EventTypeWarning))
			Expect(e.Count).To(BeNumerically("<=", 1), "one Warning, not one per interval: %s", e.Message)
		}

		edit(false)
		w.tickUntil(cd, 30, v1.PhaseSucceeded, v1.PhaseFailed)
		Expect(w.canary("podinfo").Status.Phase).To(Equal(v1.PhaseSucceeded))
		Expect(w.weights).To(ContainElement(0))
	})
})

var _ = Describe("a spec fixed and then broken the same way again", func() {
	It("loses its Invalid condition once valid and gets a second Warning", func() {
		w := newWorld(5 * time.Second)
		cd := w.tutorialCanary()
		cd.Spec.Analysis.Mirror = true
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		edit := func(mirror bool) {
			got := w.canary("podinfo")
			got.Spec.Analysis.Mirror = mirror
			Expect(k8s.Update(suiteCtx, got)).To(Succeed())
			w.tick(got)
		}
		invalid := HaveField("Type", v1.InvalidCondition)
		w.tick(cd)
		Expect(w.canary("podinfo").Status.Conditions).To(ContainElement(invalid))
		edit(false)
		Expect(w.canary("podinfo").Status.Conditions).NotTo(ContainElement(invalid), "valid again")
		edit(true)
		Expect(w.canary("podinfo").Status.Conditions).To(ContainElement(invalid))
		Eventually(func() int32 {
			n := int32(0)
			for _, e := range w.events("podinfo", 1) {
				if strings.Contains(e.Message, "spec.analysis.mirror") {
					n += max(e.Count, 1)
				}
			}
			return n
		}).WithTimeout(10*time.Second).Should(Equal(int32(2)), "the repeated mistake is reported again")
	})
})

var _ = Describe("a valid spec with warnings", func() {
	It("logs each warning once per generation, not per tick, and records no Event for it", func() {
		w := newWorld(5 * time.Second)
		w.logs = &lockedBuffer{}
		w.restart()
		cd := w.tutorialCanary()
		cd.Spec.Analysis.Webhooks[1].Timeout = "5m" // the load test's rollout hook, interval 30s
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tickUntil(cd, 5, v1.PhaseInitialized)
		w.tick(cd)
		_, warnings := cd.Validate(v1.ValidationOptions{})
		Expect(warnings.Strings()).To(ContainElement(ContainSubstring("the rollout hooks can take 5m0s per tick")))
		logged := func(times int) {
			GinkgoHelper()
			for _, s := range warnings.Strings() {
				Expect(strings.Count(w.logs.String(), "spec warning: "+s)).To(Equal(times), s)
			}
		}
		logged(1)

		got := w.canary("podinfo")
		got.Spec.Analysis.Threshold++ // a new generation
		Expect(k8s.Update(suiteCtx, got)).To(Succeed())
		w.tick(cd)
		w.tick(cd)
		logged(2)
		for _, e := range w.events("podinfo", 1) {
			Expect(e.Message).NotTo(HavePrefix("spec warning: "), "the Events stay Flagger's")
		}
	})
})
