package controller_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"slices"
	"sort"
	"strconv"
	"sync"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/cluster"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// scripted answers metric queries with values set by the test, by metric.
type scripted struct {
	mu     sync.Mutex
	values map[string]float64
}

func (s *scripted) set(metric string, v float64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.values[metric] = v
}

func (s *scripted) Query(_ context.Context, q engine.Query) (float64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.values[q.Metric]
	if !ok {
		return 0, engine.ErrNoValues
	}
	return v, nil
}

func (s *scripted) Available(context.Context, engine.Source) error { return nil }

// world is one test's namespace with the tutorial's podinfo, a reconciler
// driven by a fake clock, a kubelet and a load tester.
type world struct {
	ns         string
	rec        *controller.Reconciler
	clock      *clocktesting.FakeClock
	kubelet    *cluster.Kubelet
	metrics    *scripted
	loadtester *httptest.Server
	weights    []int
	// logs, when set before restart, receives the reconciler's log lines
	// (console encoding: messages as written).
	logs *lockedBuffer
}

var worlds int

func newWorld(readyAfter time.Duration) *world {
	worlds++
	w := &world{
		ns:      fmt.Sprintf("test-%d", worlds),
		clock:   clocktesting.NewFakeClock(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)),
		metrics: &scripted{values: map[string]float64{v1.BuiltinSuccessRate: 100, v1.BuiltinDuration: 50}},
	}
	w.loadtester = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
		rw.WriteHeader(http.StatusOK)
	}))
	DeferCleanup(w.loadtester.Close)
	ctx := suiteCtx
	Expect(k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: w.ns}})).To(Succeed())
	dep := kubetest.Deployment()
	dep.Namespace = w.ns
	Expect(k8s.Create(ctx, dep)).To(Succeed())
	hpa := kubetest.HPA()
	hpa.Namespace = w.ns
	one := int32(1)
	// Scaled up from zero to 1 replica, as Flagger's readiness line shows
	// (docs/flagger-compatibility.md, Readiness).
	hpa.Spec.MinReplicas = &one
	Expect(k8s.Create(ctx, hpa)).To(Succeed())
	w.restart()
	w.kubelet = cluster.NewKubelet(kube, w.ns, readyAfter)
	return w
}

// restart replaces the reconciler by a new one, as a restarted controller
// process would start: no schedule, no memory of the canaries.
func (w *world) restart() {
	rec, err := controller.NewWithClients(controller.Clients{Client: k8s, Reader: k8s, Config: cfg}, controller.Options{
		MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", SelectorLabels: []string{"app"},
		ConfigTracking: true, Clock: w.clock, Metrics: w.metrics, Log: w.logger(),
	})
	Expect(err).NotTo(HaveOccurred())
	w.rec = rec
}

func (w *world) logger() logr.Logger {
	if w.logs == nil {
		return log.Log
	}
	return zap.New(zap.WriteTo(w.logs), zap.ConsoleEncoder())
}

// tutorialCanary is scenarios/manifests/podinfo-canary.yaml in the world's
// namespace, its webhooks pointed at the test's load tester.
func (w *world) tutorialCanary() *v1.Canary {
	return w.canaryFrom("podinfo-canary.yaml")
}

// tick plays one analysis interval: the kubelet catches up, the
// reconciler runs, the kubelet sees its changes, the clock moves on.
func (w *world) tick(cd *v1.Canary) {
	ctx := suiteCtx
	Expect(w.kubelet.Sync(ctx, w.clock.Now())).To(Succeed())
	key := types.NamespacedName{Namespace: cd.Namespace, Name: cd.Name}
	_, err := w.rec.Reconcile(ctx, ctrl.Request{NamespacedName: key})
	Expect(err).NotTo(HaveOccurred())
	Expect(w.kubelet.Sync(ctx, w.clock.Now())).To(Succeed())
	if ts, err := splits.SplitV1alpha2().TrafficSplits(cd.Namespace).Get(ctx, cd.GetServiceNames().Apex, metav1.GetOptions{}); err == nil {
		c := ts.Spec.Backends[0].Weight
		if len(w.weights) == 0 || w.weights[len(w.weights)-1] != c {
			w.weights = append(w.weights, c)
		}
	}
	w.clock.Step(cd.GetAnalysisInterval())
}

// canary reads the canary from the API server.
func (w *world) canary(name string) *v1.Canary {
	var cd v1.Canary
	Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: name}, &cd)).To(Succeed())
	return &cd
}

// tickUntil ticks until the canary reaches one of the phases, at most n times.
func (w *world) tickUntil(cd *v1.Canary, n int, phases ...v1.CanaryPhase) {
	for range n {
		w.tick(cd)
		if slices.Contains(phases, w.canary(cd.Name).Status.Phase) {
			return
		}
	}
	Expect(w.canary(cd.Name).Status.Phase).To(BeElementOf(phases))
}

// events are the messages of the canary's Kubernetes Events, in the order
// they were written, once `want` of them have arrived.
// bootEvents are the podinfo canary's event messages once its
// bootstrap's last one, "Initialization done!", has reached the API server
// (the recorder writes asynchronously).
func (w *world) bootEvents() []string {
	done := "Initialization done! podinfo." + w.ns
	var msgs []string
	Eventually(func() []string {
		msgs = messages(w.events("podinfo", 1))
		return msgs
	}).WithTimeout(10 * time.Second).Should(ContainElement(done))
	return msgs
}

func (w *world) events(name string, want int) []corev1.Event {
	var list corev1.EventList
	Eventually(func() int {
		Expect(k8s.List(suiteCtx, &list, ctrlClientInNamespace(w.ns))).To(Succeed())
		n := 0
		for _, e := range list.Items {
			if e.InvolvedObject.Name == name && e.InvolvedObject.Kind == "Canary" {
				n++
			}
		}
		return n
	}).WithTimeout(10 * time.Second).Should(BeNumerically(">=", want))
	var out []corev1.Event
	for _, e := range list.Items {
		if e.InvolvedObject.Name == name && e.InvolvedObject.Kind == "Canary" {
			out = append(out, e)
		}
	}
	sort.Slice(out, func(i, j int) bool {
		a, _ := strconv.ParseInt(out[i].ResourceVersion, 10, 64)
		b, _ := strconv.ParseInt(out[j].ResourceVersion, 10, 64)
		return a < b
	})
	return out
}

func messages(events []corev1.Event) []string {
	out := make([]string, len(events))
	for i, e := range events {
		out[i] = e.Message
	}
	return out
}
