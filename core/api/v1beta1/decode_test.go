package v1beta1

import (
	"bytes"
	"encoding/json"
	"os"
	"reflect"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/equality"
	"k8s.io/apimachinery/pkg/util/intstr"

	"github.com/fledge-canary/fledge/core/query"
)

func readFile(t *testing.T, path string) []byte {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// decodeFile decodes a file and checks how many Canaries and MetricTemplates it holds.
func decodeFile(t *testing.T, path string, canaries, templates int) *Manifests {
	t.Helper()
	m, err := Decode(readFile(t, path))
	if err != nil {
		t.Fatalf("Decode(%s): %v", path, err)
	}
	if len(m.Canaries) != canaries || len(m.MetricTemplates) != templates {
		t.Fatalf("Decode(%s) = %d Canaries and %d MetricTemplates, want %d and %d",
			path, len(m.Canaries), len(m.MetricTemplates), canaries, templates)
	}
	return m
}

func TestDecodeTutorialCanary(t *testing.T) {
	c := decodeFile(t, "testdata/podinfo-canary.yaml", 1, 0).Canaries[0]
	want := Canary{Spec: CanarySpec{
		Provider:                "osm",
		TargetRef:               LocalObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "podinfo"},
		AutoscalerRef:           &AutoscalerReference{APIVersion: "autoscaling/v2beta2", Kind: "HorizontalPodAutoscaler", Name: "podinfo"},
		ProgressDeadlineSeconds: ptr(int32(60)),
		Service:                 CanaryService{Port: 9898, TargetPort: intstr.FromInt32(9898)},
		Analysis: &CanaryAnalysis{
			Interval: "30s", Threshold: 5, MaxWeight: 50, StepWeight: 5,
			Metrics: []CanaryMetric{
				{Name: "request-success-rate", ThresholdRange: &CanaryThresholdRange{Min: ptr(99.0)}, Interval: "1m"},
				{Name: "request-duration", ThresholdRange: &CanaryThresholdRange{Max: ptr(500.0)}, Interval: "30s"},
			},
			Webhooks: []CanaryWebhook{
				{
					Name: "acceptance-test", Type: PreRolloutHook, URL: "http://flagger-loadtester.test/", Timeout: "30s",
					Metadata: &map[string]string{
						"type": "bash",
						"cmd":  "curl -sd 'test' http://podinfo-canary.test:9898/token | grep token",
					},
				},
				{
					Name: "load-test", Type: RolloutHook, URL: "http://flagger-loadtester.test/", Timeout: "5s",
					Metadata: &map[string]string{"cmd": "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/"},
				},
			},
		},
	}}
	want.APIVersion, want.Kind = "flagger.app/v1beta1", "Canary"
	want.Name, want.Namespace = "podinfo", "test"
	if !equality.Semantic.DeepEqual(c, want) {
		gotJSON, _ := json.MarshalIndent(c, "", "  ")
		wantJSON, _ := json.MarshalIndent(want, "", "  ")
		t.Errorf("decoded canary\n%s\nwant\n%s", gotJSON, wantJSON)
	}
	// The accessors see what the tutorial means.
	if got := c.GetAnalysisInterval().String(); got != "30s" {
		t.Errorf("GetAnalysisInterval() = %s, want 30s", got)
	}
	if got := c.Spec.Service.GetTargetPort(); got != "9898" {
		t.Errorf("GetTargetPort() = %s, want 9898", got)
	}
}

func TestDecodeTemplateRenders(t *testing.T) {
	mt := decodeFile(t, "testdata/metrictemplate-404s.yaml", 0, 1).MetricTemplates[0]
	if mt.Name != "not-found-percentage" || mt.Namespace != "test" {
		t.Errorf("metadata = %s/%s, want test/not-found-percentage", mt.Namespace, mt.Name)
	}
	if p := mt.Spec.Provider; p.Type != "prometheus" || p.Address != "http://osm-prometheus.osm-system.svc:7070" {
		t.Errorf("provider = %+v", p)
	}
	assertFieldErrors(t, "errors", mt.Validate(), nil)
	got, err := query.Render(mt.Spec.Query, query.Model{Name: "podinfo", Namespace: "test", Target: "podinfo", Interval: "1m"})
	if err != nil {
		t.Fatal(err)
	}
	want := `100 - ( sum( rate( osm_request_total{ destination_namespace="test", destination_kind="Deployment", ` +
		`destination_name="podinfo", response_code!="404" }[1m] ) ) / sum( rate( osm_request_total{ ` +
		`destination_namespace="test", destination_kind="Deployment", destination_name="podinfo" }[1m] ) ) * 100 ) ` // the YAML block's final newline, collapsed as Flagger does
	if got != want {
		t.Errorf("rendered\n%s\nwant\n%s", got, want)
	}
}

func TestDecodeRoundTripsThroughJSON(t *testing.T) {
	m := decodeFile(t, "../../../scenarios/manifests/podinfo-canary-404s.yaml", 1, 1)
	for _, obj := range []any{&m.Canaries[0], &m.MetricTemplates[0]} {
		data, err := json.Marshal(obj)
		if err != nil {
			t.Fatal(err)
		}
		back := reflect.New(reflect.TypeOf(obj).Elem()).Interface()
		if err := json.Unmarshal(data, back); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(obj, back) {
			t.Errorf("%T changed in a JSON round trip:\n%s", obj, data)
		}
	}
}

func TestDeepCopyEqualsOriginal(t *testing.T) {
	m := decodeFile(t, "../../../scenarios/manifests/podinfo-canary-404s.yaml", 1, 1)
	c := &m.Canaries[0]
	cp := c.DeepCopy()
	if !equality.Semantic.DeepEqual(c, cp) || !reflect.DeepEqual(c, cp) {
		t.Error("Canary.DeepCopy differs from the original")
	}
	(*cp.Spec.Analysis.Webhooks[0].Metadata)["cmd"] = "changed"
	cp.Spec.Analysis.Metrics[0].ThresholdRange.Min = ptr(1.0)
	if (*c.Spec.Analysis.Webhooks[0].Metadata)["cmd"] == "changed" || *c.Spec.Analysis.Metrics[0].ThresholdRange.Min != 99 {
		t.Error("Canary.DeepCopy shares memory with the original")
	}
	mt := &m.MetricTemplates[0]
	if !reflect.DeepEqual(mt, mt.DeepCopy()) {
		t.Error("MetricTemplate.DeepCopy differs from the original")
	}
}

func TestExamples(t *testing.T) {
	tutorial := readFile(t, "testdata/podinfo-canary.yaml")
	if example := readFile(t, "../../../scenarios/manifests/podinfo-canary.yaml"); !bytes.Equal(example, tutorial) {
		t.Error("scenarios/manifests/podinfo-canary.yaml differs from testdata/podinfo-canary.yaml; both are the tutorial's canary")
	}
	m := decodeFile(t, "../../../scenarios/manifests/podinfo-canary-404s.yaml", 1, 1)
	c := m.Canaries[0]
	if n := len(c.Spec.Analysis.Metrics); n != 3 {
		t.Fatalf("%d metrics, want 3", n)
	}
	want := CanaryMetric{
		Name: "404s percentage", Interval: "1m", ThresholdRange: maxOnly(3),
		TemplateRef: &CrossNamespaceObjectReference{Name: "not-found-percentage"},
	}
	if got := c.Spec.Analysis.Metrics[2]; !reflect.DeepEqual(got, want) {
		t.Errorf("third metric = %+v, want %+v", got, want)
	}
	errs, warnings := c.Validate(ValidationOptions{NoCrossNamespaceRefs: true})
	assertFieldErrors(t, "errors", errs, nil)
	assertFieldErrors(t, "warnings", warnings, []string{
		"spec.autoscalerRef.apiVersion: autoscaling/v2beta2 is no longer served (removed in Kubernetes 1.25/1.26): " +
			"write autoscaling/v2; the HPA is looked up by kind and name",
	})
	testdataTemplate := decodeFile(t, "testdata/metrictemplate-404s.yaml", 0, 1).MetricTemplates[0]
	if !reflect.DeepEqual(m.MetricTemplates[0], testdataTemplate) {
		t.Error("the example's MetricTemplate differs from testdata/metrictemplate-404s.yaml")
	}
}

const canaryDoc = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
spec:
  targetRef: {kind: Deployment, name: podinfo}
  service: {port: 9898}
`

const templateDoc = `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata:
  name: errors
spec:
  provider: {type: prometheus}
  query: sum(x)
`

// decodeCases are inputs of Decode, keyed by what is special about them,
// with what they decode to and the error, one line per failed document.
var decodeCases = map[string]struct {
	input               string
	canaries, templates int
	wantErr             []string
	wantFirstCanaryName string
}{
	"empty input":       {input: ""},
	"only comments":     {input: "# nothing\n---\n# still nothing\n"},
	"one canary":        {input: canaryDoc, canaries: 1},
	"leading separator": {input: "---\n" + canaryDoc + "---\n", canaries: 1},
	"canary and template with empty documents": {
		input:    "---\n# header\n---\n" + canaryDoc + "---\n---\n" + templateDoc + "...\n",
		canaries: 1, templates: 1,
	},
	"separator with a comment and CRLF": {
		input:    "--- # first\r\n" + strings.ReplaceAll(canaryDoc, "\n", "\r\n") + "--- # second\r\n" + templateDoc,
		canaries: 1, templates: 1,
	},
	"a Deployment among them": {
		input:    canaryDoc + "---\napiVersion: apps/v1\nkind: Deployment\nmetadata: {name: podinfo}\n---\n" + templateDoc,
		canaries: 1, templates: 1,
		wantErr: []string{"document 2: kind Deployment (apps/v1) is not a Canary, MetricTemplate or AlertProvider"},
	},
	"old apiVersion": {
		input:   strings.Replace(canaryDoc, "v1beta1", "v1alpha3", 1),
		wantErr: []string{`document 1: apiVersion "flagger.app/v1alpha3" of kind Canary is not supported: use flagger.app/v1beta1`},
	},
	"no kind": {
		input:   "metadata: {name: x}\n",
		wantErr: []string{"document 1: kind is missing: expected a flagger.app/v1beta1 Canary, MetricTemplate or AlertProvider"},
	},
	"a list": {
		input:   "- a\n- b\n",
		wantErr: []string{"document 1: not a mapping: a manifest is a YAML mapping with apiVersion, kind, metadata and spec"},
	},
	"syntax error names the input line": {
		input:    canaryDoc + "---\n" + templateDoc + "---\napiVersion: flagger.app/v1beta1\nkind: Canary\n  bad: indent\n",
		canaries: 1, templates: 1,
		wantErr: []string{"document 3: yaml: line 19: mapping values are not allowed in this context"},
	},
	"syntax error after a commented separator": {
		input:   "kind: Service\napiVersion: v1\n--- # second\napiVersion: flagger.app/v1beta1\nkind: Canary\n  bad: indent\n",
		wantErr: []string{"document 1: kind Service (v1) is not a Canary, MetricTemplate or AlertProvider", "document 2: yaml: line 6: mapping values are not allowed in this context"},
	},
	"wrong type": {
		input:   canaryDoc + "  analysis: {stepWeight: five}\n",
		wantErr: []string{"document 1: Canary: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field CanaryAnalysis.spec.analysis.stepWeight of type int"},
	},
	"every bad document is reported": {
		input: "kind: Service\napiVersion: v1\n---\n" + canaryDoc + "---\nkind: ConfigMap\napiVersion: v1\n",
		wantErr: []string{
			"document 1: kind Service (v1) is not a Canary, MetricTemplate or AlertProvider",
			"document 3: kind ConfigMap (v1) is not a Canary, MetricTemplate or AlertProvider",
		},
		canaries: 1,
	},
	"numbers become strings, leniently": {
		input:    strings.Replace(canaryDoc, "name: podinfo\n", "name: 2048\n", 1),
		canaries: 1, wantFirstCanaryName: "2048",
	},
}

func TestDecodeDocuments(t *testing.T) {
	for name, tc := range decodeCases {
		t.Run(name, func(t *testing.T) {
			m, err := Decode([]byte(tc.input))
			var gotErr []string
			if err != nil {
				gotErr = strings.Split(err.Error(), "\n")
			}
			if strings.Join(gotErr, "\n") != strings.Join(tc.wantErr, "\n") {
				t.Errorf("error:\ngot  %q\nwant %q", gotErr, tc.wantErr)
			}
			if len(m.Canaries) != tc.canaries || len(m.MetricTemplates) != tc.templates {
				t.Errorf("got %d Canaries and %d MetricTemplates, want %d and %d",
					len(m.Canaries), len(m.MetricTemplates), tc.canaries, tc.templates)
			}
			if tc.wantFirstCanaryName != "" && m.Canaries[0].Name != tc.wantFirstCanaryName {
				t.Errorf("name = %q, want %q", m.Canaries[0].Name, tc.wantFirstCanaryName)
			}
		})
	}
}

func TestUnknownFields(t *testing.T) {
	tests := map[string]struct {
		input string
		want  []string
	}{
		"tutorial":  {input: string(readFile(t, "testdata/podinfo-canary.yaml"))},
		"templates": {input: string(readFile(t, "../../../scenarios/manifests/podinfo-canary-404s.yaml"))},
		"typos": {
			input: canaryDoc + "  analysis:\n    interval: 1m\n    stepWieght: 5\n    Threshold: 2\n  servce: {}\n---\n" +
				templateDoc + "  endpoint: http://prometheus:9090\n",
			want: []string{
				`document 1: unknown field "spec.analysis.Threshold"`,
				`document 1: unknown field "spec.analysis.stepWieght"`,
				`document 1: unknown field "spec.servce"`,
				`document 2: unknown field "spec.endpoint"`,
			},
		},
		"duplicate key": {
			input: "# a comment\n" + canaryDoc + "  provider: osm\n  provider: istio\n",
			want:  []string{`document 1: yaml: unmarshal errors:` + "\n" + `  line 10: key "provider" already set in map`},
		},
		"wrong type the lenient pass converts": {
			input: canaryDoc + "  analysis: {interval: 30}\n",
			want:  []string{"document 1: json: cannot unmarshal number into Go struct field CanaryAnalysis.spec.analysis.interval of type string"},
		},
		"other kinds and broken documents are skipped": {
			input: "kind: Service\napiVersion: v1\nspec: {x: 1}\n---\nfoo: [\n",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got := UnknownFields([]byte(tc.input))
			if strings.Join(got, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got  %q\nwant %q", got, tc.want)
			}
		})
	}
}
