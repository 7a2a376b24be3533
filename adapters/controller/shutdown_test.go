package controller_test

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr/funcr"
	"k8s.io/apimachinery/pkg/types"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fledge-canary/fledge/adapters/controller"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// slowReceiver is an event webhook that takes a second per event.
type slowReceiver struct {
	begun, finished atomic.Int32
}

func (s *slowReceiver) ServeHTTP(rw http.ResponseWriter, _ *http.Request) {
	s.begun.Add(1)
	time.Sleep(time.Second)
	s.finished.Add(1)
	rw.WriteHeader(http.StatusOK)
}

var _ = Describe("the controller's shutdown", func() {
	It("delivers the event webhooks still queued before the manager returns", func() {
		w := newWorld(5 * time.Second)
		receiver := &slowReceiver{}
		srv := httptest.NewServer(receiver)
		DeferCleanup(srv.Close)
		mgr, err := ctrl.NewManager(cfg, ctrl.Options{
			Scheme: scheme, Metrics: metricsserver.Options{BindAddress: "0"}, HealthProbeBindAddress: "0",
			Cache: cache.Options{DefaultNamespaces: map[string]cache.Config{w.ns: {}}},
		})
		Expect(err).NotTo(HaveOccurred())
		rec, err := controller.New(mgr, controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", SelectorLabels: []string{"app"},
			EventWebhook: srv.URL, Metrics: w.metrics, Log: GinkgoLogr,
		})
		Expect(err).NotTo(HaveOccurred())
		Expect(rec.SetupWithManager(mgr, 1)).To(Succeed())
		ctx, stop := context.WithCancel(suiteCtx)
		defer stop()
		var returned sync.WaitGroup
		returned.Add(1)
		go func() {
			defer GinkgoRecover()
			defer returned.Done()
			Expect(mgr.Start(ctx)).To(Succeed())
		}()
		Expect(k8s.Create(suiteCtx, w.tutorialCanary())).To(Succeed())
		Eventually(receiver.begun.Load).WithTimeout(time.Minute).Should(BeNumerically(">=", 1))
		stop()
		returned.Wait()
		Expect(receiver.finished.Load()).To(Equal(receiver.begun.Load()), "every delivery begun was completed")
		Expect(rec.Close(suiteCtx)).To(Succeed(), "closed once already")
	})

	It("logs failed event webhook deliveries through the controller's logger", func() {
		w := newWorld(5 * time.Second)
		srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) {
			rw.WriteHeader(http.StatusInternalServerError)
		}))
		DeferCleanup(srv.Close)
		var mu sync.Mutex
		var buf bytes.Buffer
		logger := funcr.NewJSON(func(obj string) {
			mu.Lock()
			defer mu.Unlock()
			buf.WriteString(obj + "\n")
		}, funcr.Options{})
		rec, err := controller.NewWithClients(controller.Clients{Client: k8s, Reader: k8s, Config: cfg}, controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", SelectorLabels: []string{"app"},
			EventWebhook: srv.URL, Clock: w.clock, Metrics: w.metrics, Log: logger,
		})
		Expect(err).NotTo(HaveOccurred())
		DeferCleanup(func() { _ = rec.Close(suiteCtx) })
		cd := w.tutorialCanary()
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		_, err = rec.Reconcile(suiteCtx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: w.ns, Name: cd.Name}})
		Expect(err).NotTo(HaveOccurred())
		Eventually(func() string {
			mu.Lock()
			defer mu.Unlock()
			return buf.String()
		}).WithTimeout(30 * time.Second).Should(ContainSubstring("error sending event to webhook"))
	})
})
