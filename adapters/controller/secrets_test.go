package controller_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"go.uber.org/zap/zapcore"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/prometheus/promtest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// plantedCreds are the values of the Secrets the metric templates use;
// none may appear in any output of the controller, in any form (they hold
// characters JSON, URL and HTML encoders change).
var plantedCreds = promtest.Credentials{
	Token: `k8sPlanted/Tok3n+9f8e&<7d6c>"q`, Username: "plantedUser<&>4b3a", Password: `plantedPassw0rd/2d1c"+z`,
}

// lockedBuffer is a log sink safe for the reconciler's goroutines.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *lockedBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *lockedBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// echoingPrometheus answers each request with the next of promtest's
// servers that send the request's credentials back, in turn, and counts
// the requests that carried them.
type echoingPrometheus struct {
	mu     sync.Mutex
	n      int
	faults []promtest.Fault
	bearer int
	basic  int
}

func (p *echoingPrometheus) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	p.mu.Lock()
	f := p.faults[p.n%len(p.faults)]
	p.n++
	switch r.Header.Get("Authorization") {
	case "Bearer " + plantedCreds.Token:
		p.bearer++
	case "Basic " + plantedCreds.Basic():
		p.basic++
	}
	p.mu.Unlock()
	f.Handler.ServeHTTP(w, r)
}

func (p *echoingPrometheus) requests() (total, bearer, basic int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.n, p.bearer, p.basic
}

// secretTemplate creates a Secret with a bearer token and a
// MetricTemplate using it, at the address.
func secretTemplate(ns, address string) {
	Expect(k8s.Create(suiteCtx, &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "prom-auth"}, Data: map[string][]byte{"token": []byte(plantedCreds.Token)},
	})).To(Succeed())
	Expect(k8s.Create(suiteCtx, &v1.MetricTemplate{
		ObjectMeta: metav1.ObjectMeta{Namespace: ns, Name: "errors"},
		Spec: v1.MetricTemplateSpec{
			Provider: v1.MetricTemplateProvider{Type: "prometheus", Address: address, SecretRef: &v1.SecretReference{Name: "prom-auth"}},
			Query:    `sum(rate(osm_request_total{destination_namespace="{{ namespace }}",response_code=~"5.."}[{{ interval }}]))`,
		},
	})).To(Succeed())
}

// switchToBasicAuth replaces the Secret's token by a username and password.
func switchToBasicAuth(ns string) {
	var sec corev1.Secret
	Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: ns, Name: "prom-auth"}, &sec)).To(Succeed())
	sec.Data = map[string][]byte{"username": []byte(plantedCreds.Username), "password": []byte(plantedCreds.Password)}
	Expect(k8s.Update(suiteCtx, &sec)).To(Succeed())
}

// leaks lists the planted values, or 8-character pieces of them, and the
// encoded forms of the values that the text holds. (Pieces of an encoded
// form would be mostly escape sequences that "<redacted>" has too.)
func leaks(what, text string) []string {
	var out []string
	for _, v := range plantedCreds.Values() {
		for i := 0; i+8 <= len(v); i++ {
			if strings.Contains(text, v[i:i+8]) {
				out = append(out, what+": "+v[i:i+8]+" of "+v)
				break
			}
		}
	}
	for _, v := range plantedCreds.Forms() {
		if strings.Contains(text, v) {
			out = append(out, what+": "+v)
		}
	}
	return out
}

var _ = Describe("secrets of metric templates", func() {
	It("appear in no log line, Event, Canary status or /metrics sample while Prometheus echoes them back", func() {
		prom := &echoingPrometheus{faults: promtest.EchoFaults()}
		srv := httptest.NewServer(prom)
		DeferCleanup(srv.Close)
		w := newWorld(5 * time.Second)
		secretTemplate(w.ns, srv.URL)

		logs := &lockedBuffer{}
		reg := prometheus.NewRegistry()
		rec, err := controller.NewWithClients(controller.Clients{Client: k8s, Reader: k8s, Config: cfg}, controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: srv.URL, SelectorLabels: []string{"app"}, Clock: w.clock,
			Log: zap.New(zap.WriteTo(logs), zap.Level(zapcore.DebugLevel)), Registry: reg,
		})
		Expect(err).NotTo(HaveOccurred())
		w.rec = rec

		cd := w.tutorialCanary()
		maxErrors := 1.0
		cd.Spec.Analysis.Metrics = []v1.CanaryMetric{{Name: "errors", TemplateRef: &v1.CrossNamespaceObjectReference{Name: "errors"},
			Interval: "1m", ThresholdRange: &v1.CanaryThresholdRange{Max: &maxErrors}}}
		// Enough failed checks for every echoing server to answer each
		// kind of credential at least once.
		threshold := 2*len(prom.faults) + 2
		cd.Spec.Analysis.Threshold = threshold
		Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
		w.tickUntil(cd, 10, v1.PhaseInitialized)
		w.setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
		switched := false
		for range 3 * threshold {
			st := w.canary("podinfo").Status
			if st.Phase == v1.PhaseFailed || st.Phase == v1.PhaseSucceeded {
				break
			}
			if !switched && st.FailedChecks >= threshold/2 {
				switchToBasicAuth(w.ns)
				switched = true
			}
			w.tick(cd)
		}
		Expect(w.canary("podinfo").Status.Phase).To(Equal(v1.PhaseFailed), "never promoted on failed queries")

		total, bearer, basic := prom.requests()
		Expect(bearer+basic).To(Equal(total), "every query carried a planted credential")
		Expect(bearer).To(BeNumerically(">=", len(prom.faults)), "every echoing server saw the token")
		Expect(basic).To(BeNumerically(">=", len(prom.faults)), "every echoing server saw the password")

		events := messages(w.events("podinfo", 5))
		fmt.Fprintf(GinkgoWriter, "events:\n%s\n", strings.Join(events, "\n"))
		Expect(strings.Join(events, "\n")).To(ContainSubstring("<redacted>"), "the echoes reached the events, redacted")
		status, err := json.Marshal(w.canary("podinfo"))
		Expect(err).NotTo(HaveOccurred())
		metrics := httptest.NewRecorder()
		promhttp.HandlerFor(reg, promhttp.HandlerOpts{}).ServeHTTP(metrics, httptest.NewRequest(http.MethodGet, "/metrics", nil))
		Expect(metrics.Body.String()).To(ContainSubstring("flagger_canary_status"))
		Expect(logs.String()).To(ContainSubstring("<redacted>"))

		Expect(leaks("probe", "…"+plantedCreds.Basic()[5:13]+"…")).NotTo(BeEmpty(), "the detector finds a piece of a value")
		var found []string
		found = append(found, leaks("logs", logs.String())...)
		found = append(found, leaks("events", strings.Join(allEventTexts(w.ns), "\n"))...)
		found = append(found, leaks("canary", string(status))...)
		found = append(found, leaks("/metrics", metrics.Body.String())...)
		Expect(found).To(BeEmpty())
	})
})

// allEventTexts are every text field of every Event in the namespace.
func allEventTexts(ns string) []string {
	var list corev1.EventList
	Expect(k8s.List(suiteCtx, &list, ctrlClientInNamespace(ns))).To(Succeed())
	var out []string
	for _, e := range list.Items {
		data, err := json.Marshal(e)
		Expect(err).NotTo(HaveOccurred())
		out = append(out, string(data))
	}
	return out
}
