package install

import (
	"reflect"
	"slices"
	"testing"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// TestKubectlApplyKustomizeShards applies deploy/kustomize/osm-shards: the
// default controller and shard a, each watching its own canaries and
// selecting its own pods.
func TestKubectlApplyKustomizeShards(t *testing.T) {
	c := freshCluster(t)
	out, err := c.kubectl.run(nil, "apply", "-k", repoPath(t, "deploy/kustomize/osm-shards"))
	if err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	c.checkInstalled(t, "osm-system")
	want := map[string]string{
		"fledge":         "-watch-label-selector=!fledge.dev/shard",
		"fledge-shard-a": "-watch-label-selector=fledge.dev/shard in (a)",
	}
	var selectors []map[string]any
	for name, flag := range want {
		dep := c.get(t, object{deployments, "osm-system", name})
		if dep == nil {
			t.Fatalf("no Deployment %s:\n%s", name, out)
		}
		ctr := field(dep, "spec", "template", "spec", "containers").([]any)[0].(map[string]any)
		args := toStrings(ctr["args"].([]any))
		if !slices.Contains(args, flag) || !slices.Contains(args, "-mesh-provider=osm") {
			t.Errorf("%s runs %v, want %s among OSM's arguments", name, args, flag)
		}
		sel := field(dep, "spec", "selector", "matchLabels").(map[string]any)
		for _, other := range selectors {
			if reflect.DeepEqual(sel, other) {
				t.Errorf("two Deployments select %v", sel)
			}
		}
		selectors = append(selectors, sel)
	}
	if c.get(t, object{schema.GroupVersionResource{Version: "v1", Resource: "services"}, "osm-system", "fledge-shard-a"}) != nil {
		t.Error("shard a got its own metrics Service")
	}
}
