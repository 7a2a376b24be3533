package kube

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// DefaultSelectorLabels are the labels, in order, of which the first present
// in a target's spec.selector.matchLabels selects its pods (Flagger's
// -selector-labels default).
var DefaultSelectorLabels = []string{"app", "name", "app.kubernetes.io/name"}

// Options configure a Workload.
type Options struct {
	// SelectorLabels are the candidate selector labels, in order of
	// preference; DefaultSelectorLabels when empty.
	SelectorLabels []string
	// ConfigTracking tracks the ConfigMaps and Secrets of the pod template:
	// their changes are new revisions, and the primary uses -primary copies.
	// Flagger's -enable-config-tracking is on by default; the controller
	// should set it likewise.
	ConfigTracking bool
	// IncludeLabelPrefixes select the labels and annotations copied from the
	// target to the primary objects; empty (or "*") copies them all. Keys
	// containing toolkit.fluxcd.io are never copied.
	IncludeLabelPrefixes []string
}

// Workload manages a Canary's target Deployment and its -primary copy.
type Workload struct {
	client kubernetes.Interface
	opts   Options
	hashes *hashMemo
}

var _ engine.Workload = (*Workload)(nil)

// NewWorkload returns a Workload that talks to the API through client.
func NewWorkload(client kubernetes.Interface, opts Options) *Workload {
	if len(opts.SelectorLabels) == 0 {
		opts.SelectorLabels = DefaultSelectorLabels
	}
	return &Workload{client: client, opts: opts, hashes: &hashMemo{}}
}

// Observe reads the target Deployment: its selector label, the hash of its
// pod template and, with config tracking, the checksums of its configs.
func (w *Workload) Observe(ctx context.Context, cd *v1.Canary) (engine.Target, error) {
	dep, err := w.getDeployment(ctx, cd.Namespace, cd.Spec.TargetRef.Name)
	if err != nil {
		return engine.Target{}, err
	}
	label, value, err := w.selectorLabel(dep)
	if err != nil {
		return engine.Target{}, err
	}
	hash, err := w.hashes.of(dep)
	if err != nil {
		return engine.Target{}, fmt.Errorf("deployment %s.%s: %w", dep.Name, dep.Namespace, err)
	}
	t := engine.Target{TemplateHash: hash, SelectorLabel: label, SelectorValue: value}
	if !w.opts.ConfigTracking {
		return t, nil
	}
	set, err := readConfigs(ctx, w.client.CoreV1(), dep.Namespace, &dep.Spec.Template.Spec)
	if err != nil {
		return engine.Target{}, fmt.Errorf("config tracking of deployment %s.%s failed: %w", dep.Name, dep.Namespace, err)
	}
	if t.Configs, err = set.checksums(); err != nil {
		return engine.Target{}, err
	}
	return t, nil
}

// Status reads the rollout state of the target (RoleCanary) or the primary.
func (w *Workload) Status(ctx context.Context, cd *v1.Canary, role engine.Role) (decide.DeploymentStatus, error) {
	name := cd.Spec.TargetRef.Name
	if role == engine.RolePrimary {
		name = cd.GetPrimaryName()
	}
	dep, err := w.getDeployment(ctx, cd.Namespace, name)
	if err != nil {
		return decide.DeploymentStatus{}, err
	}
	return DeploymentStatus(dep), nil
}

// DeploymentStatus reads what readiness needs from a Deployment.
func DeploymentStatus(dep *appsv1.Deployment) decide.DeploymentStatus {
	st := decide.DeploymentStatus{
		Name:               dep.Name,
		Generation:         dep.Generation,
		ObservedGeneration: dep.Status.ObservedGeneration,
		StatusReplicas:     dep.Status.Replicas,
		UpdatedReplicas:    dep.Status.UpdatedReplicas,
		AvailableReplicas:  dep.Status.AvailableReplicas,
	}
	if dep.Spec.Replicas != nil {
		st.Replicas = ptr.To(*dep.Spec.Replicas)
	}
	for _, c := range dep.Status.Conditions {
		switch {
		case c.Type == appsv1.DeploymentProgressing:
			st.HasProgressing, st.ProgressingReason = true, c.Reason
		case c.Type == appsv1.DeploymentAvailable && c.Status == corev1.ConditionFalse && c.Reason == "MinimumReplicasUnavailable":
			st.Unavailable, st.UnavailableSince = true, c.LastUpdateTime.Time
		}
	}
	return st
}

func (w *Workload) getDeployment(ctx context.Context, ns, name string) (*appsv1.Deployment, error) {
	dep, err := w.client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("deployment %s.%s get query error: %w", name, ns, err)
	}
	return dep, nil
}

// selectorLabel picks the first of the selector labels present in the
// Deployment's spec.selector.matchLabels.
func (w *Workload) selectorLabel(dep *appsv1.Deployment) (label, value string, err error) {
	if dep.Spec.Selector != nil {
		for _, l := range w.opts.SelectorLabels {
			if v, ok := dep.Spec.Selector.MatchLabels[l]; ok {
				return l, v, nil
			}
		}
	}
	return "", "", fmt.Errorf("getSelectorLabel failed: deployment %s.%s spec.selector.matchLabels must contain one of %v",
		dep.Name, dep.Namespace, w.opts.SelectorLabels)
}
