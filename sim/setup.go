package sim

import (
	"context"
	"fmt"
	"strings"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	kfake "k8s.io/client-go/kubernetes/fake"

	smifake "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/fake"
	gwfake "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/fake"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/query"
	"github.com/fledge-canary/fledge/sim/cluster"
	"github.com/fledge-canary/fledge/sim/metrics"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// run is one replay in progress.
type run struct {
	l      *scenario.Loaded
	s      *scenario.Scenario
	canary *v1.Canary

	kube      kubernetes.Interface
	kubeFake  *kfake.Clientset
	kubelet   *cluster.Kubelet
	traffic   *traffic.Model
	engine    *engine.Engine
	router    *routeLog
	status    *statusStore
	events    *recorder
	hooks     *loadtester
	metrics   *overrides
	store     *tsdb.Store
	smi       *smifake.Clientset
	gw        *gwfake.Clientset
	faults    *faultState // nil: no faults injected (see faults.go)
	validated *validation // the last generation validated (see validate)
	// weightsCache is nil until cacheReads (see cache.go).
	weightsCache *weightsCache
	// reads are the clients the adapters read through once
	// readThroughCache is called; nil: they read the fakes.
	reads *cluster.Reads

	now, start, nextTick time.Time
	analysed             bool
	// ticked and lastTick are when the engine last ticked (not refused
	// or finalized); changed is set by an action that changed the Canary,
	// which brings a reconcile at once.
	ticked, changed bool
	lastTick        time.Time
	records         []engine.Record
	notes           []Note
	bootstrapEvents int
}

func newRun(l *scenario.Loaded) (*run, error) {
	cd := l.Canary.DeepCopy()
	if cd.Namespace == "" {
		cd.Namespace = "default"
	}
	if cd.UID == "" {
		cd.UID = types.UID("sim-" + cd.Namespace + "-" + cd.Name)
	}
	cd.Status = v1.CanaryStatus{}
	r := &run{l: l, s: l.Scenario, canary: cd, now: Epoch, nextTick: Epoch,
		status: &statusStore{}, events: &recorder{}}
	c := l.Cluster
	kubeClient, smiClient := NewClients(cd, c)
	r.kube, r.kubeFake, r.smi, r.gw = kubeClient, kubeClient, smiClient, newGatewayClient()
	r.kubelet = cluster.NewKubelet(kubeClient, cd.Namespace, c.ReadyAfter.D())
	r.store = stores.Get().(*tsdb.Store)
	model, err := traffic.New(traffic.Config{
		Namespace: cd.Namespace, Target: cd.Spec.TargetRef.Name, Seed: l.Seed, Start: Epoch,
		Regression: traffic.Regression{Codes: l.Regression.Codes, Delay: l.Regression.Delay.D()},
		Mesh:       meshOf(cd),
	}, r.store)
	if err != nil {
		return nil, err
	}
	r.traffic = model
	if !l.QueriesChecked {
		if err := CheckQueries(l); err != nil {
			return nil, err
		}
	}
	r.router = &routeLog{Router: r.newRouter(), now: func() time.Time { return r.now }}
	r.hooks = &loadtester{replies: copyReplies(l.Webhooks), run: r, running: map[string]time.Time{}}
	r.metrics = &overrides{Metrics: metrics.New(tsdb.NewEngine(r.store)), values: map[string]scenario.MetricValue{}}
	r.engine = &engine.Engine{
		Workload: kube.NewWorkload(kubeClient, kube.Options{ConfigTracking: true}),
		Router:   r.router, Metrics: r.metrics, Templates: templatesOf(l.Templates), Webhooks: r.hooks,
		Status: r.status, Finalizers: finalizers{cd: cd}, Events: r.events,
		Config: engine.Config{MeshProvider: v1.ProviderOSM, MetricsServer: c.MetricsServer},
	}
	for _, t := range l.Traffic {
		if err := r.traffic.Add(sourceOf(t, r.start)); err != nil {
			return nil, fmt.Errorf("traffic %q: %w", t.Name, err)
		}
	}
	return r, nil
}

func copyReplies(in map[string]scenario.Reply) map[string]scenario.Reply {
	out := make(map[string]scenario.Reply, len(in))
	for k, v := range in {
		out[k] = v
	}
	return out
}

func templatesOf(ts []v1.MetricTemplate) templates {
	out := templates{}
	for i := range ts {
		t := ts[i].DeepCopy()
		out[t.Namespace+"/"+t.Name] = t
	}
	return out
}

// CheckQueries rejects a query that PromQL cannot parse (inline or from a
// template, rendered as the engine will render it), naming its metric.
// Run calls it before each replay unless l.QueriesChecked says it was done
// (what-if checks its study once, not per run).
func CheckQueries(l *scenario.Loaded) error {
	eng := tsdb.NewEngine(tsdb.NewStore())
	cd := l.Canary.DeepCopy()
	if cd.Namespace == "" {
		cd.Namespace = "default"
	}
	for _, m := range cd.GetAnalysis().Metrics {
		text := m.Query
		if m.TemplateRef != nil {
			ns := m.TemplateRef.Namespace
			if ns == "" {
				ns = cd.Namespace
			}
			t, err := templatesOf(l.Templates).Get(context.Background(), ns, m.TemplateRef.Name)
			if err != nil {
				return fmt.Errorf("metric %q: %w", m.Name, err)
			}
			text = t.Spec.Query
		}
		if text == "" {
			continue
		}
		q, err := query.Render(text, engine.ModelOf(cd, m))
		if err != nil {
			return fmt.Errorf("metric %q: %w", m.Name, err)
		}
		if err := eng.Parse(q); err != nil {
			return fmt.Errorf("metric %q: query does not parse: %w", m.Name, err)
		}
	}
	return nil
}

// defaultLatency is a healthy podinfo's response time.
func defaultLatency() traffic.Distribution {
	return traffic.LogNormal(5*time.Millisecond, 40*time.Millisecond)
}

func targetOf(t string) traffic.Target {
	switch t {
	case scenario.TargetCanary:
		return traffic.Canary
	case scenario.TargetPrimary:
		return traffic.Primary
	}
	return traffic.Apex
}

// sourceOf converts a scenario traffic source; its times are relative to
// the scenario's start (or to the epoch before it is known).
func sourceOf(t scenario.Traffic, start time.Time) traffic.Source {
	if start.IsZero() {
		start = Epoch
	}
	lat := defaultLatency()
	if t.Latency.P50 > 0 || t.Latency.P99 > 0 {
		lat = traffic.LogNormal(t.Latency.P50.D(), t.Latency.P99.D())
	}
	src := traffic.Source{Name: t.Name, Target: targetOf(t.Target), RPS: t.RPS, Codes: codesOf(t.Codes),
		Latency: lat.Plus(t.Latency.Delay.D())}
	if t.From > 0 {
		src.From = start.Add(t.From.D())
	}
	if t.Until > 0 {
		src.Until = start.Add(t.Until.D())
	}
	return src
}

// codesOf completes status-code shares that add up to less than 1 with
// 200s: {500: 0.02} is 2% errors, not all of them.
func codesOf(codes map[int]float64) map[int]float64 {
	total := 0.0
	for _, share := range codes {
		total += share
	}
	if len(codes) == 0 || total >= 1 {
		return codes
	}
	out := make(map[int]float64, len(codes)+1)
	for code, share := range codes {
		out[code] = share
	}
	out[200] += 1 - total
	return out
}

// apply performs one action of the timeline.
func (r *run) apply(ctx context.Context, a scenario.Action) error {
	switch {
	case a.Run != "":
		c, err := scenario.ParseCommand(a.Run)
		if err != nil {
			return err
		}
		if c.Kind == "set-image" {
			return r.setImage(ctx, c.Container, c.Image)
		}
		until := time.Time{}
		if c.For > 0 {
			until = r.now.Add(c.For)
		}
		r.startCommand(c, a.Run, until)
	case a.Stop != "":
		return r.traffic.Stop(a.Stop, r.now)
	case a.SetImage != "":
		ctr, img, _ := strings.Cut(a.SetImage, "=")
		return r.setImage(ctx, ctr, img)
	case a.Traffic != nil:
		return r.traffic.Add(sourceOf(*a.Traffic, r.start))
	case a.Webhook != nil:
		r.hooks.replies[a.Webhook.Name] = a.Webhook.Reply
	case a.Metric != nil:
		r.metrics.values[a.Metric.Name] = *a.Metric
	case a.Apply != nil:
		r.applyCanary(a.Applied())
	case a.Delete != "":
		r.deleteCanary()
	case a.Stall != "":
		name := r.canary.Spec.TargetRef.Name
		if a.Stall == scenario.TargetPrimary {
			name = r.canary.GetPrimaryName()
		}
		r.kubelet.Stall(name)
	}
	return nil
}

// setImage changes a container's image on the target, as kubectl set image.
func (r *run) setImage(ctx context.Context, container, image string) error {
	deps := r.kube.AppsV1().Deployments(r.canary.Namespace)
	d, err := deps.Get(ctx, r.canary.Spec.TargetRef.Name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("set image: %w", err)
	}
	found := false
	for i := range d.Spec.Template.Spec.Containers {
		if c := &d.Spec.Template.Spec.Containers[i]; c.Name == container {
			c.Image, found = image, true
		}
	}
	if !found {
		return fmt.Errorf("set image: deployment %s has no container %q", d.Name, container)
	}
	_, err = deps.Update(ctx, d, metav1.UpdateOptions{})
	return err
}
