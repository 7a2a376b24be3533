package linkerd

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	splitv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha1"
	splitfake "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/fake"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"

	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

var podinfoTarget = engine.Target{SelectorLabel: "app", SelectorValue: "podinfo"}

func newRouter() (*Router, *splitfake.Clientset) {
	split := splitfake.NewSimpleClientset()
	return NewRouter(kube.NewServices(fake.NewClientset()), split), split
}

func linkerdCanary(mods ...func(*v1.Canary)) *v1.Canary {
	return kubetest.Canary(append([]func(*v1.Canary){func(cd *v1.Canary) { cd.Spec.Provider = "linkerd" }}, mods...)...)
}

// splitJSON is the TrafficSplit's spec as JSON, for exact comparisons.
func splitJSON(t *testing.T, c *splitfake.Clientset) string {
	t.Helper()
	ts, err := c.SplitV1alpha1().TrafficSplits("test").Get(context.Background(), "podinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	b, err := json.Marshal(ts.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestReconcileCreatesTheSplit(t *testing.T) {
	tests := []struct {
		name  string
		hosts []string
		want  string
	}{
		{name: "apex root", want: `{"service":"podinfo","backends":[{"service":"podinfo-canary","weight":"0"},{"service":"podinfo-primary","weight":"100"}]}`},
		{name: "hosts[0] root", hosts: []string{"podinfo.test.svc.cluster.local"},
			want: `{"service":"podinfo.test.svc.cluster.local","backends":[{"service":"podinfo-canary","weight":"0"},{"service":"podinfo-primary","weight":"100"}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c := newRouter()
			cd := linkerdCanary(func(cd *v1.Canary) { cd.Spec.Service.Hosts = tt.hosts })
			if err := r.Reconcile(context.Background(), cd, podinfoTarget); err != nil {
				t.Fatal(err)
			}
			if got := splitJSON(t, c); got != tt.want {
				t.Errorf("spec\n got %s\nwant %s", got, tt.want)
			}
			if routes, err := r.Routes(context.Background(), cd); err != nil || routes != (decide.Routes{Primary: 100}) {
				t.Errorf("Routes = %+v, %v; want 100/0", routes, err)
			}
		})
	}
}

func TestSetRoutesAtEachWeight(t *testing.T) {
	r, c := newRouter()
	cd := linkerdCanary()
	ctx := context.Background()
	if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	for _, step := range []decide.Routes{{Primary: 95, Canary: 5}, {Primary: 50, Canary: 50}, {Primary: 100}} {
		if err := r.SetRoutes(ctx, cd, step); err != nil {
			t.Fatal(err)
		}
		want := `{"service":"podinfo","backends":[{"service":"podinfo-canary","weight":"` + itoa(step.Canary) +
			`"},{"service":"podinfo-primary","weight":"` + itoa(step.Primary) + `"}]}`
		if got := splitJSON(t, c); got != want {
			t.Errorf("at %+v\n got %s\nwant %s", step, got, want)
		}
		if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
			t.Fatal(err)
		}
		if got, err := r.Routes(ctx, cd); err != nil || got != step {
			t.Errorf("Routes after Reconcile = %+v, %v; want %+v kept", got, err, step)
		}
	}
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestReconcileRenamesKeepingWeights(t *testing.T) {
	tests := []struct {
		name     string
		existing []splitv1alpha1.TrafficSplitBackend
		want     decide.Routes
	}{
		{name: "names fixed, weights kept", existing: []splitv1alpha1.TrafficSplitBackend{
			{Service: "podinfo-primary", Weight: resource.NewQuantity(70, resource.DecimalExponent)},
			{Service: "podinfo-canary", Weight: resource.NewQuantity(30, resource.DecimalExponent)},
			{Service: "stale", Weight: resource.NewQuantity(0, resource.DecimalExponent)},
		}, want: decide.Routes{Primary: 70, Canary: 30}},
		{name: "weights not adding up start over", existing: []splitv1alpha1.TrafficSplitBackend{
			{Service: "podinfo-primary", Weight: resource.NewQuantity(50, resource.DecimalExponent)},
			{Service: "stale", Weight: resource.NewQuantity(50, resource.DecimalExponent)},
		}, want: decide.Routes{Primary: 100}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c := newRouter()
			ts := &splitv1alpha1.TrafficSplit{
				ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "test"},
				Spec:       splitv1alpha1.TrafficSplitSpec{Service: "podinfo", Backends: tt.existing},
			}
			if _, err := c.SplitV1alpha1().TrafficSplits("test").Create(context.Background(), ts, metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
			cd := linkerdCanary()
			if err := r.Reconcile(context.Background(), cd, podinfoTarget); err != nil {
				t.Fatal(err)
			}
			if got, err := r.Routes(context.Background(), cd); err != nil || got != tt.want {
				t.Errorf("Routes = %+v, %v; want %+v", got, err, tt.want)
			}
		})
	}
}

func TestRouterErrors(t *testing.T) {
	ctx := context.Background()
	r, _ := newRouter()
	cd := linkerdCanary()
	if _, err := r.Routes(ctx, cd); err == nil || !strings.Contains(err.Error(), "TrafficSplit podinfo.test get query error") {
		t.Errorf("Routes without a split: err = %v", err)
	}
	if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	if err := r.SetRoutes(ctx, cd, decide.Routes{Primary: 90, Canary: 20}); err == nil ||
		!strings.Contains(err.Error(), "must be non-negative and add up to 100") {
		t.Errorf("SetRoutes 90/20: err = %v", err)
	}
}
