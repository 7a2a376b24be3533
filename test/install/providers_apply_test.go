package install

import (
	"strings"
	"testing"
)

// TestKubectlApplyKustomizeProviders applies the linkerd and gatewayapi
// overlays on fresh clusters: every object installed in the overlay's
// namespace, the controller started with that provider and Prometheus.
func TestKubectlApplyKustomizeProviders(t *testing.T) {
	tests := []struct {
		overlay, namespace string
		wantArgs           []string
	}{
		{overlay: "deploy/kustomize/linkerd", namespace: "linkerd",
			wantArgs: []string{"-mesh-provider=linkerd", "-metrics-server=http://prometheus.linkerd-viz:9090"}},
		{overlay: "deploy/kustomize/gatewayapi", namespace: "fledge-system",
			wantArgs: []string{"-mesh-provider=gatewayapi:v1", "-metrics-server=http://prometheus.istio-system:9090"}},
	}
	for _, tc := range tests {
		t.Run(tc.overlay, func(t *testing.T) {
			c := freshCluster(t)
			out, err := c.kubectl.run(nil, "apply", "-k", repoPath(t, tc.overlay))
			if err != nil {
				t.Fatalf("%v\n%s", err, out)
			}
			for _, o := range installed(tc.namespace) {
				if c.get(t, o) == nil {
					t.Errorf("%s %s/%s was not created", o.gvr.Resource, o.namespace, o.name)
				}
			}
			dep := c.get(t, object{deployments, tc.namespace, "fledge"})
			if dep == nil {
				t.Fatalf("no controller Deployment in %s", tc.namespace)
			}
			a, _ := field(dep, "spec", "template", "spec", "containers", "0", "args").([]any)
			joined := strings.Join(toStrings(a), " ")
			for _, want := range tc.wantArgs {
				if !strings.Contains(joined, want) {
					t.Errorf("controller args %q lack %s", joined, want)
				}
			}
		})
	}
}
