package cluster

import (
	"context"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	typedappsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"
	typedautoscalingv2 "k8s.io/client-go/kubernetes/typed/autoscaling/v2"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	k8stesting "k8s.io/client-go/testing"

	smiv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha1"
	smiv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	smiclient "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	typedsplitv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/typed/split/v1alpha1"
	typedsplit "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/typed/split/v1alpha2"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"
	typedgwv1 "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/typed/apis/v1"
)

// Reads are clientsets whose Gets of Deployments, Services, HPAs,
// TrafficSplits (v1alpha2 and v1alpha1) and HTTPRoutes are answered from
// the objects the fake clientset last returned, as long as no write was
// made to that resource since (CountWrites): the controller's adapters
// read an informer cache the same way (adapters/kubecache), and a read
// then costs one deep copy instead of a pass through the fake's reactor
// chain (action copies, an empty result, a NotFound error built for every
// Get). Every other call, and every write, goes to the fake unchanged.
//
// The answers are those of the fake: the same object, or the same error
// (a NotFound is remembered too). A Get with a resourceVersion goes to the
// fake. Reactors that answer reads themselves (injected faults) must not
// be used with Reads: a cached read does not reach them.
type Reads struct {
	Kube    kubernetes.Interface
	SMI     smiclient.Interface
	Gateway gwclient.Interface
}

// CacheReads wraps the fake clientsets of a run. It puts write counters at
// the head of their reactor chains (see CountWrites).
func CacheReads(kube, smi, gw k8stesting.FakeClient, kubeClient kubernetes.Interface,
	smiClient smiclient.Interface, gwClient gwclient.Interface,
) Reads {
	m := &memos{
		clients:     map[clientKey]any{},
		deployments: newMemo(kube, "deployments", (*appsv1.Deployment).DeepCopy),
		services:    newMemo(kube, "services", (*corev1.Service).DeepCopy),
		hpas:        newMemo(kube, "horizontalpodautoscalers", (*autoscalingv2.HorizontalPodAutoscaler).DeepCopy),
		splits:      newMemo(smi, "trafficsplits", (*smiv1alpha2.TrafficSplit).DeepCopy),
		splitsV1:    newMemo(smi, "trafficsplits", (*smiv1alpha1.TrafficSplit).DeepCopy),
		routes:      newMemo(gw, "httproutes", (*gwv1.HTTPRoute).DeepCopy),
	}
	m.apps = &appsReads{AppsV1Interface: kubeClient.AppsV1(), m: m}
	m.core = &coreReads{CoreV1Interface: kubeClient.CoreV1(), m: m}
	m.autoscaling = &autoscalingReads{AutoscalingV2Interface: kubeClient.AutoscalingV2(), m: m}
	m.split = &splitReads{SplitV1alpha2Interface: smiClient.SplitV1alpha2(), m: m}
	m.splitV1 = &splitV1Reads{SplitV1alpha1Interface: smiClient.SplitV1alpha1(), m: m}
	m.gateway = &gatewayV1Reads{GatewayV1Interface: gwClient.GatewayV1(), m: m}
	return Reads{
		Kube:    kubeReads{Interface: kubeClient, m: m},
		SMI:     smiReads{Interface: smiClient, m: m},
		Gateway: gatewayReads{Interface: gwClient, m: m},
	}
}

// memos hold the last answers of each kind, and the wrapped typed
// clients (the fakes build new ones at every call).
type memos struct {
	apps        *appsReads
	core        *coreReads
	autoscaling *autoscalingReads
	split       *splitReads
	splitV1     *splitV1Reads
	gateway     *gatewayV1Reads
	mu          sync.Mutex
	clients     map[clientKey]any

	deployments *memo[*appsv1.Deployment]
	services    *memo[*corev1.Service]
	hpas        *memo[*autoscalingv2.HorizontalPodAutoscaler]
	splits      *memo[*smiv1alpha2.TrafficSplit]
	splitsV1    *memo[*smiv1alpha1.TrafficSplit]
	routes      *memo[*gwv1.HTTPRoute]
}

// clientKey names a typed client of a kind in a namespace.
type clientKey struct{ kind, namespace string }

// client returns the typed client of kind in ns, made by build once.
func client[T any](m *memos, kind, ns string, build func() T) T {
	m.mu.Lock()
	defer m.mu.Unlock()
	k := clientKey{kind, ns}
	if c, ok := m.clients[k]; ok {
		return c.(T)
	}
	c := build()
	m.clients[k] = c
	return c
}

// memo remembers the fake's answers to Gets of one resource, valid while
// the resource's write count has not moved.
type memo[T any] struct {
	mu      sync.Mutex
	writes  *Writes
	copyOf  func(T) T
	entries map[types.NamespacedName]answer[T]
}

// answer is a Get's answer and the write count it was read at.
type answer[T any] struct {
	obj  T
	err  error
	seen uint64
}

func newMemo[T any](fake k8stesting.FakeClient, resource string, copyOf func(T) T) *memo[T] {
	return &memo[T]{writes: CountWrites(fake, resource), copyOf: copyOf, entries: map[types.NamespacedName]answer[T]{}}
}

// get answers a Get of ns/name from the memo, or from live (the fake).
func (m *memo[T]) get(ctx context.Context, ns, name string, opts metav1.GetOptions,
	live func(context.Context, string, metav1.GetOptions) (T, error),
) (T, error) {
	if opts.ResourceVersion != "" {
		return live(ctx, name, opts)
	}
	k := types.NamespacedName{Namespace: ns, Name: name}
	m.mu.Lock()
	defer m.mu.Unlock()
	n := m.writes.Count()
	if a, ok := m.entries[k]; ok && a.seen == n {
		return m.copyOf(a.obj), a.err
	}
	obj, err := live(ctx, name, opts)
	switch {
	case err == nil || apierrors.IsNotFound(err):
		m.entries[k] = answer[T]{obj: m.copyOf(obj), err: err, seen: n}
	default:
		delete(m.entries, k)
	}
	return obj, err
}

type kubeReads struct {
	kubernetes.Interface
	m *memos
}

func (c kubeReads) AppsV1() typedappsv1.AppsV1Interface {
	return c.m.apps
}

func (c kubeReads) CoreV1() typedcorev1.CoreV1Interface {
	return c.m.core
}

func (c kubeReads) AutoscalingV2() typedautoscalingv2.AutoscalingV2Interface {
	return c.m.autoscaling
}

type appsReads struct {
	typedappsv1.AppsV1Interface
	m *memos
}

func (a appsReads) Deployments(ns string) typedappsv1.DeploymentInterface {
	return client(a.m, "deployments", ns, func() typedappsv1.DeploymentInterface {
		return deploymentReads{DeploymentInterface: a.AppsV1Interface.Deployments(ns), ns: ns, m: a.m}
	})
}

type deploymentReads struct {
	typedappsv1.DeploymentInterface
	ns string
	m  *memos
}

func (d deploymentReads) Get(ctx context.Context, name string, opts metav1.GetOptions) (*appsv1.Deployment, error) {
	return d.m.deployments.get(ctx, d.ns, name, opts, d.DeploymentInterface.Get)
}

type coreReads struct {
	typedcorev1.CoreV1Interface
	m *memos
}

func (c coreReads) Services(ns string) typedcorev1.ServiceInterface {
	return client(c.m, "services", ns, func() typedcorev1.ServiceInterface {
		return serviceReads{ServiceInterface: c.CoreV1Interface.Services(ns), ns: ns, m: c.m}
	})
}

type serviceReads struct {
	typedcorev1.ServiceInterface
	ns string
	m  *memos
}

func (s serviceReads) Get(ctx context.Context, name string, opts metav1.GetOptions) (*corev1.Service, error) {
	return s.m.services.get(ctx, s.ns, name, opts, s.ServiceInterface.Get)
}

type autoscalingReads struct {
	typedautoscalingv2.AutoscalingV2Interface
	m *memos
}

func (a autoscalingReads) HorizontalPodAutoscalers(ns string) typedautoscalingv2.HorizontalPodAutoscalerInterface {
	return client(a.m, "horizontalpodautoscalers", ns, func() typedautoscalingv2.HorizontalPodAutoscalerInterface {
		return hpaReads{HorizontalPodAutoscalerInterface: a.AutoscalingV2Interface.HorizontalPodAutoscalers(ns), ns: ns, m: a.m}
	})
}

type hpaReads struct {
	typedautoscalingv2.HorizontalPodAutoscalerInterface
	ns string
	m  *memos
}

func (h hpaReads) Get(ctx context.Context, name string, opts metav1.GetOptions) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	return h.m.hpas.get(ctx, h.ns, name, opts, h.HorizontalPodAutoscalerInterface.Get)
}

type smiReads struct {
	smiclient.Interface
	m *memos
}

func (c smiReads) SplitV1alpha2() typedsplit.SplitV1alpha2Interface {
	return c.m.split
}

func (c smiReads) SplitV1alpha1() typedsplitv1alpha1.SplitV1alpha1Interface {
	return c.m.splitV1
}

type splitReads struct {
	typedsplit.SplitV1alpha2Interface
	m *memos
}

func (s splitReads) TrafficSplits(ns string) typedsplit.TrafficSplitInterface {
	return client(s.m, "trafficsplits.v1alpha2", ns, func() typedsplit.TrafficSplitInterface {
		return trafficSplitReads{TrafficSplitInterface: s.SplitV1alpha2Interface.TrafficSplits(ns), ns: ns, m: s.m}
	})
}

type trafficSplitReads struct {
	typedsplit.TrafficSplitInterface
	ns string
	m  *memos
}

func (t trafficSplitReads) Get(ctx context.Context, name string, opts metav1.GetOptions) (*smiv1alpha2.TrafficSplit, error) {
	return t.m.splits.get(ctx, t.ns, name, opts, t.TrafficSplitInterface.Get)
}

type splitV1Reads struct {
	typedsplitv1alpha1.SplitV1alpha1Interface
	m *memos
}

func (s splitV1Reads) TrafficSplits(ns string) typedsplitv1alpha1.TrafficSplitInterface {
	return client(s.m, "trafficsplits.v1alpha1", ns, func() typedsplitv1alpha1.TrafficSplitInterface {
		return trafficSplitV1Reads{TrafficSplitInterface: s.SplitV1alpha1Interface.TrafficSplits(ns), ns: ns, m: s.m}
	})
}

type trafficSplitV1Reads struct {
	typedsplitv1alpha1.TrafficSplitInterface
	ns string
	m  *memos
}

func (t trafficSplitV1Reads) Get(ctx context.Context, name string, opts metav1.GetOptions) (*smiv1alpha1.TrafficSplit, error) {
	return t.m.splitsV1.get(ctx, t.ns, name, opts, t.TrafficSplitInterface.Get)
}

type gatewayReads struct {
	gwclient.Interface
	m *memos
}

func (c gatewayReads) GatewayV1() typedgwv1.GatewayV1Interface {
	return c.m.gateway
}

type gatewayV1Reads struct {
	typedgwv1.GatewayV1Interface
	m *memos
}

func (g gatewayV1Reads) HTTPRoutes(ns string) typedgwv1.HTTPRouteInterface {
	return client(g.m, "httproutes", ns, func() typedgwv1.HTTPRouteInterface {
		return httpRouteReads{HTTPRouteInterface: g.GatewayV1Interface.HTTPRoutes(ns), ns: ns, m: g.m}
	})
}

type httpRouteReads struct {
	typedgwv1.HTTPRouteInterface
	ns string
	m  *memos
}

func (h httpRouteReads) Get(ctx context.Context, name string, opts metav1.GetOptions) (*gwv1.HTTPRoute, error) {
	return h.m.routes.get(ctx, h.ns, name, opts, h.HTTPRouteInterface.Get)
}
