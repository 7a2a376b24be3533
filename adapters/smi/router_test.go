package smi

import (
	"context"
	"errors"
	"strings"
	"testing"

	splitv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	splitfake "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/fake"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

var podinfoTarget = engine.Target{SelectorLabel: "app", SelectorValue: "podinfo"}

func newRouter(objs ...runtime.Object) (*Router, *splitfake.Clientset) {
	split := splitfake.NewSimpleClientset(objs...)
	return NewRouter(kube.NewServices(fake.NewClientset()), split), split
}

func split(backends ...splitv1alpha2.TrafficSplitBackend) *splitv1alpha2.TrafficSplit {
	return &splitv1alpha2.TrafficSplit{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "test"},
		Spec:       splitv1alpha2.TrafficSplitSpec{Service: "podinfo", Backends: backends},
	}
}

func getSplit(t *testing.T, c *splitfake.Clientset) *splitv1alpha2.TrafficSplit {
	t.Helper()
	ts, err := c.SplitV1alpha2().TrafficSplits("test").Get(context.Background(), "podinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func countVerb(c *splitfake.Clientset, verb string) int {
	n := 0
	for _, a := range c.Actions() {
		if a.GetVerb() == verb {
			n++
		}
	}
	return n
}

func TestReconcileCreates(t *testing.T) {
	tests := []struct {
		name  string
		hosts []string
		root  string
	}{
		{name: "apex root", root: "podinfo"},
		{name: "hosts[0] root", hosts: []string{"podinfo.example.com", "other"}, root: "podinfo.example.com"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c := newRouter()
			cd := kubetest.Canary(func(cd *v1.Canary) { cd.Spec.Service.Hosts = tt.hosts })
			if err := r.Reconcile(context.Background(), cd, podinfoTarget); err != nil {
				t.Fatal(err)
			}
			ts := getSplit(t, c)
			checkInitialSplit(t, ts, tt.root)
			if len(ts.OwnerReferences) != 1 || ts.OwnerReferences[0].Kind != "Canary" || ts.OwnerReferences[0].Name != "podinfo" {
				t.Errorf("owners = %+v", ts.OwnerReferences)
			}
			routes, err := r.Routes(context.Background(), cd)
			if err != nil || routes != (decide.Routes{Primary: 100}) {
				t.Errorf("routes = %+v, %v", routes, err)
			}
		})
	}
}

// checkInitialSplit checks a new split: canary first at 0, primary at 100.
func checkInitialSplit(t *testing.T, ts *splitv1alpha2.TrafficSplit, root string) {
	t.Helper()
	want := []splitv1alpha2.TrafficSplitBackend{{Service: "podinfo-canary", Weight: 0}, {Service: "podinfo-primary", Weight: 100}}
	if ts.Spec.Service != root || len(ts.Spec.Backends) != 2 || ts.Spec.Backends[0] != want[0] || ts.Spec.Backends[1] != want[1] {
		t.Errorf("split spec = %+v, want service %s and backends %+v", ts.Spec, root, want)
	}
}

func TestReconcileExisting(t *testing.T) {
	tests := []struct {
		name        string
		existing    *splitv1alpha2.TrafficSplit
		wantUpdates int
		want        []splitv1alpha2.TrafficSplitBackend
	}{
		{
			name:     "names match: weights kept, no write",
			existing: split(splitv1alpha2.TrafficSplitBackend{Service: "podinfo-canary", Weight: 30}, splitv1alpha2.TrafficSplitBackend{Service: "podinfo-primary", Weight: 70}),
			want:     []splitv1alpha2.TrafficSplitBackend{{Service: "podinfo-canary", Weight: 30}, {Service: "podinfo-primary", Weight: 70}},
		},
		{
			name:        "backend order fixed, weights kept",
			existing:    split(splitv1alpha2.TrafficSplitBackend{Service: "podinfo-primary", Weight: 60}, splitv1alpha2.TrafficSplitBackend{Service: "podinfo-canary", Weight: 40}),
			wantUpdates: 1,
			want:        []splitv1alpha2.TrafficSplitBackend{{Service: "podinfo-canary", Weight: 40}, {Service: "podinfo-primary", Weight: 60}},
		},
		{
			name:        "zero-weight backend restored",
			existing:    split(splitv1alpha2.TrafficSplitBackend{Service: "podinfo-primary", Weight: 100}),
			wantUpdates: 1,
			want:        []splitv1alpha2.TrafficSplitBackend{{Service: "podinfo-canary", Weight: 0}, {Service: "podinfo-primary", Weight: 100}},
		},
		{
			name:        "foreign backends reset",
			existing:    split(splitv1alpha2.TrafficSplitBackend{Service: "old-canary", Weight: 20}, splitv1alpha2.TrafficSplitBackend{Service: "old-primary", Weight: 80}),
			wantUpdates: 1,
			want:        []splitv1alpha2.TrafficSplitBackend{{Service: "podinfo-canary", Weight: 0}, {Service: "podinfo-primary", Weight: 100}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c := newRouter(tt.existing)
			if err := r.Reconcile(context.Background(), kubetest.Canary(), podinfoTarget); err != nil {
				t.Fatal(err)
			}
			if n := countVerb(c, "update"); n != tt.wantUpdates {
				t.Errorf("%d updates, want %d", n, tt.wantUpdates)
			}
			got := getSplit(t, c).Spec.Backends
			if len(got) != len(tt.want) || got[0] != tt.want[0] || got[1] != tt.want[1] {
				t.Errorf("backends = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestSetRoutesRoundTrip(t *testing.T) {
	r, _ := newRouter()
	ctx := context.Background()
	cd := kubetest.Canary()
	if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	for _, want := range []decide.Routes{{Primary: 95, Canary: 5}, {Primary: 50, Canary: 50}, {Primary: 0, Canary: 100}, {Primary: 100}} {
		if err := r.SetRoutes(ctx, cd, want); err != nil {
			t.Fatalf("set %+v: %v", want, err)
		}
		got, err := r.Routes(ctx, cd)
		if err != nil || got != want {
			t.Errorf("routes = %+v, %v; want %+v", got, err, want)
		}
	}
}

func TestRoutesErrors(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		objs    []runtime.Object
		set     *decide.Routes
		wantErr string
	}{
		{
			name:    "no split",
			wantErr: "TrafficSplit podinfo.test get query error: ",
		},
		{
			name:    "both weights zero",
			objs:    []runtime.Object{split(splitv1alpha2.TrafficSplitBackend{Service: "podinfo-canary"}, splitv1alpha2.TrafficSplitBackend{Service: "podinfo-primary"})},
			wantErr: "TrafficSplit podinfo.test does not contain routes for podinfo-primary and podinfo-canary",
		},
		{
			name:    "backends missing",
			objs:    []runtime.Object{split(splitv1alpha2.TrafficSplitBackend{Service: "other", Weight: 100})},
			wantErr: "TrafficSplit podinfo.test does not contain routes for podinfo-primary and podinfo-canary",
		},
		{
			name:    "set: weights not adding up",
			objs:    []runtime.Object{split()},
			set:     &decide.Routes{Primary: 90, Canary: 20},
			wantErr: "TrafficSplit podinfo.test: weights primary 90 and canary 20 must be non-negative and add up to 100",
		},
		{
			name:    "set: negative weight",
			objs:    []runtime.Object{split()},
			set:     &decide.Routes{Primary: 110, Canary: -10},
			wantErr: "TrafficSplit podinfo.test: weights primary 110 and canary -10 must be",
		},
		{
			name:    "set: no split",
			set:     &decide.Routes{Primary: 90, Canary: 10},
			wantErr: "TrafficSplit podinfo.test get query error: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c := newRouter(tt.objs...)
			var err error
			if tt.set != nil {
				err = r.SetRoutes(ctx, kubetest.Canary(), *tt.set)
			} else {
				_, err = r.Routes(ctx, kubetest.Canary())
			}
			if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
				t.Errorf("error = %v, want prefix %q", err, tt.wantErr)
			}
			if n := countVerb(c, "update"); n != 0 {
				t.Errorf("%d writes after an error", n)
			}
		})
	}
}

func TestSetRoutesRetriesOnConflict(t *testing.T) {
	r, c := newRouter(split())
	conflicts := 1
	c.PrependReactor("update", "trafficsplits", func(k8stesting.Action) (bool, runtime.Object, error) {
		if conflicts == 0 {
			return false, nil, nil
		}
		conflicts--
		return true, nil, apierrors.NewConflict(schema.GroupResource{Group: "split.smi-spec.io", Resource: "trafficsplits"}, "podinfo", errors.New("changed"))
	})
	want := decide.Routes{Primary: 80, Canary: 20}
	if err := r.SetRoutes(context.Background(), kubetest.Canary(), want); err != nil {
		t.Fatal(err)
	}
	if got, err := r.Routes(context.Background(), kubetest.Canary()); err != nil || got != want {
		t.Errorf("routes = %+v, %v", got, err)
	}
}
