package engine

import (
	"context"
	"errors"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// Role says which Deployment of a canary a call is about.
type Role string

// The two Deployments of a canary: the target (the canary) and its -primary.
const (
	RoleCanary  Role = "canary"
	RolePrimary Role = "primary"
)

// Target is what the engine observes of the target Deployment.
type Target struct {
	// TemplateHash identifies the pod template; a new hash is a new revision.
	TemplateHash string
	// Configs maps "configmap/NAME" and "secret/NAME" used by the pod template
	// to a checksum of their data; nil when config tracking is off.
	Configs map[string]string
	// SelectorLabel and SelectorValue are the label that selects the target's
	// pods (the first of the controller's selector labels present).
	SelectorLabel, SelectorValue string
}

// Workload manages the target Deployment and its primary.
type Workload interface {
	// Observe reads the target; an error (missing Deployment, no selector
	// label) ends the tick with a Warning carrying its text.
	Observe(ctx context.Context, cd *v1.Canary) (Target, error)
	// EnsurePrimary creates the primary Deployment (and -primary copies of
	// tracked ConfigMaps and Secrets) when it does not exist.
	EnsurePrimary(ctx context.Context, cd *v1.Canary) error
	// EnsurePrimaryScaler creates the primary HPA when absent; outside
	// initialisation it also updates one that drifted from the target's.
	EnsurePrimaryScaler(ctx context.Context, cd *v1.Canary, initializing bool) error
	// Status reads the rollout state of the canary or the primary.
	Status(ctx context.Context, cd *v1.Canary, role Role) (decide.DeploymentStatus, error)
	// ScaleToZero scales the target to zero replicas.
	ScaleToZero(ctx context.Context, cd *v1.Canary) error
	// ScaleFromZero scales the target back up for an analysis.
	ScaleFromZero(ctx context.Context, cd *v1.Canary) error
	// Promote copies the target's pod template (and configs) to the
	// primary if the target is still the revision analysed, as the tick
	// observed it; otherwise it copies nothing and returns an error
	// wrapping ErrTargetChanged.
	Promote(ctx context.Context, cd *v1.Canary, analysed Target) error
	// ScaleToPrimary scales the target to the primary's replicas (at least
	// one; one when the primary is gone), to take the traffic back from it
	// when a Canary with revertOnDeletion is deleted.
	ScaleToPrimary(ctx context.Context, cd *v1.Canary) error
}

// Router manages the Services and the TrafficSplit.
type Router interface {
	// Reconcile creates or updates the apex, -primary and -canary Services
	// and the TrafficSplit (created at 100/0 when absent).
	Reconcile(ctx context.Context, cd *v1.Canary, target Target) error
	// Routes reads the live weights from the TrafficSplit.
	Routes(ctx context.Context, cd *v1.Canary) (decide.Routes, error)
	// SetRoutes writes the weights to the TrafficSplit.
	SetRoutes(ctx context.Context, cd *v1.Canary, r decide.Routes) error
	// Release gives the apex Service back to the target when a Canary
	// with revertOnDeletion is deleted: it selects the target's pods and
	// is no longer owned by the Canary, so garbage collection keeps it. A
	// missing apex Service is not an error.
	Release(ctx context.Context, cd *v1.Canary) error
}

// ErrTargetChanged is the error Promote wraps when the target changed
// after the tick observed it: a revision that was not analysed is never
// copied to the primary. The next tick sees the new revision and starts
// its analysis.
var ErrTargetChanged = errors.New("changed after the analysis")

// ErrNoValues is the error a Metrics source wraps when a query returns no
// sample or NaN. The engine reports it as "no values found" and fails the
// check: a canary without traffic is not promoted.
var ErrNoValues = errors.New("no values found")

// Source says which server answers a query: the template's provider when
// Template is set, else Address, else the controller's metrics server.
type Source struct {
	Address  string
	Template *v1.MetricTemplate
}

// Query is a rendered PromQL query, the server to ask and the instant at
// which to evaluate it.
type Query struct {
	Source
	// Metric is the name of the canary metric the query checks.
	Metric string
	// Namespace is the Canary's, for template secrets.
	Namespace string
	PromQL    string
	At        time.Time
}

// Metrics evaluates queries.
type Metrics interface {
	// Query returns the query's single value at q.At. No sample or NaN is
	// an error wrapping ErrNoValues.
	Query(ctx context.Context, q Query) (float64, error)
	// Available probes a source (Flagger asks it for vector(1)).
	Available(ctx context.Context, src Source) error
}

// Templates reads MetricTemplates.
type Templates interface {
	Get(ctx context.Context, namespace, name string) (*v1.MetricTemplate, error)
}

// Payload is the JSON body of a webhook call, in Flagger's format.
type Payload struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Phase     v1.CanaryPhase    `json:"phase"`
	Checksum  string            `json:"checksum"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

// Webhooks calls webhooks. Call returns nil when the hook answered a status
// up to 202 (decide.WebhookPassed) and otherwise an error whose text says
// why (the response body, or the transport error).
type Webhooks interface {
	Call(ctx context.Context, hook v1.CanaryWebhook, p Payload) error
}

// StatusWriter persists a Canary's status.
type StatusWriter interface {
	UpdateStatus(ctx context.Context, cd *v1.Canary, st v1.CanaryStatus) error
}

// Finalizers adds Fledge's finalizer (v1.Finalizer) to a Canary and
// removes it, which lets a deleted Canary go.
type Finalizers interface {
	AddFinalizer(ctx context.Context, cd *v1.Canary) error
	// RemoveFinalizer succeeds when the Canary is already gone.
	RemoveFinalizer(ctx context.Context, cd *v1.Canary) error
}

// Recorder receives the events of a tick, in order.
type Recorder interface {
	Record(cd *v1.Canary, e Event)
}

// Tracer receives the trace record of every tick.
type Tracer interface {
	Append(r Record)
}
