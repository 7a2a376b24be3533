package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"sigs.k8s.io/yaml"
)

func TestValidateExamples(t *testing.T) {
	var out bytes.Buffer
	files, err := filepath.Glob("../../scenarios/manifests/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	if err := runValidate(&out, files, validateOptions{strict: true, output: "text"}); err != nil {
		t.Fatalf("examples rejected (%v):\n%s", err, out.String())
	}
	if got := strings.Count(out.String(), ": valid\n"); got != 10 {
		t.Errorf("want 10 valid manifests (7 canaries: OSM's, alerts, Gateway API's, A/B, Linkerd's, 404s, reference; 1 template; 2 alert providers), got %d:\n%s",
			got, out.String())
	}
}

// badCanary has a typo, a wrong type, a rule broken, and a ConfigMap
// before it.
const badCanary = `apiVersion: v1
kind: ConfigMap
metadata:
  name: settings
---
apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  provider: osm
  targetRef:
    apiVersion: apps/v1
    kind: Deployment
    name: podinfo
  service:
    port: 9898
  analysis:
    interval: 30s
    threshold: 0
    stepWeights: [10, 5]
    stepWieght: 5
    mirror: true
`

func writeTemp(t *testing.T, name, content string) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(file, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestValidateText(t *testing.T) {
	file := writeTemp(t, "bad.yaml", badCanary)
	five := strings.Replace(badCanary, "threshold: 0", "threshold: five", 1)
	tests := map[string]struct {
		files     []string
		stdin     string
		strict    bool
		wantErr   error
		want, not []string
	}{
		"strict: typos are errors, every problem with FILE:LINE": {
			files: []string{file}, strict: true, wantErr: errInvalid,
			want: []string{
				file + `:21: Canary test/podinfo: warning: spec.analysis.threshold: 0 behaves as 1`,
				file + `:22: Canary test/podinfo: error: spec.analysis.stepWeights: must be increasing`,
				file + `:23: Canary test/podinfo: error: spec.analysis.stepWieght: unknown field (the API server drops it): did you mean stepWeight?`,
				file + `:24: Canary test/podinfo: error: spec.analysis.mirror: `,
				file + ": skipped 1 ConfigMap\n",
			},
			not: []string{": valid", "document 1"},
		},
		"--strict=false: typos are warnings": {
			files: []string{file}, strict: false, wantErr: errInvalid,
			want: []string{file + `:23: Canary test/podinfo: warning: spec.analysis.stepWieght: unknown field`},
		},
		"stdin, a type error in words": {
			files: []string{"-"}, stdin: five, strict: true, wantErr: errInvalid,
			want: []string{`<stdin>:21: Canary test/podinfo: error: spec.analysis.threshold: want an integer, got string "five"`},
			not:  []string{"json:", "Go struct"},
		},
		"a missing file is unreadable": {
			files: []string{"does-not-exist.yaml"}, strict: true, wantErr: errBadFile,
			want: []string{"does-not-exist.yaml: error: open does-not-exist.yaml: no such file or directory"},
		},
		"an AlertProvider is checked, its URL never quoted": {
			files: []string{"-"}, strict: true, wantErr: errInvalid,
			stdin: "apiVersion: flagger.app/v1beta1\nkind: AlertProvider\nmetadata: {name: on-call, namespace: test}\n" +
				"spec:\n  type: pagerduty\n  address: hooks.slack.com/services/T0/B0/secret\n  chanel: ops\n",
			want: []string{
				`<stdin>:5: AlertProvider test/on-call: error: spec.type: "pagerduty" is not supported: use slack, discord, rocket, msteams or gchat`,
				`<stdin>:6: AlertProvider test/on-call: error: spec.address: must be an absolute http or https URL such as https://hooks.slack.com/services/…`,
				`<stdin>:7: AlertProvider test/on-call: error: spec.chanel: unknown field (the API server drops it): did you mean channel?`,
			},
			not: []string{"T0/B0/secret", "skipped"},
		},
		"a valid AlertProvider": {
			files: []string{"-"}, strict: true,
			stdin: "apiVersion: flagger.app/v1beta1\nkind: AlertProvider\nmetadata: {name: on-call, namespace: test}\n" +
				"spec: {type: slack, channel: deploys, secretRef: {name: slack-url}}\n",
			want: []string{"AlertProvider test/on-call: valid"},
		},
		"only other kinds": {
			files: []string{"-"}, stdin: "apiVersion: v1\nkind: Service\nmetadata: {name: a}\n", strict: true, wantErr: errInvalid,
			want: []string{"<stdin>: error: no Canary, MetricTemplate or AlertProvider found (skipped 1 Service)"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var out bytes.Buffer
			err := runValidate(&out, tc.files, validateOptions{strict: tc.strict, output: "text", stdin: strings.NewReader(tc.stdin)})
			if !errors.Is(err, tc.wantErr) {
				t.Errorf("error %v, want %v", err, tc.wantErr)
			}
			for _, w := range tc.want {
				if !strings.Contains(out.String(), w) {
					t.Errorf("output lacks %q:\n%s", w, out.String())
				}
			}
			for _, n := range tc.not {
				if strings.Contains(out.String(), n) {
					t.Errorf("output has %q:\n%s", n, out.String())
				}
			}
		})
	}
}

func TestValidateMachineReadable(t *testing.T) {
	for _, format := range []string{"json", "yaml"} {
		t.Run(format, func(t *testing.T) {
			var out bytes.Buffer
			err := runValidate(&out, []string{"-"}, validateOptions{strict: true, output: format, stdin: strings.NewReader(badCanary)})
			if !errors.Is(err, errInvalid) {
				t.Errorf("error %v, want errInvalid", err)
			}
			var rep validateReport
			if err := yaml.Unmarshal(out.Bytes(), &rep); err != nil { // JSON is YAML
				t.Fatalf("not %s: %v\n%s", format, err, out.String())
			}
			if format == "json" && !json.Valid(out.Bytes()) {
				t.Fatalf("not JSON:\n%s", out.String())
			}
			if rep.Valid || len(rep.Files) != 1 {
				t.Fatalf("report %+v", rep)
			}
			f := rep.Files[0]
			if f.File != "<stdin>" || f.Skipped["ConfigMap"] != 1 || len(f.Objects) != 1 || f.Objects[0].Valid {
				t.Errorf("file report %+v", f)
			}
			want := finding{Line: 23, Object: "Canary test/podinfo", Severity: "error", Field: "spec.analysis.stepWieght",
				Message: "unknown field (the API server drops it): did you mean stepWeight?"}
			found := false
			for _, got := range f.Findings {
				found = found || got == want
			}
			if !found {
				t.Errorf("findings lack %+v: %+v", want, f.Findings)
			}
		})
	}
}

func TestValidateRejectsUnknownOutput(t *testing.T) {
	err := runValidate(&bytes.Buffer{}, []string{"-"}, validateOptions{output: "xml", stdin: strings.NewReader("")})
	if err == nil || !strings.Contains(err.Error(), `--output "xml": want text, json or yaml`) {
		t.Errorf("error %v", err)
	}
}
