package replay

import (
	"context"
	"fmt"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/smi"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/cluster"
	"github.com/fledge-canary/fledge/sim/metrics"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// maxBootstrap is how long before the start the canary is initialised.
const maxBootstrap = 30 * time.Minute

// revisionAnnotation marks the target's pod template as the new revision.
const revisionAnnotation = "fledge.dev/replayed-revision"

// Options are a replay's inputs.
type Options struct {
	// Loaded holds the Canary, its MetricTemplates, the webhook replies
	// and the target's cluster (image, replicas, readyAfter).
	Loaded *scenario.Loaded
	// Queries are the canary's, from QueriesOf.
	Queries *Queries
	// Recording is the data.
	Recording *Recording
	// Start is when the new revision was detected: the first tick. Zero
	// means the first sample of the canary's series.
	Start time.Time
	// End bounds the ticks. Zero means the last sample of the canary's
	// series.
	End time.Time
}

// Run replays the canary's analysis over the recording. Its errors are
// about the input: a recording without the canary's series, a window
// without data.
func Run(ctx context.Context, o Options) (*Result, error) {
	if err := o.Queries.checkSeries(ctx, o.Recording); err != nil {
		return nil, err
	}
	first, last, ok := o.Recording.span(ctx, o.Queries.Selectors(), All)
	if !ok {
		return nil, fmt.Errorf("%s: %w: no sample of the canary's series", o.Recording.Source, errNoData)
	}
	start, end := o.Start, o.End
	if start.IsZero() {
		start = first
	}
	if end.IsZero() {
		end = last
	}
	if _, _, ok := o.Recording.span(ctx, o.Queries.Selectors(), WindowOf(start, end)); !ok || end.Before(start) {
		return nil, fmt.Errorf("%s: %w between %s and %s (its samples of the canary's series run from %s to %s)",
			o.Recording.Source, errNoData, stamp(start), stamp(end), stamp(first), stamp(last))
	}
	r := newReplayer(o, start, end)
	if err := r.bootstrap(ctx); err != nil {
		return nil, err
	}
	if err := r.analyse(ctx); err != nil {
		return nil, err
	}
	return r.result(first, last), nil
}

func stamp(t time.Time) string { return t.UTC().Format(time.RFC3339) }

// replayer is a replay in progress.
type replayer struct {
	o          Options
	canary     *v1.Canary
	kube       kubernetes.Interface
	kubelet    *cluster.Kubelet
	engine     *engine.Engine
	router     *routeLog
	status     *statusStore
	events     *recorder
	promql     *tsdb.Engine
	start, end time.Time
	now, next  time.Time
	booted     int // events of the initialisation
	records    []engine.Record
	shares     []Share
}

func newReplayer(o Options, start, end time.Time) *replayer {
	cd := o.Loaded.Canary.DeepCopy()
	if cd.Namespace == "" {
		cd.Namespace = "default"
	}
	if cd.UID == "" {
		cd.UID = types.UID("replay-" + cd.Namespace + "-" + cd.Name)
	}
	cd.Status = v1.CanaryStatus{}
	c := o.Loaded.Cluster
	kubeClient, smiClient := sim.NewClients(cd, c)
	r := &replayer{o: o, canary: cd, kube: kubeClient, start: start, end: end,
		status: &statusStore{}, events: &recorder{}, promql: tsdb.NewEngine(o.Recording.Store)}
	r.now = start.Add(-maxBootstrap)
	r.next = r.now
	r.kubelet = cluster.NewKubelet(kubeClient, cd.Namespace, c.ReadyAfter.D())
	r.kubelet.CacheDeployments(kubeClient)
	r.router = &routeLog{Router: smi.NewRouter(kube.NewServices(kubeClient), smiClient), now: func() time.Time { return r.now }}
	r.engine = &engine.Engine{
		Workload: kube.NewWorkload(kubeClient, kube.Options{ConfigTracking: true}),
		Router:   r.router, Metrics: metrics.New(r.promql),
		Templates: templatesOf(o.Loaded.Templates, cd.Namespace), Webhooks: webhooks(o.Loaded.Webhooks),
		Status: r.status, Finalizers: sim.NewFinalizers(cd), Events: r.events,
		Config: engine.Config{MeshProvider: v1.ProviderOSM, MetricsServer: c.MetricsServer},
	}
	return r
}

// bootstrap initialises the canary before the start, as it was when the
// new revision came.
func (r *replayer) bootstrap(ctx context.Context) error {
	for r.status.get().Phase != v1.PhaseInitialized {
		if !r.next.Before(r.start) {
			return fmt.Errorf("the canary was not initialised within %v (phase %q)", maxBootstrap, r.status.get().Phase)
		}
		if err := r.stepTo(ctx, r.next); err != nil {
			return err
		}
	}
	r.booted = len(r.events.events)
	return nil
}

// analyse changes the target's revision at the start and ticks until the
// analysis ends or the recording does.
func (r *replayer) analyse(ctx context.Context) error {
	if err := r.advance(ctx, r.start); err != nil {
		return err
	}
	if err := r.newRevision(ctx); err != nil {
		return err
	}
	r.next = r.start
	for !r.next.After(r.end) && !r.settled() {
		if err := r.stepTo(ctx, r.next); err != nil {
			return err
		}
	}
	return nil
}

// settled reports whether the analysis of the new revision is over.
func (r *replayer) settled() bool {
	p := r.status.get().Phase
	return len(r.records) > 0 && (p == v1.PhaseSucceeded || p == v1.PhaseFailed)
}

// stepTo moves time to at, the kubelet's changes on the way, and ticks.
func (r *replayer) stepTo(ctx context.Context, at time.Time) error {
	for k := r.kubelet.Next(r.now); !k.IsZero() && !k.After(at); k = r.kubelet.Next(r.now) {
		if err := r.advance(ctx, k); err != nil {
			return err
		}
	}
	if err := r.advance(ctx, at); err != nil {
		return err
	}
	return r.tick(ctx)
}

func (r *replayer) advance(ctx context.Context, to time.Time) error {
	if to.After(r.now) {
		r.now = to
	}
	return r.kubelet.Sync(ctx, r.now)
}

func (r *replayer) tick(ctx context.Context) error {
	r.canary.Status = r.status.get()
	res, err := r.engine.Tick(ctx, r.canary, r.now)
	if err != nil {
		return fmt.Errorf("tick at %s: %w", stamp(r.now), err)
	}
	if !r.now.Before(r.start) {
		r.records = append(r.records, res.Record)
		r.shares = append(r.shares, r.share(ctx, res))
	}
	if err := r.kubelet.Sync(ctx, r.now); err != nil {
		return err
	}
	r.next = r.now.Add(res.RequeueAfter)
	return nil
}

// newRevision changes the target's pod template, as a new release does.
func (r *replayer) newRevision(ctx context.Context) error {
	deps := r.kube.AppsV1().Deployments(r.canary.Namespace)
	d, err := deps.Get(ctx, r.canary.Spec.TargetRef.Name, metav1.GetOptions{})
	if err != nil {
		return fmt.Errorf("new revision: %w", err)
	}
	if d.Spec.Template.Annotations == nil {
		d.Spec.Template.Annotations = map[string]string{}
	}
	d.Spec.Template.Annotations[revisionAnnotation] = stamp(r.start)
	if _, err := deps.Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("new revision: %w", err)
	}
	return r.kubelet.Sync(ctx, r.now)
}

// result gathers what the replay produced.
func (r *replayer) result(first, last time.Time) *Result {
	ev := r.events.events
	res := &Result{
		Canary: r.canary.Name + "." + r.canary.Namespace, Source: r.o.Recording.Source,
		Start: r.start, End: r.end, DataFrom: first, DataTo: last, Shares: r.shares,
		Run: &sim.Result{
			Scenario: "replay of " + r.o.Recording.Source, Start: r.start, End: r.now,
			Bootstrap: ev[:r.booted], Events: ev[r.booted:], Routes: r.router.writes,
			Ticks: r.records, Status: r.status.get(),
		},
	}
	res.decide()
	res.Assumptions = assumptions(r.o.Loaded)
	res.Run.Notes = notes(res)
	return res
}

// notes are the assumptions and, per tick, the recorded share beside the
// spec's weight, as notes of the run (the HTML report lists them).
func notes(res *Result) []sim.Note {
	var out []sim.Note
	for _, a := range res.Assumptions {
		out = append(out, sim.Note{Time: res.Start, Text: a})
	}
	for _, s := range res.Shares {
		share := "no requests to the target or its primary"
		if s.RecordedShare != nil {
			share = fmt.Sprintf("%.1f%% of the requests", *s.RecordedShare)
		}
		out = append(out, sim.Note{Time: s.Time, Text: fmt.Sprintf("spec weight %d%%; recorded canary share %s", s.SpecWeight, share)})
	}
	return out
}
