package install

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// cluster is a fresh envtest API server (kube-apiserver and etcd, no
// CRDs) with kubectl and clients for it.
type cluster struct {
	kubectl *kubectl
	kube    kubernetes.Interface
	dyn     dynamic.Interface
}

// freshCluster starts an empty API server for the test. The binaries come
// from KUBEBUILDER_ASSETS (make test sets it) or hack/bin/k8s
// (hack/envtest.sh builds them); without them the test fails, saying so.
func freshCluster(t *testing.T) *cluster {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets = filepath.Join("..", "..", "hack", "bin", "k8s")
	}
	if _, err := os.Stat(filepath.Join(assets, "kube-apiserver")); err != nil {
		t.Fatalf("no envtest binaries in %s: run `bash hack/envtest.sh` (make test does) or set KUBEBUILDER_ASSETS: %v", assets, err)
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest: %v", err)
	}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stopping envtest: %v", err)
		}
	})
	return &cluster{kubectl: newKubectl(t, cfg), kube: kubernetes.NewForConfigOrDie(cfg), dyn: dynamic.NewForConfigOrDie(rest.CopyConfig(cfg))}
}

// object names an object an install must create.
type object struct {
	gvr             schema.GroupVersionResource
	namespace, name string
}

var (
	namespaces  = schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}
	crds        = schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	deployments = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
)

// installed are the objects both install paths create in namespace ns.
func installed(ns string) []object {
	rbac := func(r string) schema.GroupVersionResource {
		return schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: r}
	}
	core := func(r string) schema.GroupVersionResource {
		return schema.GroupVersionResource{Version: "v1", Resource: r}
	}
	return []object{
		{namespaces, "", ns},
		{crds, "", "canaries.flagger.app"},
		{crds, "", "metrictemplates.flagger.app"},
		{core("serviceaccounts"), ns, "fledge"},
		{rbac("clusterroles"), "", "fledge"},
		{rbac("clusterrolebindings"), "", "fledge"},
		{rbac("roles"), ns, "fledge-leader-election"},
		{rbac("rolebindings"), ns, "fledge-leader-election"},
		{core("services"), ns, "fledge"},
		{deployments, ns, "fledge"},
	}
}

// get reads an object (nil when it does not exist).
func (c *cluster) get(t *testing.T, o object) *unstructured.Unstructured {
	t.Helper()
	got, err := c.dyn.Resource(o.gvr).Namespace(o.namespace).Get(context.Background(), o.name, metav1.GetOptions{})
	if err != nil {
		return nil
	}
	return got
}

// checkInstalled expects every object of an install in ns, the
// controller's image by release version and its OSM flags.
func (c *cluster) checkInstalled(t *testing.T, ns string) {
	t.Helper()
	for _, o := range installed(ns) {
		if c.get(t, o) == nil {
			t.Errorf("%s %s/%s was not created", o.gvr.Resource, o.namespace, o.name)
		}
	}
	dep := c.get(t, object{deployments, ns, "fledge"})
	if dep == nil {
		return
	}
	if img := field(dep, "spec", "template", "spec", "containers", "0", "image"); img != "ghcr.io/fledge-canary/fledge-controller:v0.9.0" {
		t.Errorf("controller image %v, want ghcr.io/fledge-canary/fledge-controller:v0.9.0", img)
	}
	a, _ := field(dep, "spec", "template", "spec", "containers", "0", "args").([]any)
	joined := strings.Join(toStrings(a), " ")
	for _, want := range []string{"-mesh-provider=osm", "-metrics-server=http://osm-prometheus.osm-system.svc:7070"} {
		if !strings.Contains(joined, want) {
			t.Errorf("controller args %q lack %s", joined, want)
		}
	}
	binding := c.get(t, object{schema.GroupVersionResource{Group: "rbac.authorization.k8s.io", Version: "v1", Resource: "clusterrolebindings"}, "", "fledge"})
	if got := field(binding, "subjects", "0", "namespace"); got != ns {
		t.Errorf("ClusterRoleBinding fledge binds the ServiceAccount of namespace %v, want %s", got, ns)
	}
}

func toStrings(a []any) []string {
	out := make([]string, len(a))
	for i, v := range a {
		out[i], _ = v.(string)
	}
	return out
}

// TestKubectlApplyKustomizeOSM runs `kubectl apply -k deploy/kustomize/osm`
// on a cluster without osm-system (it is created with the rest; a second
// apply changes nothing; the documented uninstall keeps the namespace and
// the CRDs) and on one where OSM made osm-system already (its labels stay).
func TestKubectlApplyKustomizeOSM(t *testing.T) {
	overlay := repoPath(t, "deploy/kustomize/osm")
	t.Run("without osm-system", func(t *testing.T) {
		c := freshCluster(t)
		out, err := c.kubectl.run(nil, "apply", "-k", overlay)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if !strings.Contains(out, "namespace/osm-system created") {
			t.Errorf("kubectl apply -k printed %q, want namespace/osm-system created", out)
		}
		c.checkInstalled(t, "osm-system")
		out, err = c.kubectl.run(nil, "apply", "-k", overlay)
		if err != nil || strings.Contains(out, "created") || strings.Contains(out, "configured") {
			t.Errorf("second kubectl apply -k: %v\n%s\nwant every object unchanged", err, out)
		}
		out, err = c.kubectl.run(nil, "delete", "-k", overlay, "-l", "app.kubernetes.io/name=fledge")
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		if c.get(t, object{deployments, "osm-system", "fledge"}) != nil {
			t.Error("the documented uninstall left the controller Deployment")
		}
		ns := c.get(t, object{namespaces, "", "osm-system"})
		if ns == nil || ns.GetDeletionTimestamp() != nil || c.get(t, object{crds, "", "canaries.flagger.app"}) == nil {
			t.Errorf("the documented uninstall deleted osm-system or the CRDs:\n%s", out)
		}
	})
	t.Run("with OSM's osm-system", func(t *testing.T) {
		c := freshCluster(t)
		osmNS := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "osm-system",
			Labels: map[string]string{"openservicemesh.io/monitored-by": "osm"}}}
		if _, err := c.kube.CoreV1().Namespaces().Create(context.Background(), osmNS, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		out, err := c.kubectl.run(nil, "apply", "-k", overlay)
		if err != nil {
			t.Fatalf("%v\n%s", err, out)
		}
		c.checkInstalled(t, "osm-system")
		ns := c.get(t, object{namespaces, "", "osm-system"})
		if ns.GetLabels()["openservicemesh.io/monitored-by"] != "osm" {
			t.Errorf("kubectl apply -k changed OSM's namespace labels to %v", ns.GetLabels())
		}
	})
}

// TestHelmTemplateKubectlApply pipes `helm template fledge
// deploy/chart/fledge -n osm-system --include-crds` into `kubectl apply -f -`
// on a fresh cluster with the namespace created first (as
// `kubectl create namespace osm-system` or helm's --create-namespace would).
func TestHelmTemplateKubectlApply(t *testing.T) {
	stream, err := manifest(loadChart(t), "meshProvider=osm", "metricsServer=http://osm-prometheus.osm-system.svc:7070")
	if err != nil {
		t.Fatal(err)
	}
	c := freshCluster(t)
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: release.Namespace}}
	if _, err := c.kube.CoreV1().Namespaces().Create(context.Background(), ns, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	out, err := c.kubectl.run(strings.NewReader(stream), "apply", "-f", "-")
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	c.checkInstalled(t, release.Namespace)
}
