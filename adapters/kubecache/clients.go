package kubecache

import (
	"context"
	"sync/atomic"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/clock"
	"sigs.k8s.io/controller-runtime/pkg/client"

	smiv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha1"
	smiv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	smiclient "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"
)

// Counts are the reads served by the caches (hits) and by the API server
// (misses).
type Counts struct{ hits, misses atomic.Int64 }

func (c *Counts) hit()  { c.hits.Add(1) }
func (c *Counts) miss() { c.misses.Add(1) }

// Hits is how many reads the caches served.
func (c *Counts) Hits() int64 { return c.hits.Load() }

// Misses is how many reads went to the API server.
func (c *Counts) Misses() int64 { return c.misses.Load() }

// Clients read through the caches; build them with New.
type Clients struct {
	// Kubernetes is the Kubernetes clientset whose Gets of Deployments,
	// Services, HPAs, ConfigMaps and Secrets read the caches.
	Kubernetes kubernetes.Interface
	// SMI is the SMI clientset whose Gets of TrafficSplits (v1alpha2 and
	// v1alpha1) read the cache.
	SMI smiclient.Interface
	// Gateway is the Gateway API clientset whose Gets of HTTPRoutes read
	// the cache.
	Gateway gwclient.Interface
	// Counts are the reads served so far.
	Counts *Counts

	fresh   *freshness
	readers *readers
}

// New wraps the clientsets: cache is the cache of whole objects (the
// manager's, with the ByObject of CacheOptions) and also holds ConfigMaps
// and Secrets as metadata only. A nil clock is the real one.
func New(kube kubernetes.Interface, smi smiclient.Interface, gateway gwclient.Interface, cache client.Reader, clk clock.PassiveClock) *Clients {
	if clk == nil {
		clk = clock.RealClock{}
	}
	counts := &Counts{}
	fresh := newFreshness(clk)
	r := &readers{
		deployments: cached[*appsv1.Deployment]{kind: "Deployment", cache: cache, fresh: fresh, counts: counts,
			newObj: func() *appsv1.Deployment { return &appsv1.Deployment{} }},
		services: cached[*corev1.Service]{kind: "Service", cache: cache, fresh: fresh, counts: counts,
			newObj: func() *corev1.Service { return &corev1.Service{} }},
		hpas: cached[*autoscalingv2.HorizontalPodAutoscaler]{kind: "HorizontalPodAutoscaler", cache: cache, fresh: fresh, counts: counts,
			newObj: func() *autoscalingv2.HorizontalPodAutoscaler { return &autoscalingv2.HorizontalPodAutoscaler{} }},
		splits: cached[*smiv1alpha2.TrafficSplit]{kind: "TrafficSplit", cache: cache, fresh: fresh, counts: counts,
			newObj: func() *smiv1alpha2.TrafficSplit { return &smiv1alpha2.TrafficSplit{} }},
		splitsV1alpha1: cached[*smiv1alpha1.TrafficSplit]{kind: kindSplitV1alpha1, cache: cache, fresh: fresh, counts: counts,
			newObj: func() *smiv1alpha1.TrafficSplit { return &smiv1alpha1.TrafficSplit{} }},
		routes: cached[*gwv1.HTTPRoute]{kind: "HTTPRoute", cache: cache, fresh: fresh, counts: counts,
			newObj: func() *gwv1.HTTPRoute { return &gwv1.HTTPRoute{} }},
		configMaps: &memoized[*corev1.ConfigMap]{kind: "ConfigMap", gvk: corev1.SchemeGroupVersion.WithKind("ConfigMap"),
			meta: cache, fresh: fresh, counts: counts, last: map[objectKey]*corev1.ConfigMap{}},
		secrets: &memoized[*corev1.Secret]{kind: "Secret", gvk: corev1.SchemeGroupVersion.WithKind("Secret"),
			meta: cache, fresh: fresh, counts: counts, last: map[objectKey]*corev1.Secret{}},
		fresh: fresh,
	}
	return &Clients{
		Kubernetes: kubeClientset{Interface: kube, r: r},
		SMI:        smiClientset{Interface: smi, r: r},
		Gateway:    gatewayClientset{Interface: gateway, r: r},
		Counts:     counts,
		fresh:      fresh,
		readers:    r,
	}
}

// Pending is how many written objects the caches have not shown yet.
func (c *Clients) Pending() int { return c.fresh.size() }

// readers hold the cached reads of each kind.
type readers struct {
	deployments    cached[*appsv1.Deployment]
	services       cached[*corev1.Service]
	hpas           cached[*autoscalingv2.HorizontalPodAutoscaler]
	splits         cached[*smiv1alpha2.TrafficSplit]
	splitsV1alpha1 cached[*smiv1alpha1.TrafficSplit]
	routes         cached[*gwv1.HTTPRoute]
	configMaps     *memoized[*corev1.ConfigMap]
	secrets        *memoized[*corev1.Secret]
	fresh          *freshness
}

// written records a write's answer and passes it on.
func written[T metav1.Object](r *readers, kind, ns string, obj T, err error) (T, error) {
	if err == nil {
		r.fresh.wrote(objectKey{kind, ns, obj.GetName()}, obj, nil)
	}
	return obj, err
}

// live reports whether a Get asks for a particular version, which only the
// API server can answer.
func live(opts metav1.GetOptions) bool { return opts.ResourceVersion != "" }

// getter adapts a typed Get to the readers' live function.
func getter[T any](ctx context.Context, get func(context.Context, string, metav1.GetOptions) (T, error), name string) func() (T, error) {
	return func() (T, error) { return get(ctx, name, metav1.GetOptions{}) }
}
