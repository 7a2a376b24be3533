package engine

import (
	"context"
	"fmt"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// Config holds the controller-wide settings the engine needs.
type Config struct {
	// MeshProvider is the provider of canaries that name none (-mesh-provider).
	MeshProvider string
	// MetricsServer is the Prometheus address of builtin and inline metrics
	// (-metrics-server), unless a canary sets spec.metricsServer.
	MetricsServer string
	// GlobalAlerts says the controller has a notifier for canaries without
	// analysis.alerts (-slack-url or -msteams-url); without one their
	// alerts are not sent.
	GlobalAlerts bool
	// ClusterName is added to every alert as the field Cluster when set
	// (-cluster-name).
	ClusterName string
}

// Engine runs ticks. Every port must be set except Trace and Alerts.
type Engine struct {
	Workload   Workload
	Router     Router
	Metrics    Metrics
	Templates  Templates
	Webhooks   Webhooks
	Status     StatusWriter
	Finalizers Finalizers
	Events     Recorder
	Trace      Tracer
	Alerts     Alerts
	Config     Config
}

// Result is the outcome of a tick.
type Result struct {
	// Status is the canary's status after the tick (written if it changed).
	Status v1.CanaryStatus
	// Record is the tick's trace.
	Record Record
	// RequeueAfter is when the canary wants its next tick: its interval.
	RequeueAfter time.Duration
}

// Tick runs one analysis tick of cd at now. cd is not modified. The error
// is the status write's; every other failure ends the tick with a Warning
// event and is retried by the next tick.
func (e *Engine) Tick(ctx context.Context, cd *v1.Canary, now time.Time) (Result, error) {
	t := newTick(e, cd, now)
	t.run(ctx)
	err := t.writeStatus(ctx)
	return t.finish(), err
}

// finish completes the trace record with the status, hands it to the
// tracer and returns the result.
func (t *tick) finish() Result {
	t.rec.Phase = t.st.Phase
	t.rec.CanaryWeight = t.st.CanaryWeight
	t.rec.FailedChecks = t.st.FailedChecks
	t.rec.Iterations = t.st.Iterations
	if t.e.Trace != nil {
		t.e.Trace.Append(t.rec)
	}
	return Result{Status: t.st, Record: t.rec, RequeueAfter: t.requeue}
}

// tick is the state of one tick: the canary as read, the status being
// computed, what was observed, and the trace being written.
type tick struct {
	e      *Engine
	cd     *v1.Canary
	a      *v1.CanaryAnalysis
	now    time.Time
	st     v1.CanaryStatus
	target Target
	routes decide.Routes
	rec    Record
	// targetReplicas is the target's spec.replicas as its readiness read it.
	targetReplicas *int32
	// requeue is when the canary wants to be called again.
	requeue time.Duration
	// written is the status as last written by a finalization.
	written v1.CanaryStatus
}

func newTick(e *Engine, cd *v1.Canary, now time.Time) *tick {
	t := &tick{e: e, cd: cd, a: cd.GetAnalysis(), now: now, st: *cd.Status.DeepCopy(), requeue: cd.GetAnalysisInterval()}
	t.st.Conditions = withoutCondition(t.st.Conditions, v1.InvalidCondition)
	if t.st.Conditions == nil && t.st.Phase == "" {
		t.st.Phase = v1.PhaseInitializing
	}
	t.rec = Record{Time: now, Canary: cd.Name + "." + cd.Namespace, PhaseBefore: t.st.Phase}
	return t
}

// step is one stage of a tick; it returns true when the tick ends there.
type step func(t *tick, ctx context.Context) (done bool)

// steps are the stages of a tick, in order: method expressions, so that
// a tick does not allocate a closure per stage.
var steps = [...]step{
	(*tick).ensureFinalizer, (*tick).suspended, (*tick).observe, (*tick).bootstrap, (*tick).initialize, (*tick).shouldAdvance,
	(*tick).primaryReady, (*tick).readRoutes, (*tick).startRevision, (*tick).restartRevision,
	(*tick).canaryReady, (*tick).skipAnalysis, (*tick).rollbackHooks, (*tick).promoting, (*tick).finalising,
	(*tick).thresholdRollback, (*tick).resumeWeight, (*tick).analyse, (*tick).advance,
}

func (t *tick) run(ctx context.Context) {
	for _, s := range steps {
		if s(t, ctx) {
			return
		}
	}
}

// end records why the tick ended and returns true, for `return t.end(...)`.
func (t *tick) end(reason Reason, decision string) bool {
	t.rec.Reason, t.rec.Decision = reason, decision
	return true
}

func (t *tick) event(typ EventType, lvl Level, phase v1.CanaryPhase, format string, args ...any) {
	e := Event{Time: t.now, Type: typ, Level: lvl, Message: fmt.Sprintf(format, args...), Phase: phase}
	t.rec.Events = append(t.rec.Events, e)
	t.e.Events.Record(t.cd, e)
}

// normal, warning and errorf record events the way Flagger's
// recordEventInfof, recordEventWarningf and recordEventErrorf do.
func (t *tick) normal(format string, args ...any) {
	t.event(Normal, LevelInfo, t.st.Phase, format, args...)
}

func (t *tick) warning(format string, args ...any) {
	t.event(Warning, LevelInfo, t.st.Phase, format, args...)
}

func (t *tick) errorf(format string, args ...any) {
	t.event(Warning, LevelError, t.st.Phase, format, args...)
}

// failed records a Warning for a port error and ends the tick.
func (t *tick) failed(reason Reason, decision string, err error) bool {
	t.warning("%v", err)
	return t.end(reason, decision+": "+err.Error())
}

// setRoutes writes the routes and remembers them for the trace.
func (t *tick) setRoutes(ctx context.Context, r decide.Routes) error {
	if err := t.e.Router.SetRoutes(ctx, t.cd, r); err != nil {
		return err
	}
	t.routes = r
	t.rec.Routes = &r
	return nil
}

// names used in messages: C is the canary, T the target, both with the namespace.
func (t *tick) canaryName() string { return t.cd.Name }
func (t *tick) targetName() string { return t.cd.Spec.TargetRef.Name }
func (t *tick) ns() string         { return t.cd.Namespace }

func (t *tick) subject() decide.Subject {
	return decide.Subject{Name: t.cd.Name, Target: t.targetName(), Namespace: t.ns()}
}
