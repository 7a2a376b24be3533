//go:build unix

package e2e

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/go-logr/logr/funcr"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	clocktesting "k8s.io/utils/clock/testing"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	smiclient "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/cluster"
)

// kubeEnv is envtest's kube-apiserver and etcd with Flagger's CRDs and
// OSM's TrafficSplit CRD, as in adapters/controller's suite.
type kubeEnv struct {
	cfg    *rest.Config
	k8s    client.Client
	kube   kubernetes.Interface
	splits smiclient.Interface
	scheme *runtime.Scheme
}

// envtestAssets finds the envtest binaries: KUBEBUILDER_ASSETS, else
// hack/bin/k8s (built by hack/envtest.sh).
func envtestAssets() (string, error) {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir, nil
	}
	dir, err := filepath.Abs(filepath.Join(repoRoot, "hack", "bin", "k8s"))
	if err != nil {
		return "", err
	}
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		return "", fmt.Errorf("no envtest binaries: run `bash hack/envtest.sh` (make test does) or set KUBEBUILDER_ASSETS: %w", err)
	}
	return dir, nil
}

// startKube starts envtest; the caller stops it with the returned func.
func startKube() (*kubeEnv, func() error, error) {
	assets, err := envtestAssets()
	if err != nil {
		return nil, nil, err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, nil, err
	}
	if err := v1.AddToScheme(scheme); err != nil {
		return nil, nil, err
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths: []string{
			filepath.Join(repoRoot, "deploy", "crds"),
			filepath.Join(repoRoot, "adapters", "controller", "testdata", "crds"),
		},
		ErrorIfCRDPathMissing: true,
	}
	cfg, err := env.Start()
	if err != nil {
		return nil, nil, fmt.Errorf("starting envtest: %w", err)
	}
	k8s, err := client.New(cfg, client.Options{Scheme: scheme})
	if err != nil {
		_ = env.Stop()
		return nil, nil, err
	}
	return &kubeEnv{
		cfg: cfg, k8s: k8s, scheme: scheme,
		kube:   kubernetes.NewForConfigOrDie(cfg),
		splits: smiclient.NewForConfigOrDie(cfg),
	}, env.Stop, nil
}

// world is one namespace with the tutorial's podinfo, a reconciler on a
// fake clock whose metrics come from a real Prometheus, a kubelet and a
// load tester.
type world struct {
	t       *testing.T
	env     *kubeEnv
	ns      string
	rec     *controller.Reconciler
	clock   *clocktesting.FakeClock
	kubelet *cluster.Kubelet
	hooks   *httptest.Server
	weights []int
	logs    *logBuffer
}

// newWorld creates namespace ns with podinfo's Deployment and HPA and a
// reconciler whose builtin metrics server is metricsServer (Options.Metrics
// nil: the real Prometheus adapter).
func newWorld(t *testing.T, env *kubeEnv, ns, metricsServer string, clockStart time.Time) *world {
	t.Helper()
	ctx := context.Background()
	w := &world{t: t, env: env, ns: ns, clock: clocktesting.NewFakeClock(clockStart), logs: &logBuffer{}}
	w.hooks = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, _ *http.Request) { rw.WriteHeader(http.StatusOK) }))
	t.Cleanup(w.hooks.Close)
	must(t, env.k8s.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}))
	dep := kubetest.Deployment()
	dep.Namespace = ns
	must(t, env.k8s.Create(ctx, dep))
	hpa := kubetest.HPA()
	hpa.Namespace = ns
	one := int32(1)
	hpa.Spec.MinReplicas = &one
	must(t, env.k8s.Create(ctx, hpa))
	rec, err := controller.NewWithClients(
		controller.Clients{Client: env.k8s, Reader: env.k8s, Config: env.cfg},
		controller.Options{
			MeshProvider: v1.ProviderOSM, MetricsServer: metricsServer, SelectorLabels: []string{"app"},
			ConfigTracking: true, Clock: w.clock, Log: w.logs.logger(),
		})
	must(t, err)
	w.rec = rec
	w.kubelet = cluster.NewKubelet(env.kube, ns, 5*time.Second)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("controller log of %s:\n%s", ns, w.logs)
		}
	})
	return w
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// tutorialCanary is scenarios/manifests/podinfo-canary.yaml in the world's
// namespace, ticking every 10s (the shortest interval), both builtin
// metrics over 30s, its webhooks pointed at the world's load tester.
func (w *world) tutorialCanary() *v1.Canary {
	data, err := os.ReadFile(filepath.Join(repoRoot, "scenarios", "manifests", "podinfo-canary.yaml"))
	must(w.t, err)
	m, err := v1.Decode(data)
	must(w.t, err)
	cd := &m.Canaries[0]
	cd.Namespace = w.ns
	cd.Spec.Analysis.Interval = "10s"
	for i := range cd.Spec.Analysis.Metrics {
		cd.Spec.Analysis.Metrics[i].Interval = "30s"
	}
	for i := range cd.Spec.Analysis.Webhooks {
		cd.Spec.Analysis.Webhooks[i].URL = w.hooks.URL + "/"
	}
	return cd
}

// tick plays one analysis interval, as adapters/controller's suite does:
// the kubelet catches up, the reconciler runs at the fake clock's time, the
// kubelet sees its changes, the weights are noted, the clock moves on.
func (w *world) tick(cd *v1.Canary) {
	w.t.Helper()
	ctx := context.Background()
	must(w.t, w.kubelet.Sync(ctx, w.clock.Now()))
	_, err := w.rec.Reconcile(ctx, ctrl.Request{NamespacedName: types.NamespacedName{Namespace: cd.Namespace, Name: cd.Name}})
	must(w.t, err)
	must(w.t, w.kubelet.Sync(ctx, w.clock.Now()))
	if ts, err := w.env.splits.SplitV1alpha2().TrafficSplits(cd.Namespace).Get(ctx, cd.GetServiceNames().Apex, metav1.GetOptions{}); err == nil {
		c := ts.Spec.Backends[0].Weight
		if len(w.weights) == 0 || w.weights[len(w.weights)-1] != c {
			w.weights = append(w.weights, c)
		}
	}
	w.clock.Step(cd.GetAnalysisInterval())
}

// canary reads the canary from the API server.
func (w *world) canary(name string) *v1.Canary {
	w.t.Helper()
	var cd v1.Canary
	must(w.t, w.env.k8s.Get(context.Background(), types.NamespacedName{Namespace: w.ns, Name: name}, &cd))
	return &cd
}

// tickUntil ticks until the canary reaches one of the phases, at most n
// times; before each tick it calls before (when not nil).
func (w *world) tickUntil(cd *v1.Canary, n int, before func(*v1.Canary), phases ...v1.CanaryPhase) {
	w.t.Helper()
	for range n {
		if before != nil {
			before(w.canary(cd.Name))
		}
		w.tick(cd)
		if slices.Contains(phases, w.canary(cd.Name).Status.Phase) {
			return
		}
	}
	w.t.Fatalf("canary %s.%s is %s after %d ticks, want one of %v", cd.Name, w.ns, w.canary(cd.Name).Status.Phase, n, phases)
}

// setImage changes the target's image: a new revision.
func (w *world) setImage(image string) {
	w.t.Helper()
	ctx := context.Background()
	var dep appsv1.Deployment
	must(w.t, w.env.k8s.Get(ctx, types.NamespacedName{Namespace: w.ns, Name: target}, &dep))
	dep.Spec.Template.Spec.Containers[0].Image = image
	must(w.t, w.env.k8s.Update(ctx, &dep))
}

// events are the messages of the canary's Events in the order they were
// written, once `want` of them contain `substr`, or after 10s.
func (w *world) events(name string, want int, substr string) []string {
	w.t.Helper()
	var out []string
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(100 * time.Millisecond) {
		var list corev1.EventList
		must(w.t, w.env.k8s.List(context.Background(), &list, client.InNamespace(w.ns)))
		var mine []corev1.Event
		for _, e := range list.Items {
			if e.InvolvedObject.Name == name && e.InvolvedObject.Kind == "Canary" {
				mine = append(mine, e)
			}
		}
		sort.Slice(mine, func(i, j int) bool {
			a, _ := strconv.ParseInt(mine[i].ResourceVersion, 10, 64)
			b, _ := strconv.ParseInt(mine[j].ResourceVersion, 10, 64)
			return a < b
		})
		out = out[:0]
		n := 0
		for _, e := range mine {
			out = append(out, e.Message)
			if strings.Contains(e.Message, substr) {
				n++
			}
		}
		if n >= want || time.Now().After(deadline) {
			return out
		}
	}
}

// logBuffer keeps the controller's log, shown when the test fails.
type logBuffer struct {
	mu    sync.Mutex
	lines []string
}

func (b *logBuffer) logger() logr.Logger {
	return funcr.New(func(prefix, args string) {
		b.mu.Lock()
		defer b.mu.Unlock()
		b.lines = append(b.lines, strings.TrimSpace(prefix+" "+args))
	}, funcr.Options{})
}

func (b *logBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return strings.Join(b.lines, "\n")
}
