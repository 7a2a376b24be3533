package cluster

import (
	"context"
	"fmt"
	"reflect"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	typedappsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"
	k8stesting "k8s.io/client-go/testing"
)

// Kubelet rolls out the Deployments of one namespace in virtual time.
type Kubelet struct {
	client     typedappsv1.DeploymentInterface // the namespace's Deployments
	readyAfter time.Duration
	stalled    map[string]bool
	rollouts   map[string]*rollout
	cache      *deploymentCache                    // nil: Sync lists the Deployments every time
	list       func() ([]appsv1.Deployment, error) // set by ListWith
}

// deploymentCache holds the Deployments as the last List returned them:
// they are the stored objects while no write was made since (seen is the
// write count they match).
type deploymentCache struct {
	writes *Writes
	seen   uint64
	valid  bool
	items  []appsv1.Deployment
	// compared holds the Deployments whose pod template and replicas were
	// compared with their rollout since they were listed.
	compared map[string]bool
}

// rollout is what the kubelet remembers of a Deployment.
type rollout struct {
	template   *corev1.PodTemplateSpec // the pod template rolled out
	replicas   int32
	generation int64
	changedAt  time.Time
	readyAt    time.Time
	ready      bool
}

// NewKubelet returns a kubelet that readies a change after readyAfter.
func NewKubelet(client kubernetes.Interface, namespace string, readyAfter time.Duration) *Kubelet {
	return &Kubelet{client: client.AppsV1().Deployments(namespace), readyAfter: readyAfter,
		stalled: map[string]bool{}, rollouts: map[string]*rollout{}}
}

// Stall makes a Deployment's current and future rollouts never finish.
func (k *Kubelet) Stall(name string) { k.stalled[name] = true }

// CacheDeployments makes Sync list the Deployments only after a write to
// them (its own status writes included), as an informer would: between
// writes it works on the copies it listed. fake is the fake
// clientset the kubelet was made with; a reactor that answers writes
// itself (an injected fault) must be prepended before this is called.
// Without it (a real API server) Sync lists the Deployments every time.
func (k *Kubelet) CacheDeployments(fake k8stesting.FakeClient) {
	k.cache = &deploymentCache{writes: CountWrites(fake, "deployments"), compared: map[string]bool{}}
}

// ListWith makes Sync read the namespace's Deployments with list (an
// informer's, say) instead of listing them from the API server each time.
// list returns copies, which Sync changes. A copy older than the stored
// object makes Sync's status write fail with a conflict: the caller syncs
// again once its informer has the newer object.
func (k *Kubelet) ListWith(list func() ([]appsv1.Deployment, error)) { k.list = list }

// Sync brings every Deployment's status up to date at now.
func (k *Kubelet) Sync(ctx context.Context, now time.Time) error {
	items, err := k.deployments(ctx)
	if err != nil {
		return err
	}
	for i := range items {
		if err := k.sync(ctx, &items[i], now); err != nil {
			return err
		}
	}
	return nil
}

// deployments lists the namespace's Deployments, or returns the cached
// ones while no write has been made since they were listed.
func (k *Kubelet) deployments(ctx context.Context) ([]appsv1.Deployment, error) {
	if k.list != nil {
		items, err := k.list()
		if err != nil {
			return nil, fmt.Errorf("kubelet: listing deployments: %w", err)
		}
		return items, nil
	}
	c := k.cache
	if c != nil && c.valid && c.writes.Count() == c.seen {
		return c.items, nil
	}
	list, err := k.client.List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, fmt.Errorf("kubelet: listing deployments: %w", err)
	}
	if c != nil {
		c.items, c.seen, c.valid = list.Items, c.writes.Count(), true
		clear(c.compared)
	}
	return list.Items, nil
}

// Next is the earliest time after now at which a status will change, or
// the zero time when none will.
func (k *Kubelet) Next(now time.Time) time.Time {
	var next time.Time
	for name, r := range k.rollouts {
		at := r.readyAt
		if k.stalled[name] {
			continue
		}
		if !r.ready && at.After(now) && (next.IsZero() || at.Before(next)) {
			next = at
		}
	}
	return next
}

func (k *Kubelet) sync(ctx context.Context, d *appsv1.Deployment, now time.Time) error {
	r := k.rollouts[d.Name]
	if r == nil || !k.compared(d.Name) && (r.replicas != replicas(d) || !reflect.DeepEqual(r.template, &d.Spec.Template)) {
		r = k.start(d, now)
	}
	if k.cache != nil {
		k.cache.compared[d.Name] = true
	}
	want := k.status(d, r, now)
	if statusEqual(d.Status, want) && d.Generation == r.generation {
		return nil
	}
	d.Generation = r.generation
	d.Status = want
	got, err := k.client.UpdateStatus(ctx, d, metav1.UpdateOptions{})
	if err != nil {
		return fmt.Errorf("kubelet: updating deployment %s status: %w", d.Name, err)
	}
	k.wrote(d, got)
	return nil
}

// wrote keeps the cache valid across the kubelet's own status write, as an
// informer takes in the watch event of a write: when it is the only write
// since the list, the cached copy d becomes the object written (got, the
// server's answer) instead of being listed again. An answer that is not
// the object (a reactor answered the write itself) makes it list again.
func (k *Kubelet) wrote(d, got *appsv1.Deployment) {
	c := k.cache
	if c == nil || !c.valid || c.writes.Count() != c.seen+1 || got == nil || got.Name != d.Name || got.Namespace != d.Namespace {
		return
	}
	*d = *got
	c.seen++
}

// compared reports whether the Deployment named name, as the cache holds
// it, was compared with its rollout already.
func (k *Kubelet) compared(name string) bool { return k.cache != nil && k.cache.compared[name] }

func (k *Kubelet) start(d *appsv1.Deployment, now time.Time) *rollout {
	// On a real API server the generation is the server's; on a fake one
	// the kubelet keeps its own count.
	gen := max(d.Generation, 1)
	if old := k.rollouts[d.Name]; old != nil {
		gen = max(old.generation+1, d.Generation)
	}
	r := &rollout{template: d.Spec.Template.DeepCopy(), replicas: replicas(d), generation: gen, changedAt: now, readyAt: now.Add(k.readyAfter)}
	if replicas(d) == 0 {
		r.readyAt = now
	}
	k.rollouts[d.Name] = r
	return r
}

// status is the Deployment's status at now: rolling out until readyAt,
// then complete; a stalled rollout passes its progress deadline instead.
func (k *Kubelet) status(d *appsv1.Deployment, r *rollout, now time.Time) appsv1.DeploymentStatus {
	n := replicas(d)
	since := metav1.NewTime(r.changedAt)
	st := appsv1.DeploymentStatus{ObservedGeneration: r.generation}
	if !k.stalled[d.Name] && !now.Before(r.readyAt) {
		r.ready = true
		st.Replicas, st.UpdatedReplicas, st.ReadyReplicas, st.AvailableReplicas = n, n, n, n
		st.Conditions = []appsv1.DeploymentCondition{
			condition(appsv1.DeploymentAvailable, corev1.ConditionTrue, "MinimumReplicasAvailable", since),
			condition(appsv1.DeploymentProgressing, corev1.ConditionTrue, "NewReplicaSetAvailable", since),
		}
		return st
	}
	progressing := condition(appsv1.DeploymentProgressing, corev1.ConditionTrue, "ReplicaSetUpdated", since)
	if deadline := progressDeadline(d); k.stalled[d.Name] && now.Sub(r.changedAt) > deadline {
		progressing = condition(appsv1.DeploymentProgressing, corev1.ConditionFalse, "ProgressDeadlineExceeded", since)
	}
	st.Conditions = []appsv1.DeploymentCondition{
		condition(appsv1.DeploymentAvailable, corev1.ConditionFalse, "MinimumReplicasUnavailable", since),
		progressing,
	}
	return st
}

func condition(t appsv1.DeploymentConditionType, s corev1.ConditionStatus, reason string, at metav1.Time) appsv1.DeploymentCondition {
	return appsv1.DeploymentCondition{Type: t, Status: s, Reason: reason, LastUpdateTime: at, LastTransitionTime: at}
}

func replicas(d *appsv1.Deployment) int32 {
	if d.Spec.Replicas == nil {
		return 1
	}
	return *d.Spec.Replicas
}

func progressDeadline(d *appsv1.Deployment) time.Duration {
	if d.Spec.ProgressDeadlineSeconds == nil {
		return 600 * time.Second
	}
	return time.Duration(*d.Spec.ProgressDeadlineSeconds) * time.Second
}

// statusEqual compares the fields the kubelet writes.
func statusEqual(a, b appsv1.DeploymentStatus) bool {
	if a.ObservedGeneration != b.ObservedGeneration || a.Replicas != b.Replicas || a.UpdatedReplicas != b.UpdatedReplicas ||
		a.ReadyReplicas != b.ReadyReplicas || a.AvailableReplicas != b.AvailableReplicas ||
		a.UnavailableReplicas != b.UnavailableReplicas || len(a.Conditions) != len(b.Conditions) {
		return false
	}
	for i, x := range a.Conditions {
		y := b.Conditions[i]
		if x.Type != y.Type || x.Status != y.Status || x.Reason != y.Reason || x.Message != y.Message ||
			!x.LastUpdateTime.Equal(&y.LastUpdateTime) || !x.LastTransitionTime.Equal(&y.LastTransitionTime) {
			return false
		}
	}
	return true
}
