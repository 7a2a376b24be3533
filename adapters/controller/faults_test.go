package controller_test

import (
	"errors"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/log"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// fault is what the injector does to one request.
type fault int

const (
	noFault       fault = iota
	conflict            // 409 Conflict, as on a stale resourceVersion (writes only)
	serverError         // 500 InternalError
	timeoutBefore       // the client times out before the server saw the request
	timeoutAfter        // the server applied the request, the client timed out on the answer
)

func (f fault) String() string {
	return [...]string{"none", "409", "500", "timeout-before", "timeout-after"}[f]
}

// injector answers a seeded share of the requests of the clients built
// from its config with a fault instead of the API server's answer. Event
// writes and watches pass untouched: client-go's event broadcaster retries
// a failed Event write 12 times 10 s apart, and the reconciler does not
// watch.
type injector struct {
	mu       sync.Mutex
	rnd      *rand.Rand
	share    float64
	requests int
	injected map[fault]int
	// splitWritesLost counts TrafficSplit writes applied but answered
	// with a timeout.
	splitWritesLost int
}

func newInjector(seed uint64, share float64) *injector {
	return &injector{rnd: rand.New(rand.NewPCG(seed, seed^0x5eed)), share: share, injected: map[fault]int{}}
}

// config is cfg with every transport wrapped by the injector.
func (in *injector) config(cfg *rest.Config) *rest.Config {
	c := rest.CopyConfig(cfg)
	c.WrapTransport = func(next http.RoundTripper) http.RoundTripper { return &faultyTransport{in: in, next: next} }
	return c
}

// pick draws the fault for one request: writes may get any fault,
// reads a 500 or a timeout.
func (in *injector) pick(req *http.Request) fault {
	if strings.Contains(req.URL.Path, "/events") || req.URL.Query().Get("watch") == "true" {
		return noFault
	}
	in.mu.Lock()
	defer in.mu.Unlock()
	in.requests++
	if in.rnd.Float64() >= in.share {
		return noFault
	}
	f := []fault{serverError, timeoutBefore}[in.rnd.IntN(2)]
	switch req.Method {
	case http.MethodPut, http.MethodPatch:
		f = []fault{conflict, serverError, timeoutBefore, timeoutAfter}[in.rnd.IntN(4)]
	case http.MethodPost, http.MethodDelete:
		f = []fault{serverError, timeoutBefore, timeoutAfter}[in.rnd.IntN(3)]
	}
	in.injected[f]++
	if f == timeoutAfter && strings.Contains(req.URL.Path, "/trafficsplits/") {
		in.splitWritesLost++
	}
	return f
}

func (in *injector) lostSplitWrites() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	return in.splitWritesLost
}

func (in *injector) faulted() int {
	in.mu.Lock()
	defer in.mu.Unlock()
	n := 0
	for _, c := range in.injected {
		n += c
	}
	return n
}

func (in *injector) summary() string {
	in.mu.Lock()
	defer in.mu.Unlock()
	total := 0
	var parts []string
	for _, f := range []fault{conflict, serverError, timeoutBefore, timeoutAfter} {
		total += in.injected[f]
		parts = append(parts, fmt.Sprintf("%s=%d", f, in.injected[f]))
	}
	return fmt.Sprintf("%d of %d requests faulted (%s)", total, in.requests, strings.Join(parts, " "))
}

type faultyTransport struct {
	in   *injector
	next http.RoundTripper
}

var errInjectedTimeout = errors.New("injected: context deadline exceeded (Client.Timeout exceeded while awaiting headers)")

func (t *faultyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	switch f := t.in.pick(req); f {
	case conflict:
		return statusResponse(req, http.StatusConflict, "Conflict", "injected: the object has been modified; please apply your changes to the latest version and try again"), nil
	case serverError:
		return statusResponse(req, http.StatusInternalServerError, "InternalError", "injected: etcdserver: request timed out"), nil
	case timeoutBefore:
		if req.Body != nil {
			_ = req.Body.Close()
		}
		return nil, errInjectedTimeout
	case timeoutAfter:
		resp, err := t.next.RoundTrip(req)
		if err == nil {
			_, _ = io.Copy(io.Discard, resp.Body)
			_ = resp.Body.Close()
		}
		return nil, errInjectedTimeout
	}
	return t.next.RoundTrip(req)
}

// statusResponse is the API server's metav1.Status answer with the code.
func statusResponse(req *http.Request, code int, reason, msg string) *http.Response {
	if req.Body != nil {
		_ = req.Body.Close()
	}
	body := fmt.Sprintf(`{"kind":"Status","apiVersion":"v1","metadata":{},"status":"Failure","message":%q,"reason":%q,"code":%d}`,
		msg, reason, code)
	return &http.Response{
		StatusCode: code, Status: fmt.Sprintf("%d %s", code, http.StatusText(code)),
		Header: http.Header{"Content-Type": {"application/json"}},
		Body:   io.NopCloser(strings.NewReader(body)), ContentLength: int64(len(body)),
		Proto: "HTTP/1.1", ProtoMajor: 1, ProtoMinor: 1, Request: req,
	}
}

// faultyWorld is a world whose reconciler talks to the API server only
// through the injector; the test's own clients and the kubelet do not.
type faultyWorld struct {
	*world
	in         *injector
	reconciles int
	failures   int
}

func newFaultyWorld(seed uint64, share float64) *faultyWorld {
	w := newWorld(40 * time.Second)
	in := newInjector(seed, share)
	c := in.config(cfg)
	faulty, err := client.New(c, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	rec, err := controller.NewWithClients(controller.Clients{Client: faulty, Reader: faulty, Config: c}, controller.Options{
		MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090", SelectorLabels: []string{"app"},
		ConfigTracking: true, Clock: w.clock, Metrics: w.metrics, Log: log.Log,
	})
	Expect(err).NotTo(HaveOccurred())
	w.rec = rec
	return &faultyWorld{world: w, in: in}
}

// reconcileRetries is how often a failed reconcile is retried at the same
// instant, as controller-runtime's rate limiter does within milliseconds.
const reconcileRetries = 5

// tick plays one analysis interval as world.tick does, but a reconcile
// that fails is retried, and the invariants are checked afterwards.
func (w *faultyWorld) tick(cd *v1.Canary) {
	ctx := suiteCtx
	Expect(w.kubelet.Sync(ctx, w.clock.Now())).To(Succeed())
	key := types.NamespacedName{Namespace: cd.Namespace, Name: cd.Name}
	for range reconcileRetries {
		w.reconciles++
		if _, err := w.rec.Reconcile(ctx, ctrl.Request{NamespacedName: key}); err == nil {
			break
		}
		w.failures++
	}
	Expect(w.kubelet.Sync(ctx, w.clock.Now())).To(Succeed())
	w.checkInvariants(cd)
	w.clock.Step(cd.GetAnalysisInterval())
}

// checkInvariants asserts what must hold after every tick: the split has
// both backends and weights summing to 100, and a primary that takes
// traffic has replicas. It records the canary weight as world.tick does.
func (w *faultyWorld) checkInvariants(cd *v1.Canary) {
	ts, err := splits.SplitV1alpha2().TrafficSplits(cd.Namespace).Get(suiteCtx, cd.GetServiceNames().Apex, metav1.GetOptions{})
	if err != nil {
		return // not created yet
	}
	Expect(ts.Spec.Backends).To(HaveLen(2))
	Expect(ts.Spec.Backends[0].Service).To(Equal(cd.GetServiceNames().Canary))
	Expect(ts.Spec.Backends[1].Service).To(Equal(cd.GetServiceNames().Primary))
	Expect(ts.Spec.Backends[0].Weight + ts.Spec.Backends[1].Weight).To(Equal(100))
	if ts.Spec.Backends[1].Weight > 0 {
		var primary appsv1.Deployment
		Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: cd.Namespace, Name: cd.GetPrimaryName()}, &primary)).To(Succeed())
		Expect(*primary.Spec.Replicas).To(BeNumerically(">", 0), "the primary takes traffic")
	}
	c := ts.Spec.Backends[0].Weight
	if len(w.weights) == 0 || w.weights[len(w.weights)-1] != c {
		w.weights = append(w.weights, c)
	}
}

// tickUntil ticks until the canary reaches one of the phases, at most n times.
func (w *faultyWorld) tickUntil(cd *v1.Canary, n int, phases ...v1.CanaryPhase) {
	for range n {
		w.tick(cd)
		if slices.Contains(phases, w.canary(cd.Name).Status.Phase) {
			return
		}
	}
	got := w.canary(cd.Name)
	Expect(got.Status.Phase).To(BeElementOf(phases), "events %q\nstatus %+v\n%s", messages(w.events(cd.Name, 0)), got.Status, w.in.summary())
}

// setImage changes the image of the world's podinfo Deployment.
func (w *world) setImage(image string) {
	var dep appsv1.Deployment
	Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &dep)).To(Succeed())
	dep.Spec.Template.Spec.Containers[0].Image = image
	Expect(k8s.Update(suiteCtx, &dep)).To(Succeed())
}

// faultSeeds are the seeds each faulted rollout runs with: one by
// default, 25 with FLEDGE_RELIABILITY=full.
func faultSeeds() []uint64 {
	n := 1
	if os.Getenv("FLEDGE_RELIABILITY") == "full" {
		n = 25
	}
	seeds := make([]uint64, n)
	for i := range seeds {
		seeds[i] = uint64(i + 1)
	}
	return seeds
}

// faultShare is the share of the reconciler's requests that fail.
var faultShare = func() float64 {
	var f float64
	if _, err := fmt.Sscan(os.Getenv("FLEDGE_FAULT_SHARE"), &f); err == nil {
		return f
	}
	return 0.05
}()

var _ = Describe("API faults: 409, 500 and timeouts on a share of the controller's requests", func() {
	report := func(w *faultyWorld, what string) {
		line := fmt.Sprintf("%s: %s; %d reconciles, %d failed", what, w.in.summary(), w.reconciles, w.failures)
		AddReportEntry("faults", line)
		fmt.Fprintln(GinkgoWriter, line)
	}

	for _, seed := range faultSeeds() {
		It(fmt.Sprintf("promotes 6.0.1 as without faults (seed %d)", seed), func() {
			w := newFaultyWorld(seed, faultShare)
			cd := w.tutorialCanary()
			Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
			w.tickUntil(cd, 100, v1.PhaseInitialized)
			boot := w.bootEvents()
			w.setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
			w.tickUntil(cd, 200, v1.PhaseSucceeded, v1.PhaseFailed)
			report(w, fmt.Sprintf("promotion seed %d", seed))
			got := w.canary("podinfo")
			Expect(got.Status.Phase).To(Equal(v1.PhaseSucceeded))
			Expect(got.Status.CanaryWeight).To(BeZero())
			Expect(w.weights).To(Equal([]int{0, 5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 0}))
			want := withoutFaultNoise(append(boot, renamespace(expectedEvents("tutorial-promote"), w.ns)...))
			w.expectEvents(want)
			var primary appsv1.Deployment
			Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo-primary"}, &primary)).To(Succeed())
			Expect(primary.Spec.Template.Spec.Containers[0].Image).To(Equal("ghcr.io/stefanprodan/podinfo:6.0.1"))
			Expect(w.in.faulted()).To(BeNumerically(">", 0), "the injector faulted nothing")
		})

		It(fmt.Sprintf("rolls 6.0.2 back on 500s and latency as without faults (seed %d)", seed), func() {
			w := newFaultyWorld(seed, faultShare)
			cd := w.tutorialCanary()
			Expect(k8s.Create(suiteCtx, cd)).To(Succeed())
			w.tickUntil(cd, 100, v1.PhaseInitialized)
			boot := w.bootEvents()
			w.setImage("ghcr.io/stefanprodan/podinfo:6.0.2")
			// The tutorial's bad values, one per failed check once the
			// canary is at 15%: what the check sees does not depend on
			// how many ticks the faults cost.
			bad := [][2]float64{{69.17, 50}, {61.39, 50}, {55.06, 50}, {100, 1200}, {100, 1450}}
			for range 200 {
				st := w.canary("podinfo").Status
				fmt.Fprintf(GinkgoWriter, "TRACE phase=%s status.weight=%d failed=%d split=%v\n", st.Phase, st.CanaryWeight, st.FailedChecks, w.weights)
				if st.Phase == v1.PhaseFailed {
					break
				}
				if st.CanaryWeight == 15 || (len(w.weights) > 0 && w.weights[len(w.weights)-1] == 15) {
					v := bad[min(st.FailedChecks, len(bad)-1)]
					w.metrics.set(v1.BuiltinSuccessRate, v[0])
					w.metrics.set(v1.BuiltinDuration, v[1])
				}
				w.tick(cd)
			}
			report(w, fmt.Sprintf("rollback seed %d", seed))
			got := w.canary("podinfo")
			Expect(got.Status.Phase).To(Equal(v1.PhaseFailed), "events: %q", messages(w.events("podinfo", 0)))
			Expect(got.Status.CanaryWeight).To(BeZero())
			Expect(w.weights).To(Equal([]int{0, 5, 10, 15, 0}))
			want := withoutFaultNoise(append(boot, tutorialRollbackEvents(w.ns)...))
			w.expectEvents(want)
			var canary appsv1.Deployment
			Expect(k8s.Get(suiteCtx, types.NamespacedName{Namespace: w.ns, Name: "podinfo"}, &canary)).To(Succeed())
			Expect(*canary.Spec.Replicas).To(BeZero(), "the canary is scaled to zero")
			Expect(w.in.faulted()).To(BeNumerically(">", 0), "the injector faulted nothing")
		})
	}
})

// expectEvents asserts the canary's events are want, but for the
// Advance events of the TrafficSplit writes the server applied while the
// controller saw a timeout: the tick reports the error, and the next one
// takes the weight from the TrafficSplit without recording an Advance
// (core/engine's resumeWeight), so at most that many Advance events may
// be missing.
func (w *faultyWorld) expectEvents(want []string) {
	got := withoutFaultNoise(messages(w.events("podinfo", len(want)-w.in.lostSplitWrites())))
	var kept []string
	missing := 0
	for _, m := range want {
		if strings.HasPrefix(m, "Advance ") && !slices.Contains(got, m) {
			missing++
			continue
		}
		kept = append(kept, m)
	}
	Expect(missing).To(BeNumerically("<=", w.in.lostSplitWrites()), "Advance events missing: got %q", got)
	Expect(got).To(Equal(kept))
	if missing > 0 {
		AddReportEntry("faults", fmt.Sprintf("%s: %d Advance event(s) lost to applied TrafficSplit writes that timed out", w.ns, missing))
	}
}

// tutorialRollbackEvents are the events of the tutorial's rollback of
// 6.0.2 without the readiness waits (which depend on where a tick lands
// against the rollout); the fault-free spec in controller_test.go adds its
// one wait.
func tutorialRollbackEvents(ns string) []string {
	return []string{
		"New revision detected! Scaling up podinfo." + ns,
		"Starting canary analysis for podinfo." + ns,
		"Pre-rollout check acceptance-test passed",
		"Advance podinfo." + ns + " canary weight 5",
		"Advance podinfo." + ns + " canary weight 10",
		"Advance podinfo." + ns + " canary weight 15",
		"Halt podinfo." + ns + " advancement success rate 69.17% < 99%",
		"Halt podinfo." + ns + " advancement success rate 61.39% < 99%",
		"Halt podinfo." + ns + " advancement success rate 55.06% < 99%",
		"Halt podinfo." + ns + " advancement request duration 1.2s > 500ms",
		"Halt podinfo." + ns + " advancement request duration 1.45s > 500ms",
		"Rolling back podinfo." + ns + " failed checks threshold reached 5",
		"Canary failed! Scaling down podinfo." + ns,
	}
}

// withoutFaultNoise is an event sequence as Kubernetes keeps it (asDescribed)
// without what the faults legitimately change: the Warnings that report
// an injected fault (a tick that meets an API error records it and ends,
// as in Flagger), and the readiness waits ("... not ready: waiting for
// rollout to finish: ..."), which report the kubelet's progress at the
// instant of a tick, an instant that the ticks lost to faults move.
func withoutFaultNoise(msgs []string) []string {
	var out []string
	for _, m := range msgs {
		if !strings.Contains(m, "injected: ") && !strings.Contains(m, " not ready: waiting for rollout to finish: ") {
			out = append(out, m)
		}
	}
	return kubetest.AsDescribed(out)
}
