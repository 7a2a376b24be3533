package smi

import (
	"context"
	"fmt"
	"slices"
	"testing"

	splitfake "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/fake"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// cluster is the tutorial's podinfo namespace on fake clientsets, with the
// real adapters on top.
type cluster struct {
	kube     *fake.Clientset
	split    *splitfake.Clientset
	workload *kube.Workload
	router   *Router
}

func newCluster() *cluster {
	c := &cluster{
		kube:  fake.NewClientset(kubetest.Deployment(), kubetest.HPA()),
		split: splitfake.NewSimpleClientset(),
	}
	c.workload = kube.NewWorkload(c.kube, kube.Options{ConfigTracking: true})
	c.router = NewRouter(kube.NewServices(c.kube), c.split)
	return c
}

// bootstrap runs what the engine runs on a new Canary's first tick.
func (c *cluster) bootstrap(ctx context.Context, cd *v1.Canary) error {
	target, err := c.workload.Observe(ctx, cd)
	if err != nil {
		return err
	}
	if err := c.workload.EnsurePrimary(ctx, cd); err != nil {
		return err
	}
	if err := c.workload.EnsurePrimaryScaler(ctx, cd, true); err != nil {
		return err
	}
	if err := c.router.Reconcile(ctx, cd, target); err != nil {
		return err
	}
	return c.workload.ScaleToZero(ctx, cd)
}

// created lists "resource/name" of every object created, sorted.
func (c *cluster) created() []string {
	var out []string
	for _, actions := range [][]k8stesting.Action{c.kube.Actions(), c.split.Actions()} {
		for _, a := range actions {
			if create, ok := a.(k8stesting.CreateAction); ok {
				obj := create.GetObject().(metav1.Object)
				out = append(out, a.GetResource().Resource+"/"+obj.GetName())
			}
		}
	}
	slices.Sort(out)
	return out
}

func TestBootstrapPodinfo(t *testing.T) {
	ctx := context.Background()
	c := newCluster()
	cd := kubetest.Canary()
	if err := c.bootstrap(ctx, cd); err != nil {
		t.Fatal(err)
	}
	want := []string{
		"deployments/podinfo-primary",
		"horizontalpodautoscalers/podinfo-primary",
		"services/podinfo", "services/podinfo-canary", "services/podinfo-primary",
		"trafficsplits/podinfo",
	}
	if got := c.created(); !slices.Equal(got, want) {
		t.Fatalf("created %v, want %v", got, want)
	}
	checkBootstrapped(t, c)
	checkInitialSplit(t, getSplit(t, c.split), "podinfo")

	// A second tick creates nothing more and rewrites nothing.
	before := len(c.created())
	if err := c.bootstrap(ctx, cd); err != nil {
		t.Fatal(err)
	}
	if after := len(c.created()); after != before {
		t.Errorf("second bootstrap created %d objects", after-before)
	}
}

// checkBootstrapped checks the key fields of the tutorial's objects after
// the first tick.
func checkBootstrapped(t *testing.T, c *cluster) {
	t.Helper()
	ctx := context.Background()
	primary, err := c.kube.AppsV1().Deployments("test").Get(ctx, "podinfo-primary", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if *primary.Spec.Replicas != 1 || primary.Spec.Selector.MatchLabels["app"] != "podinfo-primary" ||
		primary.Spec.Template.Spec.Containers[0].Image != kubetest.Image ||
		primary.Spec.Template.Annotations[kube.FlaggerIDAnnotation] == "" ||
		primary.OwnerReferences[0].Kind != "Canary" {
		t.Errorf("primary = %+v", primary)
	}
	target, _ := c.kube.AppsV1().Deployments("test").Get(ctx, "podinfo", metav1.GetOptions{})
	if *target.Spec.Replicas != 0 {
		t.Errorf("target replicas = %d, want 0", *target.Spec.Replicas)
	}
	hpa, _ := c.kube.AutoscalingV2().HorizontalPodAutoscalers("test").Get(ctx, "podinfo-primary", metav1.GetOptions{})
	if hpa.Spec.ScaleTargetRef.Name != "podinfo-primary" || *hpa.Spec.MinReplicas != 2 || hpa.Spec.MaxReplicas != 4 {
		t.Errorf("primary HPA = %+v", hpa.Spec)
	}
	for name, selector := range map[string]string{"podinfo": "podinfo-primary", "podinfo-primary": "podinfo-primary", "podinfo-canary": "podinfo"} {
		svc, _ := c.kube.CoreV1().Services("test").Get(ctx, name, metav1.GetOptions{})
		if svc.Spec.Selector["app"] != selector || svc.Spec.Ports[0].Port != kubetest.Port || svc.Spec.Ports[0].Name != "http" {
			t.Errorf("service %s = %+v", name, svc.Spec)
		}
	}
}

// The first tick of the tutorial's Canary, then a canary step of 5%.
func ExampleRouter() {
	ctx := context.Background()
	c := newCluster()
	cd := kubetest.Canary()
	if err := c.bootstrap(ctx, cd); err != nil {
		fmt.Println(err)
		return
	}
	for _, obj := range c.created() {
		fmt.Println("created", obj)
	}
	routes, _ := c.router.Routes(ctx, cd)
	fmt.Printf("primary %d%%, canary %d%%\n", routes.Primary, routes.Canary)
	routes.Primary, routes.Canary = 95, 5
	if err := c.router.SetRoutes(ctx, cd, routes); err != nil {
		fmt.Println(err)
		return
	}
	routes, _ = c.router.Routes(ctx, cd)
	fmt.Printf("primary %d%%, canary %d%%\n", routes.Primary, routes.Canary)
	// Output:
	// created deployments/podinfo-primary
	// created horizontalpodautoscalers/podinfo-primary
	// created services/podinfo
	// created services/podinfo-canary
	// created services/podinfo-primary
	// created trafficsplits/podinfo
	// primary 100%, canary 0%
	// primary 95%, canary 5%
}
