package main

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/runtime/serializer"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/cluster"
)

// The namespace and ServiceAccount the shipped manifests run the controller as.
const (
	controllerNamespace = "fledge-system"
	serviceAccount      = "system:serviceaccount:" + controllerNamespace + ":fledge"
)

// cluster is an envtest API server with an admin client.
type testCluster struct {
	env  *envtest.Environment
	c    client.Client
	kube kubernetes.Interface
}

// startCluster starts an API server with OwnerReferencesPermissionEnforcement
// enabled (as on OpenShift), so that creating an object owned by a Canary
// with blockOwnerDeletion needs update on canaries/finalizers.
func startCluster(t *testing.T) *testCluster {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets = "../../hack/bin/k8s"
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{"../../deploy/crds", "../../adapters/controller/testdata/crds"},
		ErrorIfCRDPathMissing: true,
	}
	env.ControlPlane.GetAPIServer().Configure().Append("enable-admission-plugins", "OwnerReferencesPermissionEnforcement")
	if _, err := env.Start(); err != nil {
		t.Fatalf("starting envtest (run `bash hack/envtest.sh` to build its binaries): %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	scheme := runtime.NewScheme()
	must(t, clientgoscheme.AddToScheme(scheme))
	must(t, v1.AddToScheme(scheme))
	c, err := client.New(env.Config, client.Options{Scheme: scheme})
	must(t, err)
	return &testCluster{env: env, c: c, kube: kubernetes.NewForConfigOrDie(env.Config)}
}

// shippedRBAC decodes deploy/rbac: the ServiceAccount, ClusterRole,
// ClusterRoleBinding, Role and RoleBinding, placed in the controller's
// namespace as kustomize would.
func shippedRBAC(t *testing.T) []client.Object {
	t.Helper()
	decoder := serializer.NewCodecFactory(clientgoscheme.Scheme).UniversalDeserializer()
	var out []client.Object
	for _, file := range []string{"serviceaccount.yaml", "clusterrole.yaml", "clusterrolebinding.yaml", "leader-election.yaml"} {
		data, err := os.ReadFile("../../deploy/rbac/" + file)
		must(t, err)
		for _, doc := range strings.Split(string(data), "\n---\n") {
			obj, _, err := decoder.Decode([]byte(doc), nil, nil)
			if err != nil {
				t.Fatalf("deploy/rbac/%s: %v", file, err)
			}
			out = append(out, placed(obj.(client.Object)))
		}
	}
	return out
}

// placed puts a namespaced RBAC object and its subjects in the controller's namespace.
func placed(obj client.Object) client.Object {
	switch o := obj.(type) {
	case *corev1.ServiceAccount, *rbacv1.Role:
		o.SetNamespace(controllerNamespace)
	case *rbacv1.RoleBinding:
		o.Namespace = controllerNamespace
		o.Subjects[0].Namespace = controllerNamespace
	case *rbacv1.ClusterRoleBinding:
		o.Subjects[0].Namespace = controllerNamespace
	}
	return obj
}

// apply creates the objects, or updates them when they exist.
func (tc *testCluster) apply(ctx context.Context, t *testing.T, objs ...client.Object) {
	t.Helper()
	for _, obj := range objs {
		obj = obj.DeepCopyObject().(client.Object)
		err := tc.c.Create(ctx, obj)
		if apierrors.IsAlreadyExists(err) {
			existing := obj.DeepCopyObject().(client.Object)
			must(t, tc.c.Get(ctx, client.ObjectKeyFromObject(obj), existing))
			obj.SetResourceVersion(existing.GetResourceVersion())
			err = tc.c.Update(ctx, obj)
		}
		must(t, err)
	}
}

// fakePrometheus answers every query with one value (vector(1) with 1).
type fakePrometheus struct {
	mu    sync.Mutex
	value float64
	srv   *httptest.Server
}

func newFakePrometheus(t *testing.T) *fakePrometheus {
	p := &fakePrometheus{value: 100}
	p.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		v := p.get()
		if r.URL.Query().Get("query") == "vector(1)" {
			v = 1
		}
		rw.Header().Set("Content-Type", "application/json")
		fmt.Fprintf(rw, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[%d,"%g"]}]}}`, time.Now().Unix(), v)
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func (p *fakePrometheus) set(v float64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.value = v
}

func (p *fakePrometheus) get() float64 {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.value
}

// rollout is podinfo in its own namespace, with everything the controller
// touches: a ConfigMap and a Secret in its pod template (copied to the
// primary), an HPA, a MetricTemplate in another namespace with a
// basic-auth Secret, a kubelet that readies Deployments after a delay.
type rollout struct {
	tc            *testCluster
	ns, templates string
	prom          *fakePrometheus
}

// canaryYAML is a one-second-interval canary: two steps of 25% to 50%,
// a builtin metric and a templated one, revertOnDeletion.
const canaryYAML = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: %[1]s
spec:
  provider: osm
  revertOnDeletion: true
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  autoscalerRef: {apiVersion: autoscaling/v2, kind: HorizontalPodAutoscaler, name: podinfo}
  progressDeadlineSeconds: 60
  service: {port: 9898, targetPort: 9898}
  analysis:
    interval: 1s
    threshold: 2
    maxWeight: 50
    stepWeight: 25
    metrics:
      - name: request-success-rate
        thresholdRange: {min: 99}
        interval: 1m
      - name: latency
        templateRef: {name: latency, namespace: %[2]s}
        thresholdRange: {max: 500}
        interval: 1m
`

func newRollout(ctx context.Context, t *testing.T, tc *testCluster, ns string, prom *fakePrometheus) *rollout {
	t.Helper()
	r := &rollout{tc: tc, ns: ns, templates: ns + "-templates", prom: prom}
	objs := []client.Object{
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.ns}},
		&corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: r.templates}},
		&corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "podinfo-config", Namespace: ns}, Data: map[string]string{"level": "info"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "podinfo-token", Namespace: ns}, StringData: map[string]string{"token": "t0"}},
		&corev1.Secret{ObjectMeta: metav1.ObjectMeta{Name: "prom-auth", Namespace: r.templates},
			StringData: map[string]string{"username": "fledge", "password": "s3cret"}},
		&v1.MetricTemplate{ObjectMeta: metav1.ObjectMeta{Name: "latency", Namespace: r.templates}, Spec: v1.MetricTemplateSpec{
			Provider: v1.MetricTemplateProvider{Type: "prometheus", Address: prom.srv.URL, SecretRef: &v1.SecretReference{Name: "prom-auth"}},
			Query:    `histogram_quantile(0.99, sum(rate(latency_bucket{namespace="{{ namespace }}"}[{{ interval }}])) by (le))`,
		}},
		r.deployment(),
		withNamespace(kubetest.HPA(), ns),
	}
	for _, obj := range objs {
		must(t, tc.c.Create(ctx, obj))
	}
	kubelet := cluster.NewKubelet(tc.kube, ns, 1500*time.Millisecond)
	kctx, stop := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for kctx.Err() == nil {
			_ = kubelet.Sync(kctx, time.Now())
			time.Sleep(100 * time.Millisecond)
		}
	}()
	t.Cleanup(func() { stop(); <-done })
	return r
}

func withNamespace[T client.Object](obj T, ns string) T {
	obj.SetNamespace(ns)
	return obj
}

func (r *rollout) deployment() *appsv1.Deployment {
	dep := withNamespace(kubetest.Deployment(), r.ns)
	dep.Spec.Template.Spec.Containers[0].EnvFrom = []corev1.EnvFromSource{
		{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "podinfo-config"}}},
		{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "podinfo-token"}}},
	}
	return dep
}

func (r *rollout) canary() (*v1.Canary, error) {
	m, err := v1.Decode([]byte(fmt.Sprintf(canaryYAML, r.ns, r.templates)))
	if err != nil {
		return nil, fmt.Errorf("decoding the canary: %w", err)
	}
	return &m.Canaries[0], nil
}

func (r *rollout) get(ctx context.Context) (*v1.Canary, error) {
	var cd v1.Canary
	err := r.tc.c.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: "podinfo"}, &cd)
	return &cd, err
}

// errAborted ends a run early: the journal shows a refused call.
var errAborted = errors.New("aborted")

// waitPhase waits for the canary's phase; abort ends the wait early.
func (r *rollout) waitPhase(ctx context.Context, phase v1.CanaryPhase, d time.Duration, abort func() bool) error {
	var last v1.CanaryPhase
	ok := waitFor(ctx, d, func() bool {
		if abort() {
			return true
		}
		cd, err := r.get(ctx)
		if err == nil {
			last = cd.Status.Phase
		}
		return last == phase
	})
	switch {
	case abort():
		return fmt.Errorf("waiting for phase %s: %w", phase, errAborted)
	case !ok:
		return fmt.Errorf("phase %q after %s, want %s", last, d, phase)
	}
	return nil
}

// update reads obj, changes it and writes it back, retrying conflicts.
func (r *rollout) update(ctx context.Context, obj client.Object, change func()) error {
	for range 5 {
		if err := r.tc.c.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			return err
		}
		change()
		err := r.tc.c.Update(ctx, obj)
		if !apierrors.IsConflict(err) {
			return err
		}
	}
	return fmt.Errorf("updating %s: too many conflicts", obj.GetName())
}

// newRevision changes the image, the ConfigMap and the HPA's maximum.
func (r *rollout) newRevision(ctx context.Context, image string, maxReplicas int32) error {
	dep := &appsv1.Deployment{ObjectMeta: metav1.ObjectMeta{Namespace: r.ns, Name: "podinfo"}}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: r.ns, Name: "podinfo-config"}}
	hpa := &autoscalingv2.HorizontalPodAutoscaler{ObjectMeta: metav1.ObjectMeta{Namespace: r.ns, Name: "podinfo"}}
	return errors.Join(
		r.update(ctx, cm, func() { cm.Data["level"] = image }),
		r.update(ctx, hpa, func() { hpa.Spec.MaxReplicas = maxReplicas }),
		r.update(ctx, dep, func() { dep.Spec.Template.Spec.Containers[0].Image = image }),
	)
}

// admin is the envtest admin config (for the proxies).
func (tc *testCluster) admin() *rest.Config { return tc.env.Config }

// checkPromoted: the primary runs the image with the new ConfigMap and HPA.
func (r *rollout) checkPromoted(ctx context.Context, image string, maxReplicas int32) error {
	var dep appsv1.Deployment
	var cm corev1.ConfigMap
	var hpa autoscalingv2.HorizontalPodAutoscaler
	if err := r.getAll(ctx, "podinfo-primary", &dep, &cm, &hpa); err != nil {
		return err
	}
	var problems []string
	if got := dep.Spec.Template.Spec.Containers[0].Image; got != image {
		problems = append(problems, "primary image "+got)
	}
	if cm.Name != "podinfo-config-primary" || cm.Data["level"] != image {
		problems = append(problems, fmt.Sprintf("primary ConfigMap %s %v", cm.Name, cm.Data))
	}
	if hpa.Spec.MaxReplicas != maxReplicas {
		problems = append(problems, fmt.Sprintf("primary HPA maxReplicas %d", hpa.Spec.MaxReplicas))
	}
	if len(problems) > 0 {
		return fmt.Errorf("after promoting %s: %s", image, strings.Join(problems, "; "))
	}
	return nil
}

func (r *rollout) getAll(ctx context.Context, name string, dep *appsv1.Deployment, cm *corev1.ConfigMap, hpa *autoscalingv2.HorizontalPodAutoscaler) error {
	if err := r.tc.c.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: name}, dep); err != nil {
		return fmt.Errorf("primary Deployment: %w", err)
	}
	if err := r.tc.c.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: "podinfo-config-primary"}, cm); err != nil {
		return fmt.Errorf("primary ConfigMap: %w", err)
	}
	if err := r.tc.c.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: name}, hpa); err != nil {
		return fmt.Errorf("primary HPA: %w", err)
	}
	return nil
}

// weights reads the TrafficSplit's backend weights by service.
func (r *rollout) weights(ctx context.Context) (map[string]int64, error) {
	ts := &unstructured.Unstructured{}
	ts.SetGroupVersionKind(schema.GroupVersionKind{Group: "split.smi-spec.io", Version: "v1alpha2", Kind: "TrafficSplit"})
	if err := r.tc.c.Get(ctx, client.ObjectKey{Namespace: r.ns, Name: "podinfo"}, ts); err != nil {
		return nil, fmt.Errorf("TrafficSplit: %w", err)
	}
	backends, _, _ := unstructured.NestedSlice(ts.Object, "spec", "backends")
	out := map[string]int64{}
	for _, b := range backends {
		m, _ := b.(map[string]any)
		svc, _ := m["service"].(string)
		w, _ := m["weight"].(int64)
		out[svc] = w
	}
	return out, nil
}

func nsObject(name string) *corev1.Namespace {
	ns := &corev1.Namespace{}
	ns.Name = name
	return ns
}
