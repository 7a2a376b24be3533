package controller_test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim/scenario"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// expectedEvents are a corpus scenario's expected events: the simulator
// and the real API server must agree.
func expectedEvents(name string) []string {
	l, err := scenario.LoadFS(scenarios.FS, name+".yaml", name)
	Expect(err).NotTo(HaveOccurred())
	return l.Expect.Events
}

var _ = Describe("fledge-controller on a real API server", func() {
	var (
		w  *world
		cd *v1.Canary
	)

	// bootstrap applies the tutorial's canary and ticks it to Initialized.
	bootstrap := func() {
		w = newWorld(40 * time.Second)
		cd = w.tutorialCanary()
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tickUntil(cd, 5, v1.PhaseInitialized)
	}
	setImage := func(image string) {
		var dep appsv1.Deployment
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &dep)).To(Succeed())
		dep.Spec.Template.Spec.Containers[0].Image = image
		Expect(k8s.Update(suiteCtx, &dep)).To(Succeed())
	}

	It("bootstraps exactly the objects the tutorial lists", func() {
		bootstrap()
		var dep appsv1.Deployment
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo-primary"}, &dep)).To(Succeed())
		Expect(dep.Spec.Selector.MatchLabels).To(Equal(map[string]string{"app": "podinfo-primary"}))
		var hpa autoscalingv2.HorizontalPodAutoscaler
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo-primary"}, &hpa)).To(Succeed())
		Expect(hpa.Spec.ScaleTargetRef.Name).To(Equal("podinfo-primary"))
		var svcs corev1.ServiceList
		Expect(k8s.List(suiteCtx, &svcs, ctrlClientInNamespace(w.ns))).To(Succeed())
		var names []string
		for _, s := range svcs.Items {
			names = append(names, s.Name)
		}
		Expect(names).To(ConsistOf("podinfo", "podinfo-canary", "podinfo-primary"))
		ts, err := splits.SplitV1alpha2().TrafficSplits(w.ns).Get(suiteCtx, "podinfo", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(ts.Spec.Backends).To(HaveLen(2))
		Expect(ts.Spec.Backends[0].Service).To(Equal("podinfo-canary"))
		Expect(ts.Spec.Backends[1].Weight).To(Equal(100))
		var target appsv1.Deployment
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &target)).To(Succeed())
		Expect(*target.Spec.Replicas).To(BeZero(), "the target is scaled to zero")
		Eventually(func() []string { return messages(w.events("podinfo", 1)) }).WithTimeout(10 * time.Second).Should(
			ContainElement("Initialization done! podinfo." + w.ns))
	})

	It("promotes 6.0.1 with the tutorial's events, status and weights", func() {
		bootstrap()
		boot := w.bootEvents()
		setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
		w.tickUntil(cd, 30, v1.PhaseSucceeded, v1.PhaseFailed)
		got := w.canary("podinfo")
		Expect(got.Status.Phase).To(Equal(v1.PhaseSucceeded))
		Expect(got.Status.CanaryWeight).To(BeZero())
		Expect(got.Status.FailedChecks).To(BeZero())
		Expect(got.Status.Conditions[0].Reason).To(Equal("Succeeded"))
		want := kubetest.AsDescribed(append(boot, renamespace(expectedEvents("tutorial-promote"), w.ns)...))
		Expect(messages(w.events("podinfo", len(want)))).To(Equal(want))
		Expect(w.weights).To(Equal([]int{0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 0}))
		var primary appsv1.Deployment
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo-primary"}, &primary)).To(Succeed())
		Expect(primary.Spec.Template.Spec.Containers[0].Image).To(Equal("ghcr.io/stefanprodan/podinfo:6.0.1"))
	})

	It("rolls 6.0.2 back on 500s and latency, as the tutorial shows", func() {
		bootstrap()
		boot := w.bootEvents()
		setImage("ghcr.io/stefanprodan/podinfo:6.0.2")
		script := map[int][2]float64{6: {69.17, 50}, 7: {61.39, 50}, 8: {55.06, 50}, 9: {100, 1200}, 10: {100, 1450}}
		for i := 1; i <= 20; i++ {
			if v, ok := script[i]; ok {
				w.metrics.set(v1.BuiltinSuccessRate, v[0])
				w.metrics.set(v1.BuiltinDuration, v[1])
			}
			w.tick(cd)
			if w.canary("podinfo").Status.Phase == v1.PhaseFailed {
				break
			}
		}
		got := w.canary("podinfo")
		Expect(got.Status.Phase).To(Equal(v1.PhaseFailed))
		Expect(got.Status.FailedChecks).To(BeZero())
		ns := w.ns
		// The tutorial's rollback events, with the readiness wait of the
		// canary's rollout that the fault suite leaves out.
		want := slices.Insert(tutorialRollbackEvents(ns), 1,
			"canary deployment podinfo."+ns+" not ready: waiting for rollout to finish: 0 out of 1 new replicas have been updated")
		events := w.events("podinfo", len(kubetest.AsDescribed(append(boot, want...))))
		Expect(messages(events)).To(Equal(kubetest.AsDescribed(append(boot, want...))))
		Expect(events[len(events)-1].Type).To(Equal(corev1.EventTypeWarning))
		Expect(events[len(events)-1].Reason).To(Equal("Synced"))
		Expect(events[len(events)-1].Source.Component).To(Equal("fledge"))
		Expect(w.weights).To(Equal([]int{0, 5, 10, 15, 0}))
	})

	It("serves kubectl get canaries' columns through the server's table output", func() {
		bootstrap()
		raw, err := kube.CoreV1().RESTClient().Get().AbsPath("/apis/flagger.app/v1beta1/namespaces/"+w.ns+"/canaries").
			SetHeader("Accept", "application/json;as=Table;v=v1;g=meta.k8s.io").DoRaw(suiteCtx)
		Expect(err).NotTo(HaveOccurred())
		var table metav1.Table
		Expect(json.Unmarshal(raw, &table)).To(Succeed())
		// The columns kubectl get shows by default (priority 0) and their cells.
		Expect(table.Rows).To(HaveLen(1))
		shown := map[string]any{}
		var names []string
		for i, c := range table.ColumnDefinitions {
			if c.Priority == 0 {
				names = append(names, c.Name)
				shown[c.Name] = table.Rows[0].Cells[i]
			}
		}
		Expect(names).To(Equal([]string{"Name", "Status", "Weight", "LastTransitionTime"}))
		Expect(shown).To(HaveKeyWithValue("Name", "podinfo"))
		Expect(shown).To(HaveKeyWithValue("Status", "Initialized"))
		Expect(shown).To(HaveKeyWithValue("Weight", "0"))
		Expect(shown["LastTransitionTime"]).To(MatchRegexp(`^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$`))
	})

	It("refuses an invalid canary with a condition and a Warning naming the field, and serves the others", func() {
		bootstrap()
		bad := w.tutorialCanary()
		bad.Name = "mirrored"
		bad.Spec.TargetRef.Name = "other"
		bad.Spec.Analysis.Mirror = true
		Expect(k8s.Create(suiteCtx, bad)).To(Succeed())
		w.tick(bad)
		w.tick(bad)
		got := w.canary("mirrored")
		Expect(got.Status.Conditions).To(ContainElement(And(
			HaveField("Type", "Invalid"), HaveField("Message", ContainSubstring("spec.analysis.mirror")))))
		events := w.events("mirrored", 1)
		Expect(events).To(HaveLen(1), "one Warning, not one per tick")
		Expect(events[0].Type).To(Equal(corev1.EventTypeWarning))
		Expect(events[0].Message).To(ContainSubstring("spec.analysis.mirror"))
		setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
		w.tick(cd)
		Expect(w.canary("podinfo").Status.Phase).To(Equal(v1.PhaseProgressing))
	})
})

func renamespace(lines []string, ns string) []string {
	out := make([]string, len(lines))
	for i, l := range lines {
		out[i] = replaceAll(l, "podinfo.test", "podinfo."+ns)
		out[i] = replaceAll(out[i], "podinfo-primary.test", "podinfo-primary."+ns)
	}
	return out
}

var _ = Describe("revertOnDeletion", func() {
	It("gives the apex Service back to the target before the Canary goes", func() {
		w := newWorld(5 * time.Second)
		cd := w.tutorialCanary()
		cd.Spec.RevertOnDeletion = true
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tick(cd) // adds the finalizer
		Expect(w.canary("podinfo").Finalizers).To(ContainElement("finalizer.flagger.app"))
		w.tickUntil(cd, 5, v1.PhaseInitialized)
		Expect(k8s.Delete(suiteCtx, w.canary("podinfo"))).To(Succeed())
		for range 5 {
			w.tick(cd)
			var gone v1.Canary
			if err := k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &gone); err != nil {
				break
			}
		}
		var apex corev1.Service
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &apex)).To(Succeed())
		Expect(apex.Spec.Selector).To(Equal(map[string]string{"app": "podinfo"}))
		Expect(apex.OwnerReferences).To(BeEmpty(), "garbage collection must not take the apex Service")
		var target appsv1.Deployment
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &target)).To(Succeed())
		Expect(*target.Spec.Replicas).To(BeNumerically(">=", 1))
		var gone v1.Canary
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &gone)).NotTo(Succeed())
		Eventually(func() []string { return messages(w.events("podinfo", 1)) }).WithTimeout(10 * time.Second).Should(
			ContainElements("Terminating canary podinfo."+w.ns, "Terminated canary podinfo."+w.ns))
	})
})

var _ = Describe("revertOnDeletion when the target cannot take the traffic back", func() {
	// initialized is an Initialized revertOnDeletion canary; finalize
	// deletes it and reconciles it directly (the kubelet no longer runs, so
	// the target never becomes ready) until it is gone, at most n times,
	// and returns the results.
	initialized := func() (*world, *v1.Canary) {
		w := newWorld(5 * time.Second)
		cd := w.tutorialCanary()
		cd.Spec.RevertOnDeletion = true
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tickUntil(cd, 5, v1.PhaseInitialized)
		return w, cd
	}
	finalize := func(w *world, n int) []ctrl.Result {
		Expect(k8s.Delete(suiteCtx, w.canary("podinfo"))).To(Succeed())
		var results []ctrl.Result
		key := types.NamespacedName{Namespace: w.ns, Name: "podinfo"}
		for range n {
			res, err := w.rec.Reconcile(suiteCtx, ctrl.Request{NamespacedName: key})
			Expect(err).NotTo(HaveOccurred())
			results = append(results, res)
			if err := k8s.Get(suiteCtx, key, &v1.Canary{}); apierrors.IsNotFound(err) {
				return results
			}
		}
		Fail(fmt.Sprintf("the canary is still there after %d reconciles: %v", n, results))
		return nil
	}

	It("removes the finalizer without a revert when the target Deployment is gone", func() {
		w, _ := initialized()
		Expect(k8s.Delete(suiteCtx, &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: w.ns, Name: "podinfo"}})).To(Succeed())
		Expect(finalize(w, 3)).To(HaveLen(1))
		var apex corev1.Service
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &apex)).To(Succeed())
		Expect(apex.Spec.Selector).To(Equal(map[string]string{"app": "podinfo-primary"}), "no revert to a missing target")
		// Events reach the API server asynchronously: wait for the last one.
		msgs := func() []string { return messages(w.events("podinfo", 1)) }
		Eventually(msgs).WithTimeout(10 * time.Second).Should(ContainElement("Deployment podinfo." + w.ns +
			" not found: canary podinfo." + w.ns + " terminated without reverting traffic to it"))
		Expect(msgs()).NotTo(ContainElement("Terminated canary podinfo." + w.ns))
	})

	It("gives up waiting for a target that never becomes ready, with a Warning, and reverts", func() {
		w, cd := initialized()
		results := finalize(w, 10)
		Expect(results).To(HaveLen(5), "four waits, then the revert")
		for _, r := range results[:4] {
			Expect(r.RequeueAfter).To(BeNumerically(">", 0))
			Expect(r.RequeueAfter).To(BeNumerically("<=", cd.GetAnalysisInterval()))
		}
		var apex corev1.Service
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &apex)).To(Succeed())
		Expect(apex.Spec.Selector).To(Equal(map[string]string{"app": "podinfo"}))
		// Events reach the API server asynchronously: wait for the last one.
		Eventually(func() []string { return messages(w.events("podinfo", 1)) }).WithTimeout(10 * time.Second).Should(ContainElements(
			"Deployment podinfo."+w.ns+" not ready after 5 checks: reverting traffic to it anyway",
			"Terminated canary podinfo."+w.ns))
		for _, e := range w.events("podinfo", 1) {
			if strings.Contains(e.Message, "not ready after") {
				Expect(e.Type).To(Equal(corev1.EventTypeWarning))
			}
		}
	})
})
