package controller_test

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// httpRouteCRD is the standard channel's HTTPRoute CRD of the
// sigs.k8s.io/gateway-api module that go.mod names.
func httpRouteCRD() string {
	out, err := exec.Command("go", "list", "-m", "-f", "{{.Dir}}", "sigs.k8s.io/gateway-api").Output()
	Expect(err).NotTo(HaveOccurred(), "locating the sigs.k8s.io/gateway-api module")
	return filepath.Join(strings.TrimSpace(string(out)), "config", "crd", "standard", "gateway.networking.k8s.io_httproutes.yaml")
}

// canaryFrom is a Canary of scenarios/manifests in the world's namespace,
// its webhooks pointed at the test's load tester (tutorialCanary is
// podinfo-canary.yaml's).
func (w *world) canaryFrom(manifest string) *v1.Canary {
	data, err := os.ReadFile(filepath.Join("..", "..", "scenarios", "manifests", manifest))
	Expect(err).NotTo(HaveOccurred())
	m, err := v1.Decode(data)
	Expect(err).NotTo(HaveOccurred())
	cd := &m.Canaries[0]
	cd.Namespace = w.ns
	for i := range cd.Spec.Analysis.Webhooks {
		cd.Spec.Analysis.Webhooks[i].URL = w.loadtester.URL + "/"
	}
	return cd
}

// routeWeights reads the primary and canary weights of the HTTPRoute's
// first rule; ok is false while there is no route.
func (w *world) routeWeights() (weights [2]int, ok bool) {
	hr, err := gateways.GatewayV1().HTTPRoutes(w.ns).Get(suiteCtx, "podinfo", metav1.GetOptions{})
	if err != nil {
		return weights, false
	}
	Expect(hr.Spec.Rules[0].BackendRefs).To(HaveLen(2))
	return [2]int{int(*hr.Spec.Rules[0].BackendRefs[0].Weight), int(*hr.Spec.Rules[0].BackendRefs[1].Weight)}, true
}

var _ = Describe("provider gatewayapi:v1 on a real API server", func() {
	It("promotes the tutorial's canary through an HTTPRoute, checking its weights at every step", func() {
		w := newWorld(40 * time.Second)
		cd := w.canaryFrom("podinfo-canary-gatewayapi.yaml")
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		var steps [][2]int
		tick := func() v1.CanaryPhase {
			w.tick(cd)
			if weights, ok := w.routeWeights(); ok && (len(steps) == 0 || steps[len(steps)-1] != weights) {
				steps = append(steps, weights)
			}
			return w.canary("podinfo").Status.Phase
		}
		for range 5 {
			if tick() == v1.PhaseInitialized {
				break
			}
		}
		Expect(w.canary("podinfo").Status.Phase).To(Equal(v1.PhaseInitialized))
		boot := w.bootEvents()

		var dep appsv1.Deployment
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &dep)).To(Succeed())
		dep.Spec.Template.Spec.Containers[0].Image = "ghcr.io/stefanprodan/podinfo:6.0.1"
		Expect(k8s.Update(suiteCtx, &dep)).To(Succeed())
		for i := 0; i < 30; i++ {
			if p := tick(); p == v1.PhaseSucceeded || p == v1.PhaseFailed {
				break
			}
		}
		Expect(w.canary("podinfo").Status.Phase).To(Equal(v1.PhaseSucceeded))
		Expect(steps).To(Equal([][2]int{
			{100, 0}, {95, 5}, {90, 10}, {85, 15}, {80, 20}, {75, 25}, {70, 30}, {65, 35}, {60, 40}, {55, 45}, {50, 50}, {100, 0},
		}))
		want := kubetest.AsDescribed(append(boot, renamespace(expectedEvents("gatewayapi-promote"), w.ns)...))
		Expect(messages(w.events("podinfo", len(want)))).To(Equal(want))

		hr, err := gateways.GatewayV1().HTTPRoutes(w.ns).Get(suiteCtx, "podinfo", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(hr.Spec.ParentRefs).To(HaveLen(1))
		Expect(string(*hr.Spec.ParentRefs[0].Kind)).To(Equal("Service"))
		Expect(string(hr.Spec.ParentRefs[0].Name)).To(Equal("podinfo"))
		Expect(hr.OwnerReferences).To(HaveLen(1))
		Expect(hr.OwnerReferences[0].Kind).To(Equal("Canary"))
		Expect(hr.Annotations).To(HaveKeyWithValue("kustomize.toolkit.fluxcd.io/reconcile", "disabled"))

		By("not rewriting the route the API server defaulted on idle ticks")
		before := hr.ResourceVersion
		tick()
		tick()
		hr, err = gateways.GatewayV1().HTTPRoutes(w.ns).Get(suiteCtx, "podinfo", metav1.GetOptions{})
		Expect(err).NotTo(HaveOccurred())
		Expect(hr.ResourceVersion).To(Equal(before))
	})
})
