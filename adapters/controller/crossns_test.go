package controller_test

import (
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fledge-canary/fledge/adapters/controller"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

var _ = Describe("-no-cross-namespace-refs", func() {
	// crossNamespace is the tutorial's canary with a metric whose
	// MetricTemplate is in another namespace.
	crossNamespace := func(w *world) *v1.Canary {
		cd := w.tutorialCanary()
		most := 500.0
		cd.Spec.Analysis.Metrics = append(cd.Spec.Analysis.Metrics, v1.CanaryMetric{
			Name: "latency", TemplateRef: &v1.CrossNamespaceObjectReference{Name: "latency", Namespace: "templates"},
			ThresholdRange: &v1.CanaryThresholdRange{Max: &most},
		})
		return cd
	}

	It("refuses a templateRef in another namespace with a condition and one Warning", func() {
		w := newWorld(5 * time.Second)
		rec, err := controller.NewWithClients(controller.Clients{Client: k8s, Reader: k8s, Config: cfg}, controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", SelectorLabels: []string{"app"},
			NoCrossNamespaceRefs: true, Clock: w.clock, Metrics: w.metrics, Log: log.Log,
		})
		Expect(err).NotTo(HaveOccurred())
		cd := crossNamespace(w)
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		for range 2 {
			_, err := rec.Reconcile(suiteCtx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: w.ns, Name: cd.Name}})
			Expect(err).NotTo(HaveOccurred())
		}
		want := "spec.analysis.metrics[2].templateRef.namespace: can't access metric template latency.templates, cross-namespace references are blocked"
		Expect(w.canary(cd.Name).Status.Conditions).To(ContainElement(And(
			HaveField("Type", v1.InvalidCondition), HaveField("Message", ContainSubstring(want)))))
		events := w.events(cd.Name, 1)
		Expect(events).To(HaveLen(1))
		Expect(events[0].Type).To(Equal(corev1.EventTypeWarning))
		Expect(events[0].Message).To(ContainSubstring(want))
		Expect(w.canary(cd.Name).Status.Phase).To(BeEmpty(), "nothing bootstrapped")
	})

	It("accepts it without the flag", func() {
		w := newWorld(5 * time.Second)
		cd := crossNamespace(w)
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tick(cd)
		got := w.canary(cd.Name)
		Expect(got.Status.Conditions).NotTo(ContainElement(HaveField("Type", v1.InvalidCondition)))
		Expect(got.Status.Phase).NotTo(BeEmpty())
	})
})
