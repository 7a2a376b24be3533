package enginetest

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime/schema"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// Deployment is the state of one fake Deployment.
type Deployment struct {
	Template   string // stands for the pod template; its hash is itself
	Replicas   int32
	Generation int64
	Status     decide.DeploymentStatus
}

// World holds the fake cluster, metrics and webhooks. It implements every
// port of the engine.
type World struct {
	Target  *Deployment
	Primary *Deployment
	// Configs are the tracked config checksums the target uses (nil: tracking off).
	Configs map[string]string
	// Split is the TrafficSplit's weights; nil until the router creates it.
	Split *decide.Routes
	// AutoReady makes every Deployment change ready at once.
	AutoReady bool
	// Values are the scripted metric values, keyed by metric name for the
	// builtins and custom metrics alike; a missing key means no data.
	Values map[string]float64
	// QueryErrors fail the queries of a metric with an error.
	QueryErrors map[string]error
	// Unavailable makes the metrics server fail its probe.
	Unavailable error
	// MetricTemplates by "namespace/name".
	MetricTemplates map[string]*v1.MetricTemplate
	// Hooks answer webhook calls by hook name: nil passes, an error refuses.
	// A hook with no entry passes.
	Hooks map[string]error
	// Calls are the webhook calls received, in order.
	Calls []Call
	// Queries are the queries received, in order.
	Queries []engine.Query
	// Probes are the availability probes received, in order.
	Probes []engine.Source
	// Events are the events recorded, in order.
	Events []engine.Event
	// Stored is the last status written.
	Stored *v1.CanaryStatus
	// RouteLog holds every routes write, in order.
	RouteLog []decide.Routes
	// Fail makes the named port operation fail (e.g. "SetRoutes").
	Fail map[string]error
	// Finalizers are the Canary's finalizers as the Finalizers port left
	// them; Released is true once the router released the apex Service.
	Finalizers []string
	Released   bool

	custom map[string]string // PromQL -> metric name, for custom metrics
}

// Call is a webhook call the world received.
type Call struct {
	Hook    v1.CanaryWebhook
	Payload engine.Payload
}

// NewWorld returns a world with a target Deployment of one replica running
// template, ready.
func NewWorld(template string) *World {
	w := &World{
		Values: map[string]float64{}, QueryErrors: map[string]error{}, Hooks: map[string]error{},
		MetricTemplates: map[string]*v1.MetricTemplate{}, Fail: map[string]error{}, custom: map[string]string{},
	}
	w.Target = &Deployment{Template: template, Replicas: 1, Generation: 1}
	w.MarkReady(engine.RoleCanary)
	return w
}

var _ interface {
	engine.Workload
	engine.Router
	engine.Metrics
	engine.Templates
	engine.Webhooks
	engine.StatusWriter
	engine.Finalizers
	engine.Recorder
} = (*World)(nil)

func (w *World) fail(op string) error { return w.Fail[op] }

func (w *World) deployment(role engine.Role) *Deployment {
	if role == engine.RolePrimary {
		return w.Primary
	}
	return w.Target
}

// MarkReady finishes the rollout of a Deployment.
func (w *World) MarkReady(role engine.Role) {
	d := w.deployment(role)
	r := d.Replicas
	d.Status = decide.DeploymentStatus{
		Generation: d.Generation, ObservedGeneration: d.Generation, Replicas: &r,
		StatusReplicas: r, UpdatedReplicas: r, AvailableReplicas: r, HasProgressing: true,
	}
}

// Stall leaves a Deployment short of every new replica since `since`, as the
// Deployment controller reports a rollout that cannot make progress.
func (w *World) Stall(role engine.Role, since time.Time) {
	d := w.deployment(role)
	r := d.Replicas
	d.Status = decide.DeploymentStatus{
		Generation: d.Generation, ObservedGeneration: d.Generation, Replicas: &r,
		HasProgressing: true, Unavailable: true, UnavailableSince: since,
	}
}

// ExceedDeadline marks a Deployment's own progress deadline as exceeded.
func (w *World) ExceedDeadline(role engine.Role) {
	w.Stall(role, time.Time{})
	w.deployment(role).Status.ProgressingReason = "ProgressDeadlineExceeded"
}

// changed records a spec change of a Deployment: a new generation, ready at
// once with AutoReady, else not yet rolled out.
func (w *World) changed(role engine.Role) {
	d := w.deployment(role)
	d.Generation++
	if w.AutoReady {
		w.MarkReady(role)
		return
	}
	r := d.Replicas
	d.Status = decide.DeploymentStatus{
		Generation: d.Generation, ObservedGeneration: d.Generation, Replicas: &r,
		StatusReplicas: d.Status.StatusReplicas, HasProgressing: true,
	}
}

// SetTemplate changes the target's pod template, as kubectl set image does.
func (w *World) SetTemplate(template string) {
	w.Target.Template = template
	w.changed(engine.RoleCanary)
}

// Observe implements engine.Workload.
func (w *World) Observe(_ context.Context, cd *v1.Canary) (engine.Target, error) {
	if err := w.fail("Observe"); err != nil {
		return engine.Target{}, err
	}
	if w.Target == nil {
		return engine.Target{}, fmt.Errorf("deployment %s.%s get query error: not found", cd.Spec.TargetRef.Name, cd.Namespace)
	}
	return engine.Target{TemplateHash: w.Target.Template, Configs: w.Configs, SelectorLabel: "app", SelectorValue: cd.Spec.TargetRef.Name}, nil
}

// EnsurePrimary implements engine.Workload.
func (w *World) EnsurePrimary(context.Context, *v1.Canary) error {
	if err := w.fail("EnsurePrimary"); err != nil {
		return err
	}
	if w.Primary == nil {
		w.Primary = &Deployment{Template: w.Target.Template, Replicas: max(1, w.Target.Replicas)}
		w.changed(engine.RolePrimary)
	}
	return nil
}

// EnsurePrimaryScaler implements engine.Workload.
func (w *World) EnsurePrimaryScaler(context.Context, *v1.Canary, bool) error {
	return w.fail("EnsurePrimaryScaler")
}

// Status implements engine.Workload.
func (w *World) Status(_ context.Context, cd *v1.Canary, role engine.Role) (decide.DeploymentStatus, error) {
	d := w.deployment(role)
	if d == nil {
		name := cd.Spec.TargetRef.Name
		if role == engine.RolePrimary {
			name = cd.GetPrimaryName()
		}
		return decide.DeploymentStatus{}, fmt.Errorf("deployment %s.%s get query error: %w", name, cd.Namespace,
			apierrors.NewNotFound(schema.GroupResource{Group: "apps", Resource: "deployments"}, name))
	}
	st := d.Status
	st.Name = cd.Spec.TargetRef.Name
	if role == engine.RolePrimary {
		st.Name = cd.GetPrimaryName()
	}
	return st, nil
}

// ScaleToZero implements engine.Workload.
func (w *World) ScaleToZero(context.Context, *v1.Canary) error {
	if err := w.fail("ScaleToZero"); err != nil {
		return err
	}
	w.Target.Replicas = 0
	w.MarkReady(engine.RoleCanary)
	return nil
}

// ScaleFromZero implements engine.Workload.
func (w *World) ScaleFromZero(context.Context, *v1.Canary) error {
	if err := w.fail("ScaleFromZero"); err != nil {
		return err
	}
	w.Target.Replicas = 1
	w.changed(engine.RoleCanary)
	return nil
}

// ScaleToPrimary implements engine.Workload.
func (w *World) ScaleToPrimary(context.Context, *v1.Canary) error {
	if err := w.fail("ScaleToPrimary"); err != nil {
		return err
	}
	w.Target.Replicas = 1
	if w.Primary != nil {
		w.Target.Replicas = max(1, w.Primary.Replicas)
	}
	w.changed(engine.RoleCanary)
	return nil
}

// Release implements engine.Router.
func (w *World) Release(context.Context, *v1.Canary) error {
	if err := w.fail("Release"); err != nil {
		return err
	}
	w.Released = true
	return nil
}

// AddFinalizer implements engine.Finalizers.
func (w *World) AddFinalizer(context.Context, *v1.Canary) error {
	if err := w.fail("AddFinalizer"); err != nil {
		return err
	}
	w.Finalizers = append(w.Finalizers, v1.Finalizer)
	return nil
}

// RemoveFinalizer implements engine.Finalizers.
func (w *World) RemoveFinalizer(context.Context, *v1.Canary) error {
	if err := w.fail("RemoveFinalizer"); err != nil {
		return err
	}
	w.Finalizers = nil
	return nil
}

// Promote implements engine.Workload: like the real adapter, it refuses a
// target whose template is not the one analysed.
func (w *World) Promote(_ context.Context, cd *v1.Canary, analysed engine.Target) error {
	if err := w.fail("Promote"); err != nil {
		return err
	}
	if analysed.TemplateHash != "" && analysed.TemplateHash != w.Target.Template {
		return fmt.Errorf("deployment %s.%s not promoted: pod template %w", cd.Spec.TargetRef.Name, cd.Namespace, engine.ErrTargetChanged)
	}
	w.Primary.Template = w.Target.Template
	w.changed(engine.RolePrimary)
	return nil
}

// Reconcile implements engine.Router.
func (w *World) Reconcile(context.Context, *v1.Canary, engine.Target) error {
	if err := w.fail("Reconcile"); err != nil {
		return err
	}
	if w.Split == nil {
		w.Split = &decide.Routes{Primary: v1.TotalWeight}
	}
	return nil
}

// Routes implements engine.Router.
func (w *World) Routes(_ context.Context, cd *v1.Canary) (decide.Routes, error) {
	if w.Split == nil {
		return decide.Routes{}, fmt.Errorf("TrafficSplit %s.%s get query error: not found", cd.GetServiceNames().Apex, cd.Namespace)
	}
	return *w.Split, nil
}

// SetRoutes implements engine.Router.
func (w *World) SetRoutes(_ context.Context, cd *v1.Canary, r decide.Routes) error {
	if err := w.fail("SetRoutes"); err != nil {
		return err
	}
	if w.Split == nil {
		return fmt.Errorf("TrafficSplit %s.%s get query error: not found", cd.GetServiceNames().Apex, cd.Namespace)
	}
	*w.Split = r
	w.RouteLog = append(w.RouteLog, r)
	return nil
}

// Query implements engine.Metrics, answering from Values by metric.
func (w *World) Query(_ context.Context, q engine.Query) (float64, error) {
	w.Queries = append(w.Queries, q)
	name := w.metricOf(q)
	if err := w.QueryErrors[name]; err != nil {
		return 0, err
	}
	v, ok := w.Values[name]
	if !ok {
		return 0, engine.ErrNoValues
	}
	return v, nil
}

func (w *World) metricOf(q engine.Query) string {
	switch {
	case w.custom[q.PromQL] != "":
		return w.custom[q.PromQL]
	case strings.Contains(q.PromQL, "osm_request_duration_ms_bucket"),
		strings.Contains(q.PromQL, "response_latency_ms_bucket"),
		strings.Contains(q.PromQL, "istio_request_duration_milliseconds_bucket"):
		return v1.BuiltinDuration
	case strings.Contains(q.PromQL, `response_code!~"5.*"`),
		strings.Contains(q.PromQL, `classification!="failure"`):
		return v1.BuiltinSuccessRate
	}
	return q.PromQL
}

// NameQuery makes queries with this exact text count as the named metric.
func (w *World) NameQuery(promql, metric string) { w.custom[promql] = metric }

// Available implements engine.Metrics.
func (w *World) Available(_ context.Context, src engine.Source) error {
	w.Probes = append(w.Probes, src)
	return w.Unavailable
}

// Get implements engine.Templates.
func (w *World) Get(_ context.Context, namespace, name string) (*v1.MetricTemplate, error) {
	t, ok := w.MetricTemplates[namespace+"/"+name]
	if !ok {
		return nil, fmt.Errorf("metrictemplate.flagger.app %q not found", name)
	}
	return t, nil
}

// Call implements engine.Webhooks.
func (w *World) Call(_ context.Context, hook v1.CanaryWebhook, p engine.Payload) error {
	w.Calls = append(w.Calls, Call{Hook: hook, Payload: p})
	return w.Hooks[hook.Name]
}

// UpdateStatus implements engine.StatusWriter.
func (w *World) UpdateStatus(_ context.Context, _ *v1.Canary, st v1.CanaryStatus) error {
	if err := w.fail("UpdateStatus"); err != nil {
		return err
	}
	w.Stored = st.DeepCopy()
	return nil
}

// Record implements engine.Recorder.
func (w *World) Record(_ *v1.Canary, e engine.Event) { w.Events = append(w.Events, e) }
