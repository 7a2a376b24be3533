package install

import (
	"reflect"
	"slices"
	"testing"
)

// TestShards renders shards=[a,b]: the default Deployment, unchanged but
// for its selector flag, and one Deployment per shard, each with its own
// selector, pods and -watch-label-selector; the metrics Service scrapes
// them all.
func TestShards(t *testing.T) {
	ch := loadChart(t)
	plain, err := render(ch)
	if err != nil {
		t.Fatal(err)
	}
	objs, err := render(ch, "shards={a,b}")
	if err != nil {
		t.Fatal(err)
	}
	wantSelector := map[string]string{
		"fledge":         "!fledge.dev/shard",
		"fledge-shard-a": "fledge.dev/shard in (a)",
		"fledge-shard-b": "fledge.dev/shard in (b)",
	}
	var deployments []string
	instances := map[string]bool{}
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		deployments = append(deployments, o.GetName())
		c := field(o, "spec", "template", "spec", "containers").([]any)[0].(map[string]any)
		got, ok := flagValue(toStrings(c["args"].([]any)), "watch-label-selector")
		if !ok || got != wantSelector[o.GetName()] {
			t.Errorf("%s: -watch-label-selector=%q, want %q", o.GetName(), got, wantSelector[o.GetName()])
		}
		sel := field(o, "spec", "selector", "matchLabels").(map[string]any)
		inst := sel["app.kubernetes.io/instance"].(string)
		if instances[inst] {
			t.Errorf("two Deployments select instance %q", inst)
		}
		instances[inst] = true
		labels := field(o, "spec", "template", "metadata", "labels").(map[string]any)
		if labels["app.kubernetes.io/part-of"] != "fledge" {
			t.Errorf("%s: pods not labelled part-of the release: %v", o.GetName(), labels)
		}
	}
	slices.Sort(deployments)
	if want := []string{"fledge", "fledge-shard-a", "fledge-shard-b"}; !slices.Equal(deployments, want) {
		t.Fatalf("Deployments %v, want %v", deployments, want)
	}
	if got, want := field(find(objs, "Deployment", "fledge"), "spec", "selector"), field(find(plain, "Deployment", "fledge"), "spec", "selector"); !reflect.DeepEqual(got, want) {
		t.Errorf("the default Deployment's selector changed with shards (immutable on upgrade): %v, was %v", got, want)
	}
	if _, ok := flagValue(args(plain), "watch-label-selector"); ok {
		t.Error("without shards the controller watches every canary")
	}
	svcSel := field(find(objs, "Service", "fledge"), "spec", "selector").(map[string]any)
	if svcSel["app.kubernetes.io/part-of"] != "fledge" || svcSel["app.kubernetes.io/instance"] != nil {
		t.Errorf("the metrics Service selects %v, want every controller of the release", svcSel)
	}
}

func TestShardNamesAreChecked(t *testing.T) {
	for _, set := range []string{"shards={A}", "shards={a,a}", "shards={-a}"} {
		if _, err := render(loadChart(t), set); err == nil {
			t.Errorf("--set %s rendered", set)
		}
	}
}
