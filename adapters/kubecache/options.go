package kubecache

import (
	"context"
	"fmt"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"

	smiv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha1"
	smiv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
)

// AddToScheme adds the kinds the caches hold that client-go's scheme
// lacks (the SMI TrafficSplit, the Gateway API HTTPRoute).
func AddToScheme(s *runtime.Scheme) error {
	for _, add := range []func(*runtime.Scheme) error{smiv1alpha2.AddToScheme, smiv1alpha1.AddToScheme, gwv1.Install} {
		if err := add(s); err != nil {
			return fmt.Errorf("adding the mesh types to the scheme: %w", err)
		}
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
// Deployments, Services, HPAs, TrafficSplits (both versions) and
// HTTPRoutes, ConfigMaps and Secrets as metadata.
func Objects() []client.Object {
	return []client.Object{
		&appsv1.Deployment{}, &corev1.Service{}, &autoscalingv2.HorizontalPodAutoscaler{},
		&smiv1alpha2.TrafficSplit{}, &smiv1alpha1.TrafficSplit{}, &gwv1.HTTPRoute{},
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
// caches. Kinds the API server does not serve (the SMI CRDs on a cluster
// without them) are left out: their reads go to the API server, and their
// informer starts with the first read once the kind is served.
func Warm(ctx context.Context, c cache.Informers, mapper meta.RESTMapper, scheme *runtime.Scheme) error {
	for _, obj := range Objects() {
		gvk, err := apiutil.GVKForObject(obj, scheme)
		if err != nil {
			return fmt.Errorf("the kind of %T: %w", obj, err)
		}
		if _, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version); meta.IsNoMatchError(err) {
			continue
		} else if err != nil {
			return fmt.Errorf("finding the %s resource: %w", gvk.Kind, err)
		}
		if _, err := c.GetInformer(ctx, obj, cache.BlockUntilSynced(false)); err != nil {
			return fmt.Errorf("starting the %s informer: %w", gvk.Kind, err)
		}
	}
	return nil
}
