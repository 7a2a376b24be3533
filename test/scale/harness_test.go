package scale

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"runtime/pprof"
	"sort"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/labels"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	appslisters "k8s.io/client-go/listers/apps/v1"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
	"k8s.io/utils/clock"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	ctrlcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/config"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	"github.com/fledge-canary/fledge/adapters/kubecache"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/cluster"
)

// interval is the canaries' analysis interval: FLEDGE_SCALE_INTERVAL,
// default 10s.
var interval = envDuration("FLEDGE_SCALE_INTERVAL", 10*time.Second)

// The controller's client rate limits and reconcile workers
// (FLEDGE_SCALE_QPS, FLEDGE_SCALE_BURST, FLEDGE_SCALE_WORKERS; default the
// production flags'), and the length of the fixed measurement windows
// (FLEDGE_SCALE_WINDOW, default 40s).
var (
	ctrlQPS     = envInt("FLEDGE_SCALE_QPS", prodQPS)
	ctrlBurst   = envInt("FLEDGE_SCALE_BURST", prodBurst)
	ctrlWorkers = envInt("FLEDGE_SCALE_WORKERS", controller.DefaultWorkers)
	benchWindow = envDuration("FLEDGE_SCALE_WINDOW", 40*time.Second)
)

// The production controller's client settings (cmd/fledge-controller flags).
const (
	prodQPS     = 200
	prodBurst   = 400
	readyAfter  = 2 * time.Second
	image       = "ghcr.io/stefanprodan/podinfo:6.0.0"
	nextImage   = "ghcr.io/stefanprodan/podinfo:6.0.1"
	canaryGroup = "canaries.flagger.app"
)

// ---------------------------------------------------------------------------
// Environment knobs.

func envInt(name string, def int) int {
	if s := os.Getenv(name); s != "" {
		if v, err := strconv.Atoi(s); err == nil {
			return v
		}
	}
	return def
}

func envDuration(name string, def time.Duration) time.Duration {
	if s := os.Getenv(name); s != "" {
		if v, err := time.ParseDuration(s); err == nil {
			return v
		}
	}
	return def
}

// ---------------------------------------------------------------------------
// Counting the controller's API requests.

// reqKey is one kind of API request.
type reqKey struct {
	Verb     string // get, list, watch, create, update, patch, delete
	Resource string // resource.group[/subresource], or the path of a non-resource URL
	Code     int    // HTTP status; 0 when the round trip failed
}

func (k reqKey) write() bool {
	switch k.Verb {
	case "create", "update", "patch", "delete", "deletecollection":
		return true
	}
	return false
}

// counter counts requests by kind; it is the RoundTripper's shared state.
type counter struct {
	mu     sync.Mutex
	counts map[reqKey]int
	rtt    time.Duration // summed round trips, watches excluded
}

func newCounter() *counter { return &counter{counts: map[reqKey]int{}} }

func (c *counter) add(k reqKey, rtt time.Duration) {
	c.mu.Lock()
	c.counts[k]++
	if k.Verb != "watch" {
		c.rtt += rtt
	}
	c.mu.Unlock()
}

func (c *counter) roundTrips() time.Duration {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.rtt
}

// countingTransport counts every request of the controller's clients.
type countingTransport struct {
	next http.RoundTripper
	c    *counter
}

func (t *countingTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	start := time.Now()
	resp, err := t.next.RoundTrip(req) // until the response headers
	rtt := time.Since(start)
	k := classify(req.Method, req.URL)
	if err == nil {
		k.Code = resp.StatusCode
	}
	t.c.add(k, rtt)
	return resp, err
}

// classify names a request the way the API server's audit log does: verb
// and resource.group/subresource.
func classify(method string, u *url.URL) reqKey {
	segs := strings.Split(strings.Trim(u.Path, "/"), "/")
	var group string
	var rest []string
	switch {
	case len(segs) >= 2 && segs[0] == "api":
		rest = segs[2:]
	case len(segs) >= 3 && segs[0] == "apis":
		group, rest = segs[1], segs[3:]
	default:
		return reqKey{Verb: strings.ToLower(method), Resource: u.Path}
	}
	if len(rest) >= 3 && rest[0] == "namespaces" {
		rest = rest[2:] // namespaced resource
	}
	if len(rest) == 0 {
		return reqKey{Verb: strings.ToLower(method), Resource: u.Path}
	}
	resource := rest[0]
	if group != "" {
		resource += "." + group
	}
	named := len(rest) >= 2
	if len(rest) >= 3 {
		resource += "/" + rest[2]
	}
	verb := strings.ToLower(method)
	switch method {
	case http.MethodGet:
		switch {
		case named:
			verb = "get"
		case u.Query().Get("watch") == "true" || u.Query().Get("watch") == "1":
			verb = "watch"
		default:
			verb = "list"
		}
	case http.MethodPost:
		verb = "create"
	case http.MethodPut:
		verb = "update"
	case http.MethodPatch:
		verb = "patch"
	case http.MethodDelete:
		verb = "delete"
		if !named {
			verb = "deletecollection"
		}
	}
	return reqKey{Verb: verb, Resource: resource}
}

// ---------------------------------------------------------------------------
// Ticks.

// tickClock is the real clock that remembers when ticks started: the
// reconciler calls Since(start) once per tick, to time it, and nowhere else.
type tickClock struct {
	clock.RealClock
	mu     sync.Mutex
	starts []time.Time
}

func (c *tickClock) Since(t time.Time) time.Duration {
	c.mu.Lock()
	c.starts = append(c.starts, t)
	c.mu.Unlock()
	return time.Since(t)
}

// between are the starts of the ticks in [from, to).
func (c *tickClock) between(from, to time.Time) []time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	var out []time.Time
	for _, t := range c.starts {
		if !t.Before(from) && t.Before(to) {
			out = append(out, t)
		}
	}
	return out
}

// tickStats are the per-canary tick counts and total tick seconds from the
// reconciler's flagger_canary_duration_seconds histogram.
type tickStats struct {
	count          map[string]uint64 // namespace/name → ticks
	seconds        float64
	lagged, onTime uint64 // ticks the lag histogram counted, and those on time
}

// onTimeIntervals is how late, in intervals, a tick may run and be on
// time.
const onTimeIntervals = 0.1

// lagWithin reads the lag histogram: the ticks it counted, and those at
// most within intervals late.
func lagWithin(mf *dto.MetricFamily, within float64) (total, onTime uint64) {
	for _, m := range mf.GetMetric() {
		total += m.GetHistogram().GetSampleCount()
		for _, b := range m.GetHistogram().GetBucket() {
			if b.GetUpperBound() == within {
				onTime += b.GetCumulativeCount()
			}
		}
	}
	return total, onTime
}

func gatherTicks(mfs []*dto.MetricFamily) tickStats {
	st := tickStats{count: map[string]uint64{}}
	for _, mf := range mfs {
		if mf.GetName() == "fledge_canary_tick_lag_intervals" {
			st.lagged, st.onTime = lagWithin(mf, onTimeIntervals)
			continue
		}
		if mf.GetName() != "flagger_canary_duration_seconds" {
			continue
		}
		for _, m := range mf.GetMetric() {
			var name, ns string
			for _, l := range m.GetLabel() {
				switch l.GetName() {
				case "name":
					name = l.GetValue()
				case "namespace":
					ns = l.GetValue()
				}
			}
			st.count[ns+"/"+name] = m.GetHistogram().GetSampleCount()
			st.seconds += m.GetHistogram().GetSampleSum()
		}
	}
	return st
}

// limiterWait is the seconds client-go spent in its client-side rate
// limiters, over every client of the process (the harness's clients wait on
// nothing: envtest's QPS is 1000, so it is the controller's).

func init() {
	ctrlmetrics.RegisterRESTClientMetrics(ctrlmetrics.MetricRateLimiterLatency)
}

func limiterWait(mfs []*dto.MetricFamily) float64 {
	var w float64
	for _, mf := range mfs {
		if mf.GetName() == "rest_client_rate_limiter_duration_seconds" {
			for _, m := range mf.GetMetric() {
				w += m.GetHistogram().GetSampleSum()
			}
		}
	}
	return w
}

// ---------------------------------------------------------------------------
// Process figures.

// cpuSelf is this process's user+system CPU time: the controller, its
// informers and the harness (the API server and etcd are child processes).
func cpuSelf() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuChildren is the CPU time of this process's live children but the
// kubelet and the controller (envtest's kube-apiserver and etcd).
func cpuChildren(kubelet, controller int) time.Duration {
	self := os.Getpid()
	dirs, _ := filepath.Glob("/proc/[0-9]*/stat")
	var total time.Duration
	for _, p := range dirs {
		pid, _ := strconv.Atoi(strings.Split(p, "/")[2])
		if cpu, ppid, ok := procCPU(pid); ok && ppid == self && pid != kubelet && pid != controller {
			total += cpu
		}
	}
	return total
}

// procCPU is the CPU time and parent of a process, from /proc/<pid>/stat,
// assuming USER_HZ=100.
func procCPU(pid int) (cpu time.Duration, ppid int, ok bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return 0, 0, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return 0, 0, false
	}
	f := strings.Fields(s[i+1:]) // f[0] is field 3 (state)
	if len(f) < 13 {
		return 0, 0, false
	}
	ppid, _ = strconv.Atoi(f[1])
	ut, _ := strconv.ParseInt(f[11], 10, 64)
	st, _ := strconv.ParseInt(f[12], 10, 64)
	return time.Duration(ut+st) * (time.Second / 100), ppid, true
}

// rssMB is VmRSS from /proc/<pid>/status, in MiB, and of it the
// anonymous memory (the heap, stacks) and the mapped files (the binary).
func rssMB(pid int) (rss, anon, file float64) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, 0
	}
	defer f.Close()
	fields := map[string]*float64{"VmRSS:": &rss, "RssAnon:": &anon, "RssFile:": &file}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		fs := strings.Fields(sc.Text())
		if v, ok := fields[fs[0]]; ok && len(fs) > 1 {
			kb, _ := strconv.ParseFloat(fs[1], 64)
			*v = kb / 1024
		}
	}
	return rss, anon, file
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return "?"
	}
	return strings.TrimSpace(string(b))
}

// ---------------------------------------------------------------------------
// The kubelet: sim/cluster's Kubelet per namespace, driven by a Deployment
// informer on the harness's (uncounted) client.

type kubelets struct {
	kube   kubernetes.Interface
	lister appslisters.DeploymentLister
	mu     sync.Mutex
	byNS   map[string]*cluster.Kubelet
	queue  workqueue.TypedDelayingInterface[string]
}

func startKubelets(ctx context.Context, kube kubernetes.Interface, workers int) *kubelets {
	k := &kubelets{kube: kube, byNS: map[string]*cluster.Kubelet{}, queue: workqueue.NewTypedDelayingQueue[string]()}
	// Stripped of managedFields, as the controller's caches are: the
	// harness shares the process's memory with the controller.
	factory := informers.NewSharedInformerFactoryWithOptions(kube, 0, informers.WithTransform(ctrlcache.TransformStripManagedFields()))
	inf := factory.Apps().V1().Deployments().Informer()
	k.lister = factory.Apps().V1().Deployments().Lister()
	enqueue := func(obj any) {
		if d, ok := obj.(*appsv1.Deployment); ok {
			k.queue.Add(d.Namespace)
		}
	}
	_, _ = inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
		AddFunc:    enqueue,
		UpdateFunc: func(_, obj any) { enqueue(obj) },
	})
	factory.Start(ctx.Done())
	for range workers {
		go k.work(ctx)
	}
	go func() { <-ctx.Done(); k.queue.ShutDown() }()
	return k
}

func (k *kubelets) of(ns string) *cluster.Kubelet {
	k.mu.Lock()
	defer k.mu.Unlock()
	kl := k.byNS[ns]
	if kl == nil {
		kl = cluster.NewKubelet(k.kube, ns, readyAfter)
		kl.ListWith(func() ([]appsv1.Deployment, error) {
			cached, err := k.lister.Deployments(ns).List(labels.Everything())
			items := make([]appsv1.Deployment, len(cached))
			for i, d := range cached {
				d.DeepCopyInto(&items[i])
			}
			return items, err
		})
		k.byNS[ns] = kl
	}
	return kl
}

func (k *kubelets) work(ctx context.Context) {
	for {
		ns, shutdown := k.queue.Get()
		if shutdown {
			return
		}
		kl := k.of(ns)
		now := time.Now()
		if err := kl.Sync(ctx, now); err != nil {
			if ctx.Err() == nil {
				k.queue.AddAfter(ns, 200*time.Millisecond) // a conflict with the controller's write
			}
		} else if next := kl.Next(now); !next.IsZero() {
			k.queue.AddAfter(ns, next.Sub(now)+10*time.Millisecond)
		}
		k.queue.Done(ns)
	}
}

// ---------------------------------------------------------------------------
// The environment.

type harness struct {
	tb      testing.TB
	n       int
	ctx     context.Context
	cancel  context.CancelFunc
	env     *envtest.Environment
	admin   client.Client        // uncounted, envtest's QPS
	phase   client.Reader        // the canaries' phases, from a watch (watchPhases)
	kube    kubernetes.Interface // uncounted
	counter *counter
	clock   *tickClock
	reg     *prometheus.Registry
	mgrDone chan error
	logPath string
	audit   *auditLog
	kubelet *os.Process        // the simulated kubelet, out of the measured process
	proc    *controllerProcess // the controller, when it runs as a child process
}

func name(i int) (ns, n string) { return fmt.Sprintf("scale-%04d", i), fmt.Sprintf("podinfo-%04d", i) }

func assets(tb testing.TB) string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "hack", "bin", "k8s"))
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		tb.Skip("no envtest binaries: run `bash hack/envtest.sh` or set KUBEBUILDER_ASSETS")
	}
	return dir
}

// startHarness starts envtest with a /16 service range, creates n
// namespaces with a ready podinfo-like Deployment each and their canaries,
// then starts the controller, in a child process or in this one (mode,
// see controllerMode).
func startHarness(tb testing.TB, n int, mode string) *harness {
	h := &harness{tb: tb, n: n, counter: newCounter(), clock: &tickClock{}, reg: prometheus.NewRegistry()}
	h.ctx, h.cancel = context.WithCancel(context.Background())
	scheme := kruntime.NewScheme()
	must(tb, clientgoscheme.AddToScheme(scheme))
	must(tb, v1.AddToScheme(scheme))
	h.env = &envtest.Environment{
		BinaryAssetsDirectory: assets(tb),
		CRDDirectoryPaths: []string{
			filepath.Join("..", "..", "deploy", "crds"),
			filepath.Join("..", "..", "adapters", "controller", "testdata", "crds"),
		},
		ErrorIfCRDPathMissing: true,
	}
	// envtest's default /24 holds about 85 canaries' Services (3 each).
	apiFlags := h.env.ControlPlane.GetAPIServer().Configure().Set("service-cluster-ip-range", "10.0.0.0/16")
	audit, auditFlags, err := newAuditLog(tb.TempDir())
	must(tb, err)
	for k, v := range auditFlags {
		apiFlags.Set(k, v)
	}
	h.audit = audit
	start := time.Now()
	cfg, err := h.env.Start()
	must(tb, err)
	tb.Cleanup(h.stop)
	logf(tb, "envtest started in %s (load %s)", time.Since(start).Round(time.Millisecond), loadavg())

	h.admin, err = client.New(cfg, client.Options{Scheme: scheme})
	must(tb, err)
	protoConfig := rest.CopyConfig(cfg)
	protoConfig.ContentType = kruntime.ContentTypeProtobuf
	h.kube = kubernetes.NewForConfigOrDie(protoConfig)
	h.phase, err = watchPhases(h.ctx, cfg)
	must(tb, err)
	h.kubelet = startKubeletProcess(h.ctx, tb, h.env)

	start = time.Now()
	h.parallel(func(i int) error {
		ns, nm := name(i)
		if err := h.admin.Create(h.ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}}); err != nil {
			return err
		}
		return h.admin.Create(h.ctx, deployment(ns, nm))
	})
	h.waitDeploymentsReady(n)
	h.parallel(func(i int) error { return h.admin.Create(h.ctx, canary(name(i))) })
	logf(tb, "created %d namespaces, ready Deployments and Canaries in %s", n, time.Since(start).Round(time.Millisecond))

	user, err := h.env.AddUser(envtest.User{Name: controllerUser, Groups: []string{"system:masters"}}, nil)
	must(tb, err)
	switch mode {
	case "binary":
		h.proc, h.logPath = startControllerBinary(h.ctx, tb, user)
	case "in-process":
		h.startController(user.Config(), scheme)
	default:
		tb.Fatalf("FLEDGE_SCALE_CONTROLLER=%q: want binary or in-process", mode)
	}
	return h
}

func deployment(ns, nm string) *appsv1.Deployment {
	return kubetest.Deployment(func(d *appsv1.Deployment) {
		d.Name, d.Namespace = nm, ns
		labels := map[string]string{"app": nm}
		d.Labels = labels
		d.Spec.Selector = &metav1.LabelSelector{MatchLabels: map[string]string{"app": nm}}
		d.Spec.Template.Labels = map[string]string{"app": nm}
		d.Spec.Replicas = ptr.To[int32](1)
	}, kubetest.WithImage(image))
}

// canary is the tutorial's canary without autoscaler, metrics or webhooks,
// with a 10s interval: it needs no Prometheus and no load tester.
func canary(ns, nm string) *v1.Canary {
	return kubetest.Canary(kubetest.WithoutAutoscaler, func(cd *v1.Canary) {
		cd.Name, cd.Namespace, cd.UID = nm, ns, ""
		cd.Spec.TargetRef.Name = nm
		cd.Spec.Analysis.Interval = interval.String()
		cd.Spec.Analysis.Metrics, cd.Spec.Analysis.Webhooks = nil, nil
	})
}

// startController runs the production wiring (cmd/fledge-controller's
// manager and cache options, controller.New, SetupWithManager) over cfg,
// the controller user's, whose requests the API server's audit log
// records; a RoundTripper also times them.
func (h *harness) startController(cfg *rest.Config, scheme *kruntime.Scheme) {
	ccfg := rest.CopyConfig(cfg)
	ccfg.QPS, ccfg.Burst = float32(ctrlQPS), ctrlBurst
	ccfg.UserAgent = "fledge-controller/scale-test"
	ccfg.Wrap(func(rt http.RoundTripper) http.RoundTripper { return &countingTransport{next: rt, c: h.counter} })

	logFile, err := os.Create(filepath.Join(h.tb.TempDir(), "controller.log"))
	must(h.tb, err)
	h.tb.Cleanup(func() { _ = logFile.Close() })
	h.logPath = logFile.Name()
	log := zap.New(zap.JSONEncoder(), zap.WriteTo(logFile)) // production: JSON, debug level
	ctrl.SetLogger(log)

	var cacheOpts ctrlcache.Options
	kubecache.SetCacheOptions(&cacheOpts)
	mgr, err := ctrl.NewManager(ccfg, ctrl.Options{
		Scheme:                 scheme,
		Cache:                  cacheOpts,
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: "0",
		Controller:             config.Controller{SkipNameValidation: ptr.To(true)},
	})
	must(h.tb, err)
	rec, err := controller.New(mgr, controller.Options{
		MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090",
		SelectorLabels: []string{"app", "name", "app.kubernetes.io/name"}, ConfigTracking: true,
		Version: "scale-test", Log: log, Registry: h.reg, Clock: h.clock,
		Metrics: noMetrics{}, CheckSharedReads: h.checkSharedReads(),
	})
	must(h.tb, err)
	must(h.tb, rec.SetupWithManager(mgr, ctrlWorkers))
	h.mgrDone = make(chan error, 1)
	go func() { h.mgrDone <- mgr.Start(h.ctx) }()
}

// noMetrics is the metrics port of canaries without metrics: never called.
type noMetrics struct{}

func (noMetrics) Query(context.Context, engine.Query) (float64, error) {
	return 0, fmt.Errorf("scale test: unexpected metric query")
}
func (noMetrics) Available(context.Context, engine.Source) error { return nil }

func (h *harness) stop() {
	h.cancel()
	if h.mgrDone != nil {
		select {
		case err := <-h.mgrDone:
			if err != nil {
				h.tb.Logf("manager: %v", err)
			}
		case <-time.After(30 * time.Second):
			h.tb.Log("manager did not stop in 30s")
		}
	}
	if err := h.env.Stop(); err != nil {
		h.tb.Logf("stopping envtest: %v", err)
	}
}

// parallel runs f for 0..n-1 on 16 goroutines and fails on the first error.
func (h *harness) parallel(f func(i int) error) {
	var wg sync.WaitGroup
	errs := make(chan error, h.n)
	next := make(chan int)
	for range 16 {
		wg.Go(func() {
			for i := range next {
				if err := f(i); err != nil {
					errs <- err
				}
			}
		})
	}
	for i := range h.n {
		next <- i
	}
	close(next)
	wg.Wait()
	close(errs)
	for err := range errs {
		h.tb.Fatal(err)
	}
}

func (h *harness) waitDeploymentsReady(n int) {
	deadline := time.Now().Add(5 * time.Minute)
	for {
		var list appsv1.DeploymentList
		must(h.tb, h.admin.List(h.ctx, &list))
		ready := 0
		for _, d := range list.Items {
			if d.Status.ReadyReplicas == 1 && d.Status.ObservedGeneration == d.Generation {
				ready++
			}
		}
		if ready >= n {
			return
		}
		if time.Now().After(deadline) {
			h.tb.Fatalf("only %d of %d Deployments ready after 5m", ready, n)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// waitPhase waits until every canary is in phase: the window's length is
// known to a quarter of a second.
func (h *harness) waitPhase(tb testing.TB, phase v1.CanaryPhase, timeout time.Duration) time.Duration {
	start := time.Now()
	last := time.Time{}
	for {
		ph := h.phases(tb)
		if ph[phase] == h.n {
			return time.Since(start)
		}
		if time.Since(start) > timeout {
			tb.Fatalf("after %s: phases %v, want all %d %s", timeout, ph, h.n, phase)
		}
		if time.Since(last) > 30*time.Second {
			logf(tb, "  %s: phases %v", time.Since(start).Round(time.Second), ph)
			last = time.Now()
		}
		time.Sleep(250 * time.Millisecond) // a count of the harness's own cache
	}
}

// settle waits until the controller has made no request for quiet (the
// Events of the last initialisations are sent in the background): its
// user's audit log stops growing.
func (h *harness) settle(quiet, limit time.Duration) {
	start := time.Now()
	w, since := h.audit.offset(), time.Now()
	for time.Since(start) < limit {
		time.Sleep(250 * time.Millisecond)
		if now := h.audit.offset(); now != w {
			w, since = now, time.Now()
		} else if time.Since(since) >= quiet {
			return
		}
	}
}

// ---------------------------------------------------------------------------
// A measured window.

type result struct {
	label            string
	n                int
	window           time.Duration
	ticks            int     // from the duration histogram
	tickStarts       int     // from the clock
	ticked           int     // canaries that ticked at least once
	minTicks         uint64  // fewest ticks of one canary
	tickSeconds      float64 // wall time inside ticks
	limiter, rtt     float64 // seconds waiting for the client-side rate limiter, in round trips
	cpu, apiCPU      time.Duration
	kubeletCPU       time.Duration // the simulated kubelet's process
	requests         map[reqKey]int
	total, writes    int // counted at the API server, watches apart
	watches          int
	lagged, onTime   uint64 // ticks with a due time, and those run within a tenth of an interval of it
	statusWrites     int
	rss, heap        float64
	allocs, bytes    float64 // allocated by the controller's process during the window
	rssAnon, rssFile float64
	goroutines       int
	spread           []int // tick starts by second of the interval
	loadBefore, end  string
	binary           bool // the controller ran in its own process
	said             said // the controller's log lines by shape
}

func (r result) perTick(v float64) float64 {
	if r.ticks == 0 {
		return 0
	}
	return v / float64(r.ticks)
}

func (r result) cpuMsPerTick() float64 { return r.perTick(float64(r.cpu) / float64(time.Millisecond)) }
func (r result) apiCPUMsPerTick() float64 {
	return r.perTick(float64(r.apiCPU) / float64(time.Millisecond))
}

// onTimePercent is the share of ticks that ran within a tenth of an
// interval of their due time (100 when none was due).
func (r result) onTimePercent() float64 {
	if r.lagged == 0 {
		return 100
	}
	return 100 * float64(r.onTime) / float64(r.lagged)
}

func (r result) ticksPerSecond() float64 { return float64(r.ticks) / r.window.Seconds() }

// peakToMean is the busiest second's ticks over the mean second's: 1 when
// the ticks spread evenly over the interval, 10 when they all fall in one
// second of a 10s interval.
func (r result) peakToMean() float64 {
	total, peak := 0, 0
	for _, c := range r.spread {
		total += c
		peak = max(peak, c)
	}
	if total == 0 {
		return 0
	}
	return float64(peak) / (float64(total) / float64(len(r.spread)))
}

// gather is the controller's metric families: scraped from its process,
// or this process's registries.
func (h *harness) gather(tb testing.TB) []*dto.MetricFamily {
	if h.proc != nil {
		mfs, err := h.proc.gather()
		must(tb, err)
		return mfs
	}
	mfs, err := h.reg.Gather()
	must(tb, err)
	rest, err := ctrlmetrics.Registry.Gather()
	must(tb, err)
	return append(mfs, rest...)
}

// controllerPID is the process the controller runs in.
func (h *harness) controllerPID() int {
	if h.proc != nil {
		return h.proc.proc.Pid
	}
	return os.Getpid()
}

// controllerCPU is the CPU time of the controller's process.
func (h *harness) controllerCPU() time.Duration {
	if h.proc != nil {
		cpu, _, _ := procCPU(h.proc.proc.Pid)
		return cpu
	}
	return cpuSelf()
}

// controllerAllocs is how many heap objects and bytes the controller's
// process has allocated so far: unlike its CPU time, a figure the
// machine's load does not change.
func (h *harness) controllerAllocs(mfs []*dto.MetricFamily) (allocs, bytes float64) {
	if h.proc != nil {
		return metricValue(mfs, "go_memstats_mallocs_total"), metricValue(mfs, "go_memstats_alloc_bytes_total")
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.Mallocs), float64(ms.TotalAlloc)
}

// controllerHeap is the Go heap in use, in MiB, and the goroutines of the
// controller's process.
func (h *harness) controllerHeap(mfs []*dto.MetricFamily) (float64, int) {
	if h.proc != nil {
		return metricValue(mfs, "go_memstats_heap_inuse_bytes") / (1 << 20), int(metricValue(mfs, "go_goroutines"))
	}
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return float64(ms.HeapInuse) / (1 << 20), runtime.NumGoroutine()
}

// measure records everything the controller does during window.
func (h *harness) measure(tb testing.TB, label string, window time.Duration) result {
	return h.measureWhile(tb, label, func() { time.Sleep(window) })
}

// measureWhile records everything the controller does while wait runs.
func (h *harness) measureWhile(tb testing.TB, label string, wait func()) result {
	runtime.GC()
	r := result{label: label, n: h.n, loadBefore: loadavg()}
	mfs0 := h.gather(tb)
	allocs0, bytes0 := h.controllerAllocs(mfs0)
	ticks0 := gatherTicks(mfs0)
	audit0, log0 := h.audit.offset(), fileSize(h.logPath)
	lim0, rtt0 := limiterWait(mfs0), h.counter.roundTrips()
	kubeletPID, controllerPID := h.kubelet.Pid, h.controllerPID()
	kubelet0, _, _ := procCPU(kubeletPID)
	cpu0, api0 := h.controllerCPU(), cpuChildren(kubeletPID, controllerPID)
	stopProfile := h.profile(tb, label)
	start := time.Now()

	wait()

	end := time.Now()
	stopProfile()
	cpu1, api1 := h.controllerCPU(), cpuChildren(kubeletPID, controllerPID)
	kubelet1, _, _ := procCPU(kubeletPID)
	r.kubeletCPU = kubelet1 - kubelet0
	requests, err := h.audit.requests(audit0, h.audit.offset())
	must(tb, err)
	r.said, err = readSaid(h.logPath, log0, fileSize(h.logPath))
	must(tb, err)
	mfs1 := h.gather(tb)
	r.limiter, r.rtt = limiterWait(mfs1)-lim0, (h.counter.roundTrips() - rtt0).Seconds()
	ticks1 := gatherTicks(mfs1)
	r.window = end.Sub(start)
	r.end = loadavg()
	r.cpu, r.apiCPU = cpu1-cpu0, api1-api0
	r.rss, r.rssAnon, r.rssFile = rssMB(controllerPID)
	r.heap, r.goroutines = h.controllerHeap(mfs1)
	allocs1, bytes1 := h.controllerAllocs(mfs1)
	r.allocs, r.bytes = allocs1-allocs0, bytes1-bytes0
	r.binary = h.proc != nil

	r.requests = requests
	for k, d := range requests {
		if k.Verb == "watch" {
			r.watches += d // an informer's watch ending: not a tick's
			continue
		}
		r.total += d
		if k.write() {
			r.writes += d
			if k.Resource == canaryGroup+"/status" {
				r.statusWrites += d
			}
		}
	}
	r.minTicks = ^uint64(0)
	for i := range h.n {
		ns, nm := name(i)
		d := ticks1.count[ns+"/"+nm] - ticks0.count[ns+"/"+nm]
		r.ticks += int(d)
		if d > 0 {
			r.ticked++
		}
		r.minTicks = min(r.minTicks, d)
	}
	r.tickSeconds = ticks1.seconds - ticks0.seconds
	r.lagged, r.onTime = ticks1.lagged-ticks0.lagged, ticks1.onTime-ticks0.onTime
	starts := h.clock.between(start, end)
	r.tickStarts = len(starts)
	r.spread = make([]int, int(interval/time.Second))
	for _, t := range starts {
		r.spread[int(time.Duration(t.UnixNano())%interval/time.Second)]++
	}
	return r
}

// checkSharedReads fails a test whose controller changes a cached object
// in place; benchmarks do not check (the check copies every object).
func (h *harness) checkSharedReads() func(string) {
	t, ok := h.tb.(*testing.T)
	if !ok {
		return nil
	}
	return func(what string) { t.Errorf("the controller changed a shared cached object: %s", what) }
}

// profile writes a CPU profile of the window to
// $FLEDGE_SCALE_CPUPROFILE-<first word of label>.pprof when that is set,
// and one of the API server to $FLEDGE_SCALE_APISERVER_CPUPROFILE-<word>.pprof.
func (h *harness) profile(tb testing.TB, label string) func() {
	h.profileAPIServer(tb, label)
	return h.profileController(tb, label)
}

// profileAPIServer profiles the API server, in the background, for
// benchWindow from the window's start, through its /debug/pprof endpoint:
// the measured windows of that length, not the detect and promotion
// windows, which the profile outlasts or falls short of (and a profile
// still running makes the next one fail).
func (h *harness) profileAPIServer(tb testing.TB, label string) {
	prefix := os.Getenv("FLEDGE_SCALE_APISERVER_CPUPROFILE")
	if prefix == "" {
		return
	}
	seconds := int(benchWindow.Seconds())
	path := prefix + "-" + firstWord(label) + ".pprof"
	go func() {
		body, err := h.kube.CoreV1().RESTClient().Get().AbsPath("/debug/pprof/profile").
			Param("seconds", strconv.Itoa(seconds)).DoRaw(h.ctx)
		if err == nil {
			err = os.WriteFile(path, body, 0o600)
		}
		if err != nil {
			tb.Logf("API server cpu profile: %v", err)
			return
		}
		logf(tb, "API server cpu profile of %ds from the start of %q: %s", seconds, label, path)
	}()
}

// firstWord is the first word of a window's label.
func firstWord(label string) string {
	word, _, _ := strings.Cut(label, ":")
	word, _, _ = strings.Cut(word, " ")
	return word
}

// profileController profiles the controller in this process.
func (h *harness) profileController(tb testing.TB, label string) func() {
	prefix := os.Getenv("FLEDGE_SCALE_CPUPROFILE")
	if prefix == "" {
		return func() {}
	}
	if h.proc != nil {
		logf(tb, "FLEDGE_SCALE_CPUPROFILE: the controller runs in its own process; set FLEDGE_SCALE_CONTROLLER=in-process to profile it")
		return func() {}
	}
	word := firstWord(label)
	f, err := os.Create(prefix + "-" + word + ".pprof")
	if err != nil {
		tb.Logf("cpu profile: %v", err)
		return func() {}
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		tb.Logf("cpu profile: %v", err)
		_ = f.Close()
		return func() {}
	}
	writeAllocs(tb, prefix+"-"+word+"-allocs-start.pprof")
	return func() {
		pprof.StopCPUProfile()
		_ = f.Close()
		writeAllocs(tb, prefix+"-"+word+"-allocs-end.pprof")
		logf(tb, "cpu profile of %q: %s; allocations: go tool pprof -sample_index=alloc_space -base %s-%s-allocs-start.pprof %s-%s-allocs-end.pprof",
			label, f.Name(), prefix, word, prefix, word)
	}
}

// writeAllocs writes the process's allocation profile to path.
func writeAllocs(tb testing.TB, path string) {
	f, err := os.Create(path)
	if err != nil {
		tb.Logf("allocation profile: %v", err)
		return
	}
	defer f.Close()
	if err := pprof.Lookup("allocs").WriteTo(f, 0); err != nil {
		tb.Logf("allocation profile: %v", err)
	}
}

// table is the result as a small report.
func (r result) table() string {
	var b strings.Builder
	fmt.Fprintf(&b, "\n=== %s: %d canaries, interval %s, window %s ===\n", r.label, r.n, interval, r.window.Round(time.Millisecond))
	fmt.Fprintf(&b, "load average before %s, after %s; %d CPUs\n", r.loadBefore, r.end, runtime.NumCPU())
	exp := float64(r.n) * r.window.Seconds() / interval.Seconds()
	fmt.Fprintf(&b, "ticks            %d (%.1f/s; %.0f expected at one per canary-interval = %.0f%%); %d canaries ticked, fewest ticks of one canary %d\n",
		r.ticks, r.ticksPerSecond(), exp, 100*float64(r.ticks)/exp, r.ticked, r.minTicks)
	fmt.Fprintf(&b, "on time          %.2f%% of %d ticks ran within %.0f%% of an interval of their due time\n",
		r.onTimePercent(), r.lagged, 100*onTimeIntervals)
	waits := fmt.Sprintf("per tick the controller waited %.2f ms for client-side rate limiters and %.2f ms in API round trips",
		r.perTick(r.limiter*1000), r.perTick(r.rtt*1000))
	if r.binary {
		waits = "rate-limiter waits and API round trips not measured (the controller runs in its own process)"
	}
	fmt.Fprintf(&b, "tick wall time   %.2f ms mean; %s\n"+
		"                 (controller clients: QPS %d, burst %d; %d workers)\n",
		r.perTick(r.tickSeconds*1000), waits,
		ctrlQPS, ctrlBurst, ctrlWorkers)
	where := "test process: the controller, its informers, the harness"
	if r.binary {
		where = "the fledge-controller process"
	}
	fmt.Fprintf(&b, "controller CPU   %.3f s = %.3f ms/tick = %.1f%% of one CPU (%s)\n",
		r.cpu.Seconds(), r.cpuMsPerTick(), 100*r.cpu.Seconds()/r.window.Seconds(), where)
	fmt.Fprintf(&b, "kubelet CPU      %.3f s (the simulated kubelet, in its own process)\n", r.kubeletCPU.Seconds())
	fmt.Fprintf(&b, "apiserver+etcd   %.3f s = %.3f ms/tick = %.1f%% of one CPU\n",
		r.apiCPU.Seconds(), r.apiCPUMsPerTick(), 100*r.apiCPU.Seconds()/r.window.Seconds())
	fmt.Fprintf(&b, "requests         %d = %.2f/tick; writes %d = %.3f/tick; Canary status writes %d; watches ended %d\n"+
		"                 (the API server's audit log of the controller's user)\n",
		r.total, r.perTick(float64(r.total)), r.writes, r.perTick(float64(r.writes)), r.statusWrites, r.watches)
	fmt.Fprintf(&b, "allocated        %.0f objects, %.1f KiB per tick\n", r.perTick(r.allocs), r.perTick(r.bytes)/1024)
	fmt.Fprintf(&b, "memory           RSS %.1f MiB (anonymous %.1f, files %.1f), Go heap in use %.1f MiB, %d goroutines\n",
		r.rss, r.rssAnon, r.rssFile, r.heap, r.goroutines)
	if r.binary {
		fmt.Fprintf(&b, "tick starts by second of the interval: not recorded (FLEDGE_SCALE_CONTROLLER=in-process records them)")
	} else {
		fmt.Fprintf(&b, "tick starts by second of the interval (peak/mean %.2f; 1 = even, %d = one burst):\n  ", r.peakToMean(), len(r.spread))
		for i, c := range r.spread {
			fmt.Fprintf(&b, "%ds:%d ", i, c)
		}
	}
	fmt.Fprintf(&b, "\n%-8s %-40s %5s %8s %9s\n", "verb", "resource", "code", "count", "per tick")
	keys := make([]reqKey, 0, len(r.requests))
	for k := range r.requests {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		if r.requests[keys[i]] != r.requests[keys[j]] {
			return r.requests[keys[i]] > r.requests[keys[j]]
		}
		return fmt.Sprint(keys[i]) < fmt.Sprint(keys[j])
	})
	for _, k := range keys {
		fmt.Fprintf(&b, "%-8s %-40s %5d %8d %9.3f\n", k.Verb, k.Resource, k.Code, r.requests[k], r.perTick(float64(r.requests[k])))
	}
	r.said.top(&b, 12, r.perTick)
	return b.String()
}

// logf logs through tb, or on stdout for benchmarks (a benchmark that has
// sub-benchmarks drops its own log lines, and b.Log truncates to 10 lines).
func logf(tb testing.TB, format string, args ...any) {
	tb.Helper()
	if _, ok := tb.(*testing.B); ok {
		fmt.Printf(format+"\n", args...)
		return
	}
	tb.Logf(format, args...)
}

func must(tb testing.TB, err error) {
	tb.Helper()
	if err != nil {
		tb.Fatal(err)
	}
}
