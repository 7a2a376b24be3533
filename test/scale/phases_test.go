package scale

import (
	"context"
	"errors"
	"fmt"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/rest"
	ctrlcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// watchPhases starts a cache of the canaries that keeps only what the
// harness reads of them: name, namespace, phase and lastTransitionTime.
// The harness follows the canaries through one watch, as a user's
// `kubectl get canaries -w` would: listing every canary every two
// seconds, as it did, read 5,000 Canaries from etcd per poll and took
// API server CPU from the controller under measurement. The cache has a
// scheme of its own: an in-process controller adds kinds to the harness's
// while this cache decodes.
func watchPhases(ctx context.Context, cfg *rest.Config) (client.Reader, error) {
	scheme := kruntime.NewScheme()
	if err := v1.AddToScheme(scheme); err != nil {
		return nil, fmt.Errorf("canary phase cache: %w", err)
	}
	c, err := ctrlcache.New(cfg, ctrlcache.Options{Scheme: scheme, ByObject: map[client.Object]ctrlcache.ByObject{
		&v1.Canary{}: {Transform: keepPhase},
	}})
	if err != nil {
		return nil, fmt.Errorf("canary phase cache: %w", err)
	}
	if _, err := c.GetInformer(ctx, &v1.Canary{}); err != nil {
		return nil, fmt.Errorf("canary phase cache: %w", err)
	}
	go func() { _ = c.Start(ctx) }()
	if !c.WaitForCacheSync(ctx) {
		return nil, errors.New("canary phase cache: not synced")
	}
	return c, nil
}

// keepPhase strips a Canary to what the harness reads of it.
func keepPhase(obj any) (any, error) {
	cd, ok := obj.(*v1.Canary)
	if !ok {
		return obj, nil // a tombstone
	}
	return &v1.Canary{
		ObjectMeta: metav1.ObjectMeta{Namespace: cd.Namespace, Name: cd.Name, ResourceVersion: cd.ResourceVersion},
		Status:     v1.CanaryStatus{Phase: cd.Status.Phase, LastTransitionTime: cd.Status.LastTransitionTime},
	}, nil
}

// phases counts the canaries by phase, as the harness's watch last saw
// them.
func (h *harness) phases(tb testing.TB) map[v1.CanaryPhase]int {
	out := map[v1.CanaryPhase]int{}
	for _, cd := range h.canaryList(tb) {
		out[cd.Status.Phase]++
	}
	return out
}

// canaryList is every canary as the harness's watch last saw it.
func (h *harness) canaryList(tb testing.TB) []v1.Canary {
	var list v1.CanaryList
	must(tb, h.phase.List(h.ctx, &list, client.UnsafeDisableDeepCopy))
	return list.Items
}
