package kube

import (
	"context"
	"strconv"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// TestServicesInSyncRemembered: once Reconcile found the Services in sync,
// a change of any input it is built from (the Canary's generation, the
// target's selector, a Service's version) makes the next Reconcile compare
// again and repair; nothing else does.
func TestServicesInSyncRemembered(t *testing.T) {
	for _, tt := range []struct {
		name string
		// change alters the Canary, the target or the cluster after the
		// Services were found in sync.
		change func(t *testing.T, c *fake.Clientset, cd *v1.Canary, target *engine.Target)
		// canarySelector is the -canary Service's selector value after
		// the next Reconcile.
		canarySelector string
		// remembered says whether the next Reconcile had nothing to do.
		remembered bool
	}{
		{
			name:           "nothing changed",
			change:         func(*testing.T, *fake.Clientset, *v1.Canary, *engine.Target) {},
			canarySelector: "podinfo", remembered: true,
		},
		{
			name: "a Service edited by someone else",
			change: func(t *testing.T, c *fake.Clientset, _ *v1.Canary, _ *engine.Target) {
				svc := getService(t, c, "podinfo-canary").DeepCopy()
				svc.Spec.Selector = map[string]string{"app": "other"}
				if _, err := c.CoreV1().Services("test").Update(context.Background(), svc, metav1.UpdateOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			canarySelector: "podinfo",
		},
		{
			name: "a Service deleted",
			change: func(t *testing.T, c *fake.Clientset, _ *v1.Canary, _ *engine.Target) {
				if err := c.CoreV1().Services("test").Delete(context.Background(), "podinfo-canary", metav1.DeleteOptions{}); err != nil {
					t.Fatal(err)
				}
			},
			canarySelector: "podinfo",
		},
		{
			name: "the target's selector value",
			change: func(_ *testing.T, _ *fake.Clientset, _ *v1.Canary, target *engine.Target) {
				target.SelectorValue = "web"
			},
			canarySelector: "web",
		},
		{
			name: "a new generation of the Canary",
			change: func(_ *testing.T, _ *fake.Clientset, cd *v1.Canary, _ *engine.Target) {
				cd.Spec.Service.Canary = &v1.CustomMetadata{Labels: map[string]string{"tier": "web"}}
				cd.ResourceVersion, cd.Generation = "2", 2
			},
			canarySelector: "podinfo",
		},
		{
			name: "a new status of the Canary",
			change: func(_ *testing.T, _ *fake.Clientset, cd *v1.Canary, _ *engine.Target) {
				cd.Status.Phase, cd.ResourceVersion = v1.PhaseProgressing, "2"
			},
			canarySelector: "podinfo", remembered: true,
		},
		{
			// Not something the API server does: it shows that an
			// unchanged generation is trusted.
			name: "the spec changed in place, same generation",
			change: func(_ *testing.T, _ *fake.Clientset, cd *v1.Canary, _ *engine.Target) {
				cd.Spec.Service.Port = 8080
			},
			canarySelector: "podinfo", remembered: true,
		},
		{
			name: "the spec changed in place, no version (the simulator's)",
			change: func(_ *testing.T, _ *fake.Clientset, cd *v1.Canary, _ *engine.Target) {
				cd.Spec.Service.Port, cd.ResourceVersion = 8080, ""
			},
			canarySelector: "podinfo",
		},
	} {
		t.Run(tt.name, func(t *testing.T) {
			c := versioned(fake.NewClientset())
			cd := kubetest.Canary(func(cd *v1.Canary) { cd.ResourceVersion, cd.Generation = "1", 1 })
			target := podinfoTarget
			s := NewServices(c)
			ctx := context.Background()
			for range 2 { // creates, then finds them in sync
				if err := s.Reconcile(ctx, cd, target); err != nil {
					t.Fatal(err)
				}
			}
			tt.change(t, c, cd, &target)
			before := len(c.Actions())
			if err := s.Reconcile(ctx, cd, target); err != nil {
				t.Fatal(err)
			}
			canary := getService(t, c, "podinfo-canary")
			if got := canary.Spec.Selector["app"]; got != tt.canarySelector {
				t.Errorf("-canary selects app=%s, want %s", got, tt.canarySelector)
			}
			if want := cd.Spec.Service.Canary; want != nil && canary.Labels["tier"] != want.Labels["tier"] {
				t.Errorf("-canary labels %v, want tier=%s", canary.Labels, want.Labels["tier"])
			}
			if remembered := onlyReads(c.Actions()[before:]) && !s.compared(cd, target); remembered != tt.remembered {
				t.Errorf("remembered = %v, want %v", remembered, tt.remembered)
			}
		})
	}
}

// compared reports whether a Reconcile of cd and target now would build
// and compare the Services.
func (s *Services) compared(cd *v1.Canary, target engine.Target) bool {
	names := cd.GetServiceNames()
	got, err := s.read(context.Background(), cd.Namespace, [3]serviceRole{{name: names.Canary}, {name: names.Primary}, {name: names.Apex}})
	return err != nil || !memoizable(cd) || !s.seen.matches(types.NamespacedName{Namespace: cd.Namespace, Name: cd.Name}, wants(cd, target), got)
}

func onlyReads(actions []k8stesting.Action) bool {
	for _, a := range actions {
		if a.GetVerb() != "get" {
			return false
		}
	}
	return true
}

// versioned makes the fake give each Service it stores a new
// resourceVersion, as the API server does (the fake keeps its versions
// aside).
func versioned(c *fake.Clientset) *fake.Clientset {
	version := 0
	stamp := func(a k8stesting.Action) (bool, runtime.Object, error) {
		version++
		a.(interface{ GetObject() runtime.Object }).GetObject().(metav1.Object).SetResourceVersion(strconv.Itoa(version))
		return false, nil, nil
	}
	c.PrependReactor("create", "services", stamp)
	c.PrependReactor("update", "services", stamp)
	return c
}
