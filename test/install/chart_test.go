package install

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/strvals"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	utilyaml "k8s.io/apimachinery/pkg/util/yaml"
)

// chartDir is the chart under test, from this package's directory.
const chartDir = "../../deploy/chart/fledge"

// release is where the tests install the chart, as the tutorial does.
var release = chartutil.ReleaseOptions{Name: "fledge", Namespace: "osm-system", IsInstall: true}

func loadChart(t *testing.T) *chart.Chart {
	t.Helper()
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("loading %s: %v", chartDir, err)
	}
	return ch
}

// userValues parses `--set` lines as `helm install --set` does.
func userValues(sets []string) (map[string]any, error) {
	vals := map[string]any{}
	for _, s := range sets {
		if err := strvals.ParseInto(s, vals); err != nil {
			return nil, fmt.Errorf("--set %s: %w", s, err)
		}
	}
	return vals, nil
}

// renderFiles renders the chart's templates for the `--set` lines as
// `helm template fledge deploy/chart/fledge -n osm-system` does, schema
// validation included: file name to text.
func renderFiles(ch *chart.Chart, sets ...string) (map[string]string, error) {
	vals, err := userValues(sets)
	if err != nil {
		return nil, err
	}
	top, err := chartutil.ToRenderValues(ch, vals, release, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	files, err := engine.Render(ch, top)
	if err != nil {
		return nil, fmt.Errorf("rendering: %w", err)
	}
	return files, nil
}

// manifest is what `helm template --include-crds` prints: the chart's
// crds/ files, then its rendered templates (not NOTES.txt), as one YAML
// stream.
func manifest(ch *chart.Chart, sets ...string) (string, error) {
	files, err := renderFiles(ch, sets...)
	if err != nil {
		return "", err
	}
	var b strings.Builder
	for _, crd := range ch.CRDObjects() {
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", crd.Filename, crd.File.Data)
	}
	for _, name := range yamlFiles(files) {
		if strings.TrimSpace(files[name]) == "" {
			continue // as helm template, which prints no empty template
		}
		fmt.Fprintf(&b, "---\n# Source: %s\n%s\n", name, files[name])
	}
	return b.String(), nil
}

// yamlFiles are the rendered files' names that hold objects, sorted.
func yamlFiles(files map[string]string) []string {
	names := make([]string, 0, len(files))
	for name := range files {
		if strings.HasSuffix(name, ".yaml") {
			names = append(names, name)
		}
	}
	sort.Strings(names)
	return names
}

// render renders the chart's templates (not its crds/) and returns the
// objects.
func render(ch *chart.Chart, sets ...string) ([]*unstructured.Unstructured, error) {
	files, err := renderFiles(ch, sets...)
	if err != nil {
		return nil, err
	}
	var objs []*unstructured.Unstructured
	for _, name := range yamlFiles(files) {
		docs, err := decodeYAML(files[name])
		if err != nil {
			return nil, fmt.Errorf("%s: %w", name, err)
		}
		objs = append(objs, docs...)
	}
	return objs, nil
}

// decodeYAML splits a multi-document YAML stream into objects, skipping
// empty documents.
func decodeYAML(text string) ([]*unstructured.Unstructured, error) {
	dec := utilyaml.NewYAMLOrJSONDecoder(bytes.NewBufferString(text), 4096)
	var out []*unstructured.Unstructured
	for {
		var obj map[string]any
		if err := dec.Decode(&obj); err != nil {
			if errors.Is(err, io.EOF) {
				return out, nil
			}
			return nil, err
		}
		if len(obj) == 0 {
			continue
		}
		// Through JSON, as the API machinery reads objects: integers
		// become int64.
		raw, err := json.Marshal(obj)
		if err != nil {
			return nil, err
		}
		u := &unstructured.Unstructured{}
		if err := u.UnmarshalJSON(raw); err != nil {
			return nil, err
		}
		out = append(out, u)
	}
}

// find returns the rendered object of that kind and name, or nil.
func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && (name == "" || o.GetName() == name) {
			return o
		}
	}
	return nil
}

// kinds lists the rendered objects as "Kind/name".
func kinds(objs []*unstructured.Unstructured) []string {
	var out []string
	for _, o := range objs {
		out = append(out, o.GetKind()+"/"+o.GetName())
	}
	return out
}

// field reads a nested field of obj, a number in path indexing a list
// (nil when absent).
func field(obj *unstructured.Unstructured, path ...string) any {
	if obj == nil {
		return nil
	}
	var v any = obj.Object
	for _, p := range path {
		switch node := v.(type) {
		case map[string]any:
			v = node[p]
		case []any:
			i, err := strconv.Atoi(p)
			if err != nil || i < 0 || i >= len(node) {
				return nil
			}
			v = node[i]
		default:
			return nil
		}
	}
	return v
}

// podSpec is the controller Deployment's pod spec.
func podSpec(objs []*unstructured.Unstructured) map[string]any {
	spec, _ := field(find(objs, "Deployment", ""), "spec", "template", "spec").(map[string]any)
	return spec
}

// container is the controller container.
func container(objs []*unstructured.Unstructured) map[string]any {
	cs, _ := podSpec(objs)["containers"].([]any)
	if len(cs) == 0 {
		return nil
	}
	c, _ := cs[0].(map[string]any)
	return c
}

// args are the controller container's arguments.
func args(objs []*unstructured.Unstructured) []string {
	var out []string
	raw, _ := container(objs)["args"].([]any)
	for _, a := range raw {
		out = append(out, fmt.Sprint(a))
	}
	return out
}

// flagValue is the value of -name in args, and whether it is there.
func flagValue(args []string, name string) (string, bool) {
	for _, a := range args {
		if v, ok := strings.CutPrefix(a, "-"+name+"="); ok {
			return v, true
		}
	}
	return "", slices.Contains(args, "-"+name)
}
