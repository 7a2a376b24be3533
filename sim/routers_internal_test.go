package sim

import (
	"context"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fledge-canary/fledge/adapters/gatewayapi"
	"github.com/fledge-canary/fledge/adapters/linkerd"
	"github.com/fledge-canary/fledge/adapters/smi"
	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/traffic"
)

// TestRunPicksTheProvidersRouter replays a scenario per provider and
// checks that the run drove that provider's router and exported its
// mesh's series, and that its routing object ends at 100/0.
func TestRunPicksTheProvidersRouter(t *testing.T) {
	tests := []struct {
		scenario string
		mesh     traffic.Mesh
		check    func(t *testing.T, r *run)
	}{
		{scenario: "tutorial-promote.yaml", mesh: traffic.MeshOSM, check: func(t *testing.T, r *run) {
			if _, ok := r.router.Router.(*smi.Router); !ok {
				t.Errorf("router = %T, want *smi.Router", r.router.Router)
			}
		}},
		{scenario: "linkerd-promote.yaml", mesh: traffic.MeshLinkerd, check: func(t *testing.T, r *run) {
			if _, ok := r.router.Router.(*linkerd.Router); !ok {
				t.Errorf("router = %T, want *linkerd.Router", r.router.Router)
			}
			ts, err := r.smi.SplitV1alpha1().TrafficSplits("test").Get(context.Background(), "podinfo", metav1.GetOptions{})
			if err != nil || ts.Spec.Backends[1].Service != "podinfo-primary" || ts.Spec.Backends[1].Weight.Value() != 100 {
				t.Errorf("v1alpha1 TrafficSplit = %+v, %v; want the primary at 100", ts, err)
			}
		}},
		{scenario: "gatewayapi-promote.yaml", mesh: traffic.MeshIstio, check: func(t *testing.T, r *run) {
			if _, ok := r.router.Router.(*gatewayapi.Router); !ok {
				t.Errorf("router = %T, want *gatewayapi.Router", r.router.Router)
			}
			hr, err := r.gw.GatewayV1().HTTPRoutes("test").Get(context.Background(), "podinfo", metav1.GetOptions{})
			if err != nil || *hr.Spec.Rules[0].BackendRefs[0].Weight != 100 || string(hr.Spec.ParentRefs[0].Name) != "podinfo" {
				t.Errorf("HTTPRoute = %+v, %v; want the primary at 100 under the apex Service", hr, err)
			}
		}},
	}
	for _, tc := range tests {
		t.Run(tc.scenario, func(t *testing.T) {
			l, err := scenario.LoadFS(scenarios.FS, tc.scenario, "scenarios/"+tc.scenario)
			if err != nil {
				t.Fatal(err)
			}
			if got := meshOf(l.Canary); got != tc.mesh {
				t.Errorf("mesh = %v, want %v", got, tc.mesh)
			}
			r, err := newRun(l)
			if err != nil {
				t.Fatal(err)
			}
			if err := r.bootstrap(context.Background()); err != nil {
				t.Fatal(err)
			}
			if err := r.timeline(context.Background()); err != nil {
				t.Fatal(err)
			}
			tc.check(t, r)
		})
	}
}
