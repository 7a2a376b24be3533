package kubecache_test

import (
	"context"
	"errors"
	"reflect"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	kubefake "k8s.io/client-go/kubernetes/fake"
	clocktesting "k8s.io/utils/clock/testing"
	"sigs.k8s.io/controller-runtime/pkg/client"

	smiv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha1"
	smiv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	smifake "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/fake"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwfake "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/fake"

	"github.com/fledge-canary/fledge/adapters/kubecache"
)

const ns = "test"

// cache is a hand-moved informer cache: it holds what put gave it, as a
// watch event would, and answers metadata-only reads from it too.
type cache struct{ objs map[string]client.Object }

func cacheKey(kind, namespace, name string) string { return kind + "/" + namespace + "/" + name }

func kindOf(obj client.Object) string {
	switch obj.(type) {
	case *appsv1.Deployment:
		return "Deployment"
	case *corev1.Service:
		return "Service"
	case *corev1.ConfigMap:
		return "ConfigMap"
	case *smiv1alpha2.TrafficSplit:
		return "TrafficSplit"
	case *smiv1alpha1.TrafficSplit:
		return "TrafficSplit.v1alpha1"
	case *gwv1.HTTPRoute:
		return "HTTPRoute"
	}
	return obj.GetObjectKind().GroupVersionKind().Kind
}

func (c *cache) put(obj client.Object) {
	c.objs[cacheKey(kindOf(obj), obj.GetNamespace(), obj.GetName())] = obj.DeepCopyObject().(client.Object)
}

func (c *cache) Get(_ context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	stored, ok := c.objs[cacheKey(kindOf(obj), key.Namespace, key.Name)]
	if !ok {
		return apierrors.NewNotFound(schema.GroupResource{Resource: kindOf(obj)}, key.Name)
	}
	if meta, ok := obj.(*metav1.PartialObjectMetadata); ok {
		stored.(metav1.ObjectMetaAccessor).GetObjectMeta().(*metav1.ObjectMeta).DeepCopyInto(&meta.ObjectMeta)
		return nil
	}
	var getOpts client.GetOptions
	getOpts.ApplyOptions(opts)
	if getOpts.UnsafeDisableDeepCopy != nil && *getOpts.UnsafeDisableDeepCopy {
		// As controller-runtime's cache: a new struct sharing the stored
		// object's maps, slices and pointers.
		reflect.ValueOf(obj).Elem().Set(reflect.ValueOf(stored).Elem())
		return nil
	}
	reflect.ValueOf(obj).Elem().Set(reflect.ValueOf(stored.DeepCopyObject()).Elem())
	obj.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{Kind: kindOf(obj)}) // as controller-runtime's cache
	return nil
}

func (c *cache) List(context.Context, client.ObjectList, ...client.ListOption) error {
	return errors.New("not used")
}

// world is an API server (the fake clientsets, counting the reads they
// answer) and the cache of it.
type world struct {
	kube    *kubefake.Clientset
	smi     *smifake.Clientset
	gw      *gwfake.Clientset
	cache   *cache
	clock   *clocktesting.FakeClock
	clients *kubecache.Clients
}

func newWorld(objs ...client.Object) *world {
	w := &world{
		kube:  kubefake.NewClientset(),
		smi:   smifake.NewSimpleClientset(),
		gw:    gwfake.NewSimpleClientset(),
		cache: &cache{objs: map[string]client.Object{}},
		clock: clocktesting.NewFakeClock(time.Date(2026, 12, 3, 0, 0, 0, 0, time.UTC)),
	}
	for _, o := range objs {
		switch o.(type) {
		case *smiv1alpha2.TrafficSplit, *smiv1alpha1.TrafficSplit:
			_ = w.smi.Tracker().Add(o)
		case *gwv1.HTTPRoute:
			_ = w.gw.Tracker().Add(o)
		default:
			_ = w.kube.Tracker().Add(o)
		}
		w.cache.put(o)
	}
	w.clients = kubecache.New(w.kube, w.smi, w.gw, w.cache, w.clock)
	return w
}

// liveGets is how many reads the API server answered.
func (w *world) liveGets() int {
	n := 0
	actions := append(append(w.kube.Actions(), w.smi.Actions()...), w.gw.Actions()...)
	for _, a := range actions {
		if a.GetVerb() == "get" {
			n++
		}
	}
	return n
}

func deployment(version string, replicas int32) *appsv1.Deployment {
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: ns, ResourceVersion: version},
		Spec:       appsv1.DeploymentSpec{Replicas: &replicas},
	}
}

func configMap(version, value string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo-config", Namespace: ns, ResourceVersion: version},
		Data:       map[string]string{"color": value},
	}
}

func replicasOf(t *testing.T, w *world) int32 {
	t.Helper()
	dep, err := w.clients.Kubernetes.AppsV1().Deployments(ns).Get(context.Background(), "podinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if dep.Kind != "" {
		t.Errorf("Get answered with kind %q; the clientset answers without TypeMeta", dep.Kind)
	}
	return *dep.Spec.Replicas
}

func TestCachedObjectCostsNoRequest(t *testing.T) {
	w := newWorld(deployment("1", 2))
	for range 3 {
		if got := replicasOf(t, w); got != 2 {
			t.Fatalf("replicas %d, want 2", got)
		}
	}
	if n := w.liveGets(); n != 0 {
		t.Errorf("%d reads reached the API server, want none", n)
	}
	if hits := w.clients.Counts.Hits(); hits != 3 {
		t.Errorf("cache hits %d, want 3", hits)
	}
}

func TestObjectMissingFromCacheIsReadFromAPIServer(t *testing.T) {
	w := newWorld()
	ctx := context.Background()
	_ = w.kube.Tracker().Add(deployment("1", 4)) // created a moment ago: no watch event yet
	if got := replicasOf(t, w); got != 4 {
		t.Fatalf("replicas %d, want 4", got)
	}
	_, err := w.clients.Kubernetes.CoreV1().Services(ns).Get(ctx, "podinfo", metav1.GetOptions{})
	if !apierrors.IsNotFound(err) {
		t.Errorf("Get of a Service nowhere: %v, want the API server's NotFound", err)
	}
	if n := w.liveGets(); n != 2 {
		t.Errorf("%d reads reached the API server, want 2", n)
	}
}

func TestReadsNeverOlderThanOwnWrite(t *testing.T) {
	w := newWorld(deployment("1", 2))
	ctx := context.Background()
	api := w.clients.Kubernetes.AppsV1().Deployments(ns)
	answer, err := api.Update(ctx, deployment("2", 5), metav1.UpdateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	// The cache still holds version 1: read from the API server.
	if got := replicasOf(t, w); got != 5 {
		t.Fatalf("after the write, before its watch event: replicas %d, want 5", got)
	}
	if n := w.liveGets(); n != 1 {
		t.Fatalf("%d reads reached the API server, want 1", n)
	}
	w.cache.put(answer) // the watch event
	if got := replicasOf(t, w); got != 5 {
		t.Fatalf("after the watch event: replicas %d, want 5", got)
	}
	if n := w.liveGets(); n != 1 {
		t.Errorf("after the watch event, %d reads reached the API server, want still 1", n)
	}
	if p := w.clients.Pending(); p != 0 {
		t.Errorf("%d writes pending after the cache showed them, want 0", p)
	}
}

func TestCacheShowingALaterVersionHoldsTheWrite(t *testing.T) {
	w := newWorld(deployment("1", 2))
	ctx := context.Background()
	patch := []byte(`{"spec":{"replicas":0}}`)
	if _, err := w.clients.Kubernetes.AppsV1().Deployments(ns).Patch(ctx, "podinfo", types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
		t.Fatal(err)
	}
	// The Deployment controller updated the status after our write.
	w.cache.put(deployment("7", 0))
	if got := replicasOf(t, w); got != 0 {
		t.Fatalf("replicas %d, want 0", got)
	}
	if n := w.liveGets(); n != 0 {
		t.Errorf("%d reads reached the API server, want none: version 7 follows the written one", n)
	}
}

func TestPendingWriteTrustsCacheAfterAMinute(t *testing.T) {
	w := newWorld(deployment("1", 2))
	ctx := context.Background()
	if _, err := w.clients.Kubernetes.AppsV1().Deployments(ns).Update(ctx, deployment("5", 0), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	// The cache's watch is lost: it never shows the write.
	if got := replicasOf(t, w); got != 0 {
		t.Fatalf("replicas %d, want the API server's 0", got)
	}
	if n := w.liveGets(); n != 1 {
		t.Fatalf("%d reads reached the API server, want 1", n)
	}
	w.clock.Step(61 * time.Second)
	if got := replicasOf(t, w); got != 2 {
		t.Errorf("a minute later: replicas %d, want the cache's 2", got)
	}
	if n := w.liveGets(); n != 1 {
		t.Errorf("a minute later, %d reads reached the API server, want still 1", n)
	}
}

func TestConfigContentReadOncePerVersion(t *testing.T) {
	w := newWorld(configMap("1", "blue"))
	ctx := context.Background()
	read := func() string {
		cm, err := w.clients.Kubernetes.CoreV1().ConfigMaps(ns).Get(ctx, "podinfo-config", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return cm.Data["color"]
	}
	tests := []struct {
		name      string
		change    *corev1.ConfigMap // written to the API server and the cache first
		wantColor string
		wantGets  int
	}{
		{name: "first read", wantColor: "blue", wantGets: 1},
		{name: "same version", wantColor: "blue", wantGets: 1},
		{name: "changed", change: configMap("2", "green"), wantColor: "green", wantGets: 2},
		{name: "same version again", wantColor: "green", wantGets: 2},
	}
	for _, tt := range tests {
		if tt.change != nil {
			if err := w.kube.Tracker().Update(corev1.SchemeGroupVersion.WithResource("configmaps"), tt.change, ns); err != nil {
				t.Fatal(err)
			}
			w.cache.put(tt.change)
		}
		if got := read(); got != tt.wantColor {
			t.Errorf("%s: color %q, want %q", tt.name, got, tt.wantColor)
		}
		if n := w.liveGets(); n != tt.wantGets {
			t.Errorf("%s: %d reads reached the API server, want %d", tt.name, n, tt.wantGets)
		}
	}
}

func TestGetOfAVersionAsksAPIServer(t *testing.T) {
	w := newWorld(deployment("1", 2))
	_, err := w.clients.Kubernetes.AppsV1().Deployments(ns).Get(context.Background(), "podinfo", metav1.GetOptions{ResourceVersion: "0"})
	if err != nil {
		t.Fatal(err)
	}
	if n := w.liveGets(); n != 1 {
		t.Errorf("%d reads reached the API server, want 1", n)
	}
}

func TestTrafficSplitServedByCache(t *testing.T) {
	ts := &smiv1alpha2.TrafficSplit{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: ns, ResourceVersion: "3"},
		Spec:       smiv1alpha2.TrafficSplitSpec{Service: "podinfo"},
	}
	w := newWorld(ts)
	got, err := w.clients.SMI.SplitV1alpha2().TrafficSplits(ns).Get(context.Background(), "podinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Spec.Service != "podinfo" {
		t.Errorf("spec.service %q, want podinfo", got.Spec.Service)
	}
	if n := w.liveGets(); n != 0 {
		t.Errorf("%d reads reached the API server, want none", n)
	}
}

func TestMeshRoutesServedByCache(t *testing.T) {
	meta := metav1.ObjectMeta{Name: "podinfo", Namespace: ns, ResourceVersion: "3"}
	w := newWorld(
		&smiv1alpha1.TrafficSplit{ObjectMeta: meta, Spec: smiv1alpha1.TrafficSplitSpec{Service: "podinfo"}},
		&gwv1.HTTPRoute{ObjectMeta: meta, Spec: gwv1.HTTPRouteSpec{Hostnames: []gwv1.Hostname{"podinfo"}}},
	)
	ctx := context.Background()
	ts, err := w.clients.SMI.SplitV1alpha1().TrafficSplits(ns).Get(ctx, "podinfo", metav1.GetOptions{})
	if err != nil || ts.Spec.Service != "podinfo" {
		t.Fatalf("v1alpha1 TrafficSplit: %v, %v", ts, err)
	}
	route, err := w.clients.Gateway.GatewayV1().HTTPRoutes(ns).Get(ctx, "podinfo", metav1.GetOptions{})
	if err != nil || len(route.Spec.Hostnames) != 1 {
		t.Fatalf("HTTPRoute: %v, %v", route, err)
	}
	if n := w.liveGets(); n != 0 {
		t.Errorf("%d reads reached the API server, want none", n)
	}
	// A write, then a read before the cache shows it: from the API server.
	route.ResourceVersion = "4"
	if _, err := w.clients.Gateway.GatewayV1().HTTPRoutes(ns).Update(ctx, route, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := w.clients.Gateway.GatewayV1().HTTPRoutes(ns).Get(ctx, "podinfo", metav1.GetOptions{}); err != nil {
		t.Fatal(err)
	}
	if n := w.liveGets(); n != 1 {
		t.Errorf("after a write: %d reads reached the API server, want 1", n)
	}
}

// A reader that changes a shared object instead of copying it is reported
// by CheckShared at the next read of that version; one that copies first
// is not.
func TestCheckSharedFindsChangedObjects(t *testing.T) {
	ctx := context.Background()
	dep := deployment("1", 2)
	dep.Spec.Template.Labels = map[string]string{"app": "podinfo"}
	w := newWorld(dep, configMap("7", "blue"))
	var changed []string
	w.clients.CheckShared(kubecache.NewSharedCheck(func(what string) { changed = append(changed, what) }))
	deps := w.clients.Kubernetes.AppsV1().Deployments(ns)
	cms := w.clients.Kubernetes.CoreV1().ConfigMaps(ns)

	read := func() (*appsv1.Deployment, *corev1.ConfigMap) {
		t.Helper()
		d, err := deps.Get(ctx, "podinfo", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		cm, err := cms.Get(ctx, "podinfo-config", metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return d, cm
	}
	d, cm := read()
	copied := d.DeepCopy()
	copied.Spec.Template.Labels["app"] = "changed on a copy"
	copied.Spec.Replicas = nil
	read()
	if len(changed) != 0 {
		t.Fatalf("changes of copies reported: %q", changed)
	}

	d.Spec.Template.Labels["app"] = "changed in place"
	cm.Data["color"] = "green"
	read()
	want := []string{
		"Deployment test/podinfo (resourceVersion 1) was changed by one of its readers",
		"ConfigMap test/podinfo-config (resourceVersion 7) was changed by one of its readers",
	}
	if !reflect.DeepEqual(changed, want) {
		t.Errorf("reported %q, want %q", changed, want)
	}
}
