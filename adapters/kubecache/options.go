package kubecache

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	smiv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
)

// AddToScheme adds the kinds the caches hold that client-go's scheme
// lacks (the SMI TrafficSplit).
func AddToScheme(s *runtime.Scheme) error {
	if err := smiv1alpha2.AddToScheme(s); err != nil {
		return fmt.Errorf("adding the SMI split types to the scheme: %w", err)
	}
	return nil
}

// SetCacheOptions makes a manager's cache hold what the wrappers read
// with as little memory as it can: managedFields stripped from every
// object.
func SetCacheOptions(opts *cache.Options) {
	opts.DefaultTransform = cache.TransformStripManagedFields()
}

// Objects are the objects the caches hold, one per kind: whole
// Deployments, Services, HPAs and TrafficSplits, ConfigMaps and Secrets as
// metadata.
func Objects() []client.Object {
	return []client.Object{
		&appsv1.Deployment{}, &corev1.Service{}, &autoscalingv2.HorizontalPodAutoscaler{}, &smiv1alpha2.TrafficSplit{},
		metadataOf(corev1.SchemeGroupVersion.WithKind("ConfigMap")), metadataOf(corev1.SchemeGroupVersion.WithKind("Secret")),
	}
}

// metadataOf is the metadata-only object of a kind, for the cache.
func metadataOf(gvk schema.GroupVersionKind) client.Object {
	m := &metav1.PartialObjectMetadata{}
	m.SetGroupVersionKind(gvk)
	return m
}

// Warm starts the informers of Objects with the cache, before any read:
// the cache starts them with the manager, also on a standby replica, so
// that a replica that wins the leader election ticks at once on warm
// caches.
func Warm(ctx context.Context, c cache.Informers) error {
	for _, obj := range Objects() {
		if _, err := c.GetInformer(ctx, obj, cache.BlockUntilSynced(false)); err != nil {
			return fmt.Errorf("starting the %T informer: %w", obj, err)
		}
	}
	return nil
}
