package controller_test

import (
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fledge-canary/fledge/adapters/controller"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// series are the registry's series whose namespace label is ns, as
// "metric{label=value,...}" without the namespace, with their values.
func series(reg *prometheus.Registry, ns string) map[string]float64 {
	families, err := reg.Gather()
	Expect(err).NotTo(HaveOccurred())
	out := map[string]float64{}
	for _, f := range families {
		for _, m := range f.GetMetric() {
			key, inNamespace := f.GetName()+"{", false
			for _, l := range m.GetLabel() {
				if l.GetName() == "namespace" {
					inNamespace = l.GetValue() == ns
					continue
				}
				key += l.GetName() + "=" + l.GetValue() + ","
			}
			if inNamespace {
				out[key+"}"] = m.GetGauge().GetValue() + m.GetCounter().GetValue()
			}
		}
	}
	return out
}

var _ = Describe("the controller's metrics", func() {
	It("count the canaries of a namespace and forget a deleted canary's series", func() {
		w := newWorld(5 * time.Second)
		reg := prometheus.NewRegistry()
		rec, err := controller.NewWithClients(controller.Clients{Client: k8s, Reader: k8s, Config: cfg}, controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", SelectorLabels: []string{"app"},
			Clock: w.clock, Metrics: w.metrics, Log: log.Log, Registry: reg,
		})
		Expect(err).NotTo(HaveOccurred())
		w.rec = rec
		cd := w.tutorialCanary()
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		other := w.tutorialCanary()
		other.Name, other.Spec.TargetRef.Name = "other", "other"
		Expect(k8s.Create(suiteCtx, other)).To(Succeed())
		w.tickUntil(cd, 5, v1.PhaseInitialized)
		w.setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
		for range 10 {
			if w.canary("podinfo").Status.CanaryWeight > 0 {
				break
			}
			w.tick(cd)
		}
		w.tick(other)
		got := series(reg, w.ns)
		Expect(got).To(HaveKeyWithValue("flagger_canary_total{}", 2.0))
		Expect(got).To(HaveKey("flagger_canary_status{name=podinfo,}"))
		Expect(got).To(HaveKey("flagger_canary_weight{workload=podinfo-primary,}"))

		Expect(k8s.Delete(suiteCtx, w.canary("podinfo"))).To(Succeed())
		_, err = rec.Reconcile(suiteCtx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: w.ns, Name: "podinfo"}})
		Expect(err).NotTo(HaveOccurred())
		got = series(reg, w.ns)
		Expect(got).To(HaveKeyWithValue("flagger_canary_total{}", 1.0))
		for key := range got {
			Expect(key).NotTo(SatisfyAny(ContainSubstring("name=podinfo,"), ContainSubstring("workload=podinfo")), "a series of the deleted canary")
		}
		Expect(got).To(HaveKey("flagger_canary_status{name=other,}"), "the other canary's series stay")
	})
	It("label a canary's series by its target and record its Events from -event-source", func() {
		w := newWorld(5 * time.Second)
		reg := prometheus.NewRegistry()
		rec, err := controller.NewWithClients(controller.Clients{Client: k8s, Reader: k8s, Config: cfg}, controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", SelectorLabels: []string{"app"},
			Clock: w.clock, Metrics: w.metrics, Log: log.Log, Registry: reg, EventSource: "flagger",
		})
		Expect(err).NotTo(HaveOccurred())
		w.rec = rec
		cd := w.tutorialCanary()
		cd.Name = "podinfo-rollout" // the target stays the Deployment podinfo
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tickUntil(cd, 5, v1.PhaseInitialized)
		w.setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
		w.tickUntil(cd, 30, v1.PhaseSucceeded)
		got := series(reg, w.ns)
		for _, key := range []string{
			"flagger_canary_status{name=podinfo,}",
			"flagger_canary_weight{workload=podinfo,}",
			"flagger_canary_weight{workload=podinfo-primary,}",
			"flagger_canary_metric_analysis{metric=request-success-rate,name=podinfo,}",
			"flagger_canary_successes_total{analysis_status=completed,deployment_strategy=canary,name=podinfo,}",
		} {
			Expect(got).To(HaveKey(key))
		}
		for key := range got {
			if !strings.HasPrefix(key, "fledge_") {
				Expect(key).NotTo(ContainSubstring("podinfo-rollout"), "a Flagger series labelled by the Canary's name")
			}
		}
		events := w.events("podinfo-rollout", 1)
		for _, e := range events {
			Expect(e.Source.Component).To(Equal("flagger"), e.Message)
		}
	})
})
