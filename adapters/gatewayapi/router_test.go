package gatewayapi

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"
	gwv1 "sigs.k8s.io/gateway-api/apis/v1"
	gwfake "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/fake"

	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

var podinfoTarget = engine.Target{SelectorLabel: "app", SelectorValue: "podinfo"}

func newRouter() (*Router, *gwfake.Clientset) {
	client := gwfake.NewClientset()
	return NewRouter(kube.NewServices(fake.NewClientset()), client), client
}

// gatewayCanary is the tutorial's canary on Gateway API, attached to the
// Gateway "public" in namespace "gateway".
func gatewayCanary(mods ...func(*v1.Canary)) *v1.Canary {
	return kubetest.Canary(append([]func(*v1.Canary){func(cd *v1.Canary) {
		cd.Spec.Provider = "gatewayapi:v1"
		cd.Spec.Service.GatewayRefs = []v1.GatewayRef{{Name: "public", Namespace: ptr.To("gateway")}}
	}}, mods...)...)
}

func getRoute(t *testing.T, c *gwfake.Clientset) *gwv1.HTTPRoute {
	t.Helper()
	route, err := c.GatewayV1().HTTPRoutes("test").Get(context.Background(), "podinfo", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return route
}

// specJSON is the route's spec as JSON, for exact comparisons.
func specJSON(t *testing.T, route *gwv1.HTTPRoute) string {
	t.Helper()
	b, err := json.Marshal(route.Spec)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

const (
	gatewayParent = `"parentRefs":[{"group":"gateway.networking.k8s.io","kind":"Gateway","namespace":"gateway","name":"public"}]`
	gammaParent   = `"parentRefs":[{"group":"","kind":"Service","name":"podinfo","port":9898}]`
	everyPath     = `{"path":{"type":"PathPrefix","value":"/"}}`
)

func backends(primary, canary int) string {
	return `"backendRefs":[{"group":"","kind":"Service","name":"podinfo-primary","port":9898,"weight":` + itoa(primary) +
		`},{"group":"","kind":"Service","name":"podinfo-canary","port":9898,"weight":` + itoa(canary) + `}]`
}

func itoa(i int) string {
	b, _ := json.Marshal(i)
	return string(b)
}

func TestReconcileCreatesTheRoute(t *testing.T) {
	tests := []struct {
		name string
		mod  func(*v1.Canary)
		want string
	}{
		{name: "gateway parent", mod: func(*v1.Canary) {},
			want: `{` + gatewayParent + `,"rules":[{"matches":[` + everyPath + `],` + backends(100, 0) + `}]}`},
		{name: "GAMMA: the apex Service as parent", mod: func(cd *v1.Canary) {
			cd.Spec.Service.GatewayRefs = []v1.GatewayRef{{Group: ptr.To(""), Kind: ptr.To("Service"), Name: "podinfo", Port: ptr.To[int32](9898)}}
		}, want: `{` + gammaParent + `,"rules":[{"matches":[` + everyPath + `],` + backends(100, 0) + `}]}`},
		{name: "hosts and timeout", mod: func(cd *v1.Canary) {
			cd.Spec.Service.Hosts = []string{"podinfo.example.com"}
			cd.Spec.Service.Timeout = "15s"
		}, want: `{` + gatewayParent + `,"hostnames":["podinfo.example.com"],"rules":[{"matches":[` + everyPath + `],` +
			backends(100, 0) + `,"timeouts":{"request":"15s"}}]}`},
		{name: "A/B: header, cookie and query matches, the rest to the primary", mod: func(cd *v1.Canary) {
			cd.Spec.Analysis = &v1.CanaryAnalysis{Interval: "1m", Threshold: 5, Iterations: 10, Match: []v1.HTTPMatchRequest{
				{Headers: map[string]v1.StringMatch{"x-canary": {Exact: "insider"}, "cookie": {Regex: "^(.*?;)?(canary=always)(;.*)?$"}}},
				{QueryParams: map[string]v1.StringMatch{"beta": {Exact: "1"}}},
			}}
		}, want: `{` + gatewayParent + `,"rules":[{"matches":[` +
			`{"path":{"type":"PathPrefix","value":"/"},"headers":[{"type":"RegularExpression","name":"cookie","value":"^(.*?;)?(canary=always)(;.*)?$"},{"type":"Exact","name":"x-canary","value":"insider"}]},` +
			`{"path":{"type":"PathPrefix","value":"/"},"queryParams":[{"type":"Exact","name":"beta","value":"1"}]}],` + backends(100, 0) + `},` +
			`{"matches":[` + everyPath + `],"backendRefs":[{"group":"","kind":"Service","name":"podinfo-primary","port":9898,"weight":100}]}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r, c := newRouter()
			cd := gatewayCanary(tt.mod)
			if err := r.Reconcile(context.Background(), cd, podinfoTarget); err != nil {
				t.Fatal(err)
			}
			route := getRoute(t, c)
			if got := specJSON(t, route); got != tt.want {
				t.Errorf("spec\n got %s\nwant %s", got, tt.want)
			}
			if len(route.OwnerReferences) != 1 || route.OwnerReferences[0].Kind != "Canary" || route.OwnerReferences[0].Name != "podinfo" {
				t.Errorf("owners = %+v", route.OwnerReferences)
			}
			routes, err := r.Routes(context.Background(), cd)
			if err != nil || routes != (decide.Routes{Primary: 100}) {
				t.Errorf("Routes = %+v, %v; want 100/0", routes, err)
			}
		})
	}
}

func TestReconcileMetadata(t *testing.T) {
	r, c := newRouter()
	cd := gatewayCanary(func(cd *v1.Canary) {
		cd.Spec.Service.Apex = &v1.CustomMetadata{Labels: map[string]string{"team": "web"}, Annotations: map[string]string{"note": "apex"}}
	})
	if err := r.Reconcile(context.Background(), cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	route := getRoute(t, c)
	wantAnnotations := map[string]string{
		"note": "apex", "kustomize.toolkit.fluxcd.io/reconcile": "disabled", "helm.toolkit.fluxcd.io/driftDetection": "disabled",
	}
	if len(route.Labels) != 1 || route.Labels["team"] != "web" {
		t.Errorf("labels = %v, want team=web", route.Labels)
	}
	for k, v := range wantAnnotations {
		if route.Annotations[k] != v {
			t.Errorf("annotation %s = %q, want %q (all: %v)", k, route.Annotations[k], v, route.Annotations)
		}
	}
	cd.Spec.Service.Apex.Labels["team"] = "platform"
	if err := r.Reconcile(context.Background(), cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	if got := getRoute(t, c).Labels["team"]; got != "platform" {
		t.Errorf("label after the apex metadata changed = %q, want platform", got)
	}
}

// The route at every step of the tutorial's analysis (stepWeight 5 to
// maxWeight 50), then promoted: only the weights move.
func TestSetRoutesAtEachWeight(t *testing.T) {
	r, c := newRouter()
	cd := gatewayCanary()
	ctx := context.Background()
	if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	var steps []decide.Routes
	for w := 5; w <= 50; w += 5 {
		steps = append(steps, decide.Routes{Primary: 100 - w, Canary: w})
	}
	steps = append(steps, decide.Routes{Primary: 100})
	for _, step := range steps {
		if err := r.SetRoutes(ctx, cd, step); err != nil {
			t.Fatal(err)
		}
		want := `{` + gatewayParent + `,"rules":[{"matches":[` + everyPath + `],` + backends(step.Primary, step.Canary) + `}]}`
		if got := specJSON(t, getRoute(t, c)); got != want {
			t.Errorf("at %+v spec\n got %s\nwant %s", step, got, want)
		}
		got, err := r.Routes(ctx, cd)
		if err != nil || got != step {
			t.Errorf("Routes = %+v, %v; want %+v", got, err, step)
		}
		// A reconcile between steps keeps the weights.
		if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
			t.Fatal(err)
		}
		if got, _ := r.Routes(ctx, cd); got != step {
			t.Errorf("after Reconcile Routes = %+v, want %+v kept", got, step)
		}
	}
}

// A/B testing: the matched rule goes to the canary, the rest stays on the
// primary, and Routes reads the matched rule.
func TestSetRoutesABTesting(t *testing.T) {
	r, c := newRouter()
	cd := gatewayCanary(func(cd *v1.Canary) {
		cd.Spec.Analysis = &v1.CanaryAnalysis{Interval: "1m", Threshold: 5, Iterations: 10,
			Match: []v1.HTTPMatchRequest{{Headers: map[string]v1.StringMatch{"x-canary": {Exact: "insider"}}}}}
	})
	ctx := context.Background()
	if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	for _, step := range []decide.Routes{{Canary: 100}, {Primary: 100}} {
		if err := r.SetRoutes(ctx, cd, step); err != nil {
			t.Fatal(err)
		}
		want := `{` + gatewayParent + `,"rules":[{"matches":[{"path":{"type":"PathPrefix","value":"/"},"headers":[{"type":"Exact","name":"x-canary","value":"insider"}]}],` +
			backends(step.Primary, step.Canary) + `},{"matches":[` + everyPath +
			`],"backendRefs":[{"group":"","kind":"Service","name":"podinfo-primary","port":9898,"weight":100}]}]}`
		if got := specJSON(t, getRoute(t, c)); got != want {
			t.Errorf("at %+v spec\n got %s\nwant %s", step, got, want)
		}
		if got, err := r.Routes(ctx, cd); err != nil || got != step {
			t.Errorf("Routes = %+v, %v; want %+v", got, err, step)
		}
	}
}

func TestReconcileUpdatesOnlyOnChange(t *testing.T) {
	r, c := newRouter()
	cd := gatewayCanary()
	ctx := context.Background()
	for range 2 {
		if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
			t.Fatal(err)
		}
	}
	if n := countVerb(c, "update"); n != 0 {
		t.Errorf("%d updates of an unchanged route, want 0", n)
	}
	if err := r.SetRoutes(ctx, cd, decide.Routes{Primary: 70, Canary: 30}); err != nil {
		t.Fatal(err)
	}
	cd.Spec.Service.Hosts = []string{"podinfo.example.com"}
	if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	route := getRoute(t, c)
	if len(route.Spec.Hostnames) != 1 || route.Spec.Hostnames[0] != "podinfo.example.com" {
		t.Errorf("hostnames = %v, want the new host", route.Spec.Hostnames)
	}
	if got, _ := r.Routes(ctx, cd); got != (decide.Routes{Primary: 70, Canary: 30}) {
		t.Errorf("weights after a host change = %+v, want 70/30 kept", got)
	}
}

func countVerb(c *gwfake.Clientset, verb string) int {
	n := 0
	for _, a := range c.Actions() {
		if a.GetVerb() == verb && a.GetResource().Resource == "httproutes" {
			n++
		}
	}
	return n
}

func TestRouterErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("no gatewayRefs", func(t *testing.T) {
		r, _ := newRouter()
		err := r.Reconcile(ctx, gatewayCanary(func(cd *v1.Canary) { cd.Spec.Service.GatewayRefs = nil }), podinfoTarget)
		if !errors.Is(err, ErrNoGatewayRefs) || !strings.Contains(err.Error(), "HTTPRoute podinfo.test") {
			t.Errorf("err = %v, want ErrNoGatewayRefs naming the route", err)
		}
	})
	t.Run("prefix header match", func(t *testing.T) {
		r, _ := newRouter()
		err := r.Reconcile(ctx, gatewayCanary(func(cd *v1.Canary) {
			cd.Spec.Analysis.Match = []v1.HTTPMatchRequest{{Headers: map[string]v1.StringMatch{"user": {Prefix: "a"}}}}
		}), podinfoTarget)
		if err == nil || !strings.Contains(err.Error(), "analysis.match: [0].headers.user: only exact and regex") {
			t.Errorf("err = %v, want the match refused", err)
		}
	})
	t.Run("weights not adding up", func(t *testing.T) {
		r, _ := newRouter()
		cd := gatewayCanary()
		if err := r.Reconcile(ctx, cd, podinfoTarget); err != nil {
			t.Fatal(err)
		}
		err := r.SetRoutes(ctx, cd, decide.Routes{Primary: 60, Canary: 30})
		if err == nil || !strings.Contains(err.Error(), "must be non-negative and add up to 100") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("no route", func(t *testing.T) {
		r, _ := newRouter()
		_, err := r.Routes(ctx, gatewayCanary())
		if err == nil || !strings.Contains(err.Error(), "HTTPRoute podinfo.test get error") {
			t.Errorf("err = %v", err)
		}
	})
	t.Run("route without a weighted rule", func(t *testing.T) {
		r, c := newRouter()
		route := &gwv1.HTTPRoute{ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "test"}}
		if _, err := c.GatewayV1().HTTPRoutes("test").Create(ctx, route, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
		_, err := r.Routes(ctx, gatewayCanary())
		if err == nil || !strings.Contains(err.Error(), "has no rule routing to podinfo-primary and podinfo-canary") {
			t.Errorf("err = %v", err)
		}
	})
}
