package main

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/cluster"
)

// tutorialPodinfoURL is the podinfo-canary address in the tutorial's
// webhooks; the test points them at a local stand-in.
const tutorialPodinfoURL = "http://podinfo-canary.test:9898"

// kube is envtest's API server with Flagger's and SMI's CRDs.
type kube struct {
	cfg    *envtest.Environment
	c      client.Client
	kube   kubernetes.Interface
	scheme *runtime.Scheme
}

func startKube(t *testing.T) *kube {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets, _ = filepath.Abs("../../hack/bin/k8s")
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{"../../deploy/crds", "../../adapters/controller/testdata/crds"},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest (run `bash hack/envtest.sh` to build its binaries): %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	scheme := runtime.NewScheme()
	must(t, clientgoscheme.AddToScheme(scheme))
	must(t, v1.AddToScheme(scheme))
	c, err := client.New(cfg, client.Options{Scheme: scheme})
	must(t, err)
	return &kube{cfg: env, c: c, kube: kubernetes.NewForConfigOrDie(cfg), scheme: scheme}
}

// steadyPrometheus answers 1 to the provider check and 100 to every other
// query: a 100% success rate and a 100ms P99, both within the tutorial's
// thresholds. The metrics are not what this test is about.
func steadyPrometheus(t *testing.T) string {
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		v := 100
		if r.FormValue("query") == "vector(1)" {
			v = 1
		}
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rw, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d,"%d"]}]}}`, time.Now().Unix(), v)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// tutorial is the tutorial's podinfo and Canary in one namespace, the
// controller's reconciler on a fake clock ticking it, its webhooks pointed
// at a fledge-loadtester process and their commands at a podinfo stand-in.
type tutorial struct {
	t       *testing.T
	k       *kube
	ns      string
	rec     *controller.Reconciler
	clock   *clocktesting.FakeClock
	kubelet *cluster.Kubelet
	cd      *v1.Canary
}

func newTutorial(t *testing.T, k *kube, ns, loadtesterURL, podinfoURL, promURL string) *tutorial {
	t.Helper()
	ctx := context.Background()
	tu := &tutorial{t: t, k: k, ns: ns, clock: clocktesting.NewFakeClock(time.Now())}
	must(t, k.c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	dep := kubetest.Deployment()
	dep.Namespace = ns
	must(t, k.c.Create(ctx, dep))
	hpa := kubetest.HPA()
	hpa.Namespace = ns
	must(t, k.c.Create(ctx, hpa))
	rec, err := controller.NewWithClients(
		controller.Clients{Client: k.c, Reader: k.c, Config: k.cfg.Config},
		controller.Options{MeshProvider: v1.ProviderOSM, MetricsServer: promURL, SelectorLabels: []string{"app"},
			ConfigTracking: true, Clock: tu.clock, Log: testr.New(t)})
	must(t, err)
	tu.rec = rec
	tu.kubelet = cluster.NewKubelet(k.kube, ns, 5*time.Second)
	tu.cd = tutorialCanary(t, ns, loadtesterURL, podinfoURL)
	must(t, k.c.Create(ctx, tu.cd))
	return tu
}

// tutorialCanary is scenarios/manifests/podinfo-canary.yaml (the
// tutorial's Canary) in namespace ns, ticking every 10s (the shortest
// interval), the webhooks' URL and commands pointed at local servers.
func tutorialCanary(t *testing.T, ns, loadtesterURL, podinfoURL string) *v1.Canary {
	t.Helper()
	data, err := os.ReadFile("../../scenarios/manifests/podinfo-canary.yaml")
	must(t, err)
	m, err := v1.Decode(data)
	must(t, err)
	cd := &m.Canaries[0]
	cd.Namespace = ns
	cd.Spec.Analysis.Interval = "10s"
	hooks := cd.Spec.Analysis.Webhooks
	if len(hooks) != 2 || hooks[0].URL != "http://flagger-loadtester.test/" || hooks[1].Metadata == nil ||
		!strings.Contains((*hooks[1].Metadata)["cmd"], tutorialPodinfoURL) {
		t.Fatalf("the tutorial's webhooks changed: %+v", hooks)
	}
	for i := range hooks {
		hooks[i].URL = loadtesterURL + "/"
		meta := *hooks[i].Metadata
		meta["cmd"] = strings.ReplaceAll(meta["cmd"], tutorialPodinfoURL, podinfoURL)
	}
	return cd
}

// tick plays one analysis interval: the kubelet catches up, the
// reconciler runs at the fake clock's time, the clock moves on.
func (tu *tutorial) tick() {
	tu.t.Helper()
	ctx := context.Background()
	must(tu.t, tu.kubelet.Sync(ctx, tu.clock.Now()))
	_, err := tu.rec.Reconcile(ctx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: tu.ns, Name: tu.cd.Name}})
	must(tu.t, err)
	must(tu.t, tu.kubelet.Sync(ctx, tu.clock.Now()))
	tu.clock.Step(tu.cd.GetAnalysisInterval())
}

func (tu *tutorial) canary() *v1.Canary {
	tu.t.Helper()
	var cd v1.Canary
	must(tu.t, tu.k.c.Get(context.Background(), types.NamespacedName{Namespace: tu.ns, Name: tu.cd.Name}, &cd))
	return &cd
}

// tickUntil ticks until the canary is in phase, at most n times.
func (tu *tutorial) tickUntil(n int, phases ...v1.CanaryPhase) v1.CanaryPhase {
	tu.t.Helper()
	for range n {
		tu.tick()
		got := tu.canary().Status.Phase
		for _, p := range phases {
			if got == p {
				return got
			}
		}
	}
	tu.t.Fatalf("canary is %s after %d ticks, want one of %v", tu.canary().Status.Phase, n, phases)
	return ""
}

func (tu *tutorial) setImage(image string) {
	tu.t.Helper()
	ctx := context.Background()
	var dep appsv1.Deployment
	must(tu.t, tu.k.c.Get(ctx, types.NamespacedName{Namespace: tu.ns, Name: "podinfo"}, &dep))
	dep.Spec.Template.Spec.Containers[0].Image = image
	must(tu.t, tu.k.c.Update(ctx, &dep))
}

// events are the canary's Event messages in the order they were written,
// once one contains substr (the recorder writes them asynchronously), or
// after 20s.
func (tu *tutorial) events(substr string) []string {
	tu.t.Helper()
	for deadline := time.Now().Add(20 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var list corev1.EventList
		must(tu.t, tu.k.c.List(context.Background(), &list, client.InNamespace(tu.ns)))
		sort.Slice(list.Items, func(i, j int) bool {
			a, _ := strconv.ParseInt(list.Items[i].ResourceVersion, 10, 64)
			b, _ := strconv.ParseInt(list.Items[j].ResourceVersion, 10, 64)
			return a < b
		})
		var out []string
		found := false
		for _, e := range list.Items {
			if e.InvolvedObject.Kind == "Canary" && e.InvolvedObject.Name == tu.cd.Name {
				out = append(out, e.Message)
				found = found || strings.Contains(e.Message, substr)
			}
		}
		if found || time.Now().After(deadline) {
			return out
		}
	}
}

func containsEvent(events []string, substr string) bool {
	for _, e := range events {
		if strings.Contains(e, substr) {
			return true
		}
	}
	return false
}

// TestTutorialPromotion runs the OSM tutorial's Canary, unchanged but for
// its addresses and a 10s interval, with Fledge's controller calling a
// fledge-loadtester process over HTTP: the acceptance-test's `curl | grep
// token` runs as a bash task, the load-test's hey load reaches podinfo
// from the first analysis tick and is started once however often the
// controller calls. Without a token the acceptance test fails and the
// canary is rolled back before any load; without -allow-bash the
// controller's events say what to do.
func TestTutorialPromotion(t *testing.T) {
	k := startKube(t)
	prom := steadyPrometheus(t)
	withBash := startLoadtester(t, "-allow-bash")
	withoutBash := startLoadtester(t)
	tests := map[string]struct {
		lt           *process
		brokenToken  bool
		phase        v1.CanaryPhase
		event        string
		loadStarted  string
		tokensServed bool
	}{
		"promoted": {lt: withBash, phase: v1.PhaseSucceeded, event: "Pre-rollout check acceptance-test passed",
			loadStarted: "1", tokensServed: true},
		"no token, rolled back": {lt: withBash, brokenToken: true, phase: v1.PhaseFailed,
			event: "pre-rollout check acceptance-test failed POST " + withBash.base + "/ giving up after 1 attempt(s): 500: command curl -sd 'test' "},
		"no -allow-bash, rolled back": {lt: withoutBash, phase: v1.PhaseFailed,
			event: "pre-rollout check acceptance-test failed bash tasks need a shell, and shell commands are disabled: start fledge-loadtester with -allow-bash"},
	}
	i := 0
	for name, tc := range tests {
		i++
		t.Run(name, func(t *testing.T) {
			pod := newPodinfo(t)
			pod.broken.Store(tc.brokenToken)
			ns := fmt.Sprintf("tutorial-%d", i)
			tu := newTutorial(t, k, ns, tc.lt.base, pod.srv.URL, prom)
			tu.tickUntil(5, v1.PhaseInitialized)
			tu.setImage("ghcr.io/stefanprodan/podinfo:6.0.1")
			if got := tu.tickUntil(40, v1.PhaseSucceeded, v1.PhaseFailed); got != tc.phase {
				t.Errorf("canary %s, want %s", got, tc.phase)
			}
			events := tu.events(tc.event)
			if !containsEvent(events, tc.event) {
				t.Errorf("no event with %q in:\n  %s", tc.event, strings.Join(events, "\n  "))
			}
			canary := fmt.Sprintf(`canary="podinfo.%s",type="hey"`, ns)
			if got := tc.lt.metric(t, "fledge_loadtester_tasks_started_total{"+canary+"}"); got != tc.loadStarted {
				t.Errorf("hey tasks started %q, want %q", got, tc.loadStarted)
			}
			if tc.phase == v1.PhaseSucceeded {
				checkLoad(t, tc.lt, pod, canary)
			}
			if got := pod.tokens.Load() > 0; got != tc.tokensServed {
				t.Errorf("podinfo served a token: %v, want %v", got, tc.tokensServed)
			}
		})
	}
}

// checkLoad: the rollout hook, called on every analysis tick, started one
// hey task and skipped the others; its load reached podinfo and the
// metrics.
func checkLoad(t *testing.T, lt *process, pod *podinfo, canary string) {
	t.Helper()
	skipped, _ := strconv.Atoi(lt.metric(t, "fledge_loadtester_tasks_skipped_total{"+canary+"}"))
	if skipped < 5 {
		t.Errorf("hey tasks skipped %d, want the rollout hook's other calls (at least 5 of the 10 steps)", skipped)
	}
	waitUntil(t, "the hey load to reach podinfo", func() bool { return pod.hits.Load() > 0 })
	requests := strings.Replace(canary, `,type="hey"`, `,code="200"`, 1)
	waitUntil(t, "the load in the metrics", func() bool {
		n, _ := strconv.Atoi(lt.metric(t, "fledge_loadtester_requests_total{"+requests+"}"))
		return n > 0
	})
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
