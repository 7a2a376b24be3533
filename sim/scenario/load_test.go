package scenario_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// testCanary is a valid Canary: podinfo in test, one metric.
const testCanary = `apiVersion: flagger.app/v1beta1
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
    threshold: 5
    maxWeight: 50
    stepWeight: 5
    metrics:
      - name: request-success-rate
        interval: 1m
        thresholdRange:
          min: 99
`

// badStepWeights is testCanary with stepWeights that go down.
var badStepWeights = strings.Replace(testCanary, "    stepWeight: 5\n", "    stepWeights: [10, 5]\n", 1)

const notFoundTemplate = `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata:
  name: not-found-percentage
  namespace: test
spec:
  provider:
    type: prometheus
    address: http://prometheus.test:9090
  query: "100"
`

// head starts a scenario: lines 1 to 3.
const head = "version: fledge.dev/scenario/v1\nname: bad\ncanary: manifests/podinfo.yaml\n"

// writeScenario writes a scenario, manifests/podinfo.yaml (testCanary
// unless files says otherwise) and the other files into a new directory.
func writeScenario(t *testing.T, scenarioYAML string, files map[string]string) string {
	t.Helper()
	dir := t.TempDir()
	all := map[string]string{"manifests/podinfo.yaml": testCanary, "scenario.yaml": scenarioYAML}
	for name, text := range files {
		all[name] = text
	}
	for name, text := range all {
		file := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(file), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "scenario.yaml")
}

func TestLoadErrors(t *testing.T) {
	tests := []struct {
		name  string
		yaml  string
		files map[string]string
		// want are the lines of the error, FILE standing for the scenario's path.
		want []string
	}{{
		name: "wrong version",
		yaml: "version: fledge.dev/scenario/v2\ncanary: manifests/podinfo.yaml\n",
		want: []string{`FILE:1: version: "fledge.dev/scenario/v2" is not a version this Fledge reads: write "fledge.dev/scenario/v1"`},
	}, {
		name: "missing version",
		yaml: "name: bad\ncanary: manifests/podinfo.yaml\n",
		want: []string{`FILE:1: version: required: write "fledge.dev/scenario/v1"`},
	}, {
		name: "empty file",
		yaml: "# nothing yet\n",
		want: []string{
			`FILE:1: canary: required: a path to a Canary manifest, or the Canary inline`,
			`FILE:1: version: required: write "fledge.dev/scenario/v1"`,
		},
	}, {
		name: "missing canary",
		yaml: "version: fledge.dev/scenario/v1\nname: bad\n",
		want: []string{`FILE:1: canary: required: a path to a Canary manifest, or the Canary inline`},
	}, {
		name: "canary path that does not exist",
		yaml: "version: fledge.dev/scenario/v1\nname: bad\ncanary: manifests/nope.yaml\n",
		want: []string{`FILE:3: canary: manifests/nope.yaml: no such file or directory`},
	}, {
		name: "canary neither path nor manifest",
		yaml: "version: fledge.dev/scenario/v1\nname: bad\ncanary: [a, b]\n",
		want: []string{`FILE:3: canary: !!seq: want a file path or an inline manifest`},
	}, {
		name:  "two canaries",
		yaml:  head,
		files: map[string]string{"manifests/podinfo.yaml": testCanary + "---\n" + testCanary},
		want:  []string{`FILE:3: canary: want exactly one Canary, found 2`},
	}, {
		name:  "no canary in the file",
		yaml:  head,
		files: map[string]string{"manifests/podinfo.yaml": notFoundTemplate},
		want:  []string{`FILE:3: canary: want exactly one Canary, found 0`},
	}, {
		name:  "invalid canary",
		yaml:  head,
		files: map[string]string{"manifests/podinfo.yaml": badStepWeights},
		want:  []string{`FILE:3: canary: spec.analysis.stepWeights: must be increasing, but stepWeights[1] (5) is not above stepWeights[0] (10)`},
	}, {
		name: "invalid inline canary",
		yaml: "version: fledge.dev/scenario/v1\nname: bad\ncanary:\n" + indent(badStepWeights, "  "),
		want: []string{`FILE:21: canary.spec.analysis.stepWeights: must be increasing, but stepWeights[1] (5) is not above stepWeights[0] (10)`},
	}, {
		name: "inline canary lacking fields",
		yaml: "version: fledge.dev/scenario/v1\nname: bad\ncanary:\n  apiVersion: flagger.app/v1beta1\n  kind: Canary\n  metadata: {name: podinfo}\n  spec:\n    service: {port: 9898}\n",
		want: []string{
			`FILE:7: canary.spec.targetRef.kind: required: set Deployment`,
			`FILE:7: canary.spec.targetRef.name: required: the name of the Deployment to analyse`,
			`FILE:7: canary.spec.analysis: required: give an interval, a threshold and a stepWeight (or stepWeights, or iterations), or set skipAnalysis: true`,
		},
	}, {
		name: "metric template that does not exist",
		yaml: head + "metricTemplates:\n  - manifests/nope.yaml\n  - manifests/podinfo.yaml\n",
		want: []string{
			`FILE:5: metricTemplates[0]: manifests/nope.yaml: no such file or directory`,
			`FILE:6: metricTemplates[1]: no MetricTemplate found`,
		},
	}, {
		name: "unknown field",
		yaml: head + "actions:\n  - at: 0s\n    setImgae: podinfod=ghcr.io/stefanprodan/podinfo:6.0.1\n",
		want: []string{`FILE:6: actions[0].setImgae: unknown field`},
	}, {
		name: "unknown top-level field",
		yaml: head + "expected:\n  phase: Succeeded\n",
		want: []string{`FILE:4: expected: unknown field`},
	}, {
		name: "bad duration",
		yaml: head + "actions:\n  - at: 5 minutes\n    setImage: podinfod=ghcr.io/stefanprodan/podinfo:6.0.1\n",
		want: []string{`FILE:5: actions[0].at: "5 minutes" is not a duration such as 30s or 2m30s`},
	}, {
		name: "duration in a flow mapping",
		yaml: head + "traffic:\n  - {name: users, target: apex, rps: 20, from: 1m, until: soon}\n",
		want: []string{`FILE:5: traffic[0].until: "soon" is not a duration such as 30s or 2m30s`},
	}, {
		name: "wrong types",
		yaml: head + "seed: -1\ncluster:\n  replicas: many\n  readyAfter: {seconds: 10}\ntraffic: {name: users}\n",
		want: []string{
			"FILE:4: seed: cannot unmarshal !!int `-1` into uint64",
			"FILE:6: cluster.replicas: cannot unmarshal !!str `many` into int32",
			`FILE:7: cluster.readyAfter: !!map is not a duration such as 30s or 2m30s`,
			"FILE:8: traffic: cannot unmarshal !!map into []scenario.Traffic",
		},
	}, {
		name: "yaml syntax",
		yaml: head + "actions:\n  - at: 0s\n   setImage: x=y\n",
		want: []string{`FILE:4: did not find expected '-' indicator`},
	}, {
		name: "negative cluster values",
		yaml: head + "cluster:\n  replicas: -1\n  readyAfter: -5s\n",
		want: []string{
			`FILE:5: cluster.replicas: must not be negative`,
			`FILE:6: cluster.readyAfter: must not be negative`,
		},
	}, {
		name: "bad regression",
		yaml: head + "regression:\n  codes: {500: 0.7, 404: 0.6, 99: 0.1}\n  delay: -1s\n",
		want: []string{
			`FILE:5: regression.codes: 99: 0.1: want an HTTP status 100..599 with a share from 0 to 1`,
			`FILE:5: regression.codes: the shares add up to 1.4, more than 1`,
			`FILE:6: regression.delay: must not be negative`,
		},
	}, {
		name: "traffic without name",
		yaml: head + "traffic:\n  - target: apex\n    rps: 20\n",
		want: []string{`FILE:5: traffic[0].name: required`},
	}, {
		name: "duplicate traffic names",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 20\n  - name: users\n    target: canary\n    rps: 1\n",
		want: []string{`FILE:8: traffic[1].name: "users" is used twice`},
	}, {
		name: "duplicate name between traffic and a traffic action",
		yaml: head + "traffic:\n  - {name: users, target: apex, rps: 20}\nactions:\n  - at: 1m\n    traffic: {name: users, target: canary, rps: 1}\n",
		want: []string{`FILE:8: actions[0].traffic.name: "users" is used twice`},
	}, {
		name: "bad traffic target",
		yaml: head + "traffic:\n  - name: users\n    target: podinfo-canary\n    rps: 20\n",
		want: []string{`FILE:6: traffic[0].target: "podinfo-canary": want apex, canary or primary`},
	}, {
		name: "traffic without target",
		yaml: head + "traffic:\n  - name: users\n    rps: 20\n",
		want: []string{`FILE:5: traffic[0].target: "": want apex, canary or primary`},
	}, {
		name: "rps 0",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 0\n",
		want: []string{`FILE:7: traffic[0].rps: must be a finite number above 0`},
	}, {
		name: "rps not a number",
		yaml: head + "traffic:\n  - {name: a, target: apex, rps: .nan}\n  - {name: b, target: apex, rps: .inf}\n",
		want: []string{
			`FILE:5: traffic[0].rps: must be a finite number above 0`,
			`FILE:6: traffic[1].rps: must be a finite number above 0`,
		},
	}, {
		name: "bad code shares",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 20\n    codes: {700: 0.5, 500: -0.1, 200: 0.2}\n",
		want: []string{
			`FILE:8: traffic[0].codes: 500: -0.1: want an HTTP status 100..599 with a share from 0 to 1`,
			`FILE:8: traffic[0].codes: 700: 0.5: want an HTTP status 100..599 with a share from 0 to 1`,
		},
	}, {
		name: "code shares above 1",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 20\n    codes: {500: 3}\n  - {name: more, target: apex, rps: 20, codes: {500: 0.5, 404: 0.75}}\n",
		want: []string{
			`FILE:8: traffic[0].codes: 500: 3: want an HTTP status 100..599 with a share from 0 to 1`,
			`FILE:8: traffic[0].codes: the shares add up to 3, more than 1: give each code its share of the answers (the rest are 200s)`,
			`FILE:9: traffic[1].codes: the shares add up to 1.25, more than 1: give each code its share of the answers (the rest are 200s)`,
		},
	}, {
		name: "code shares adding up to 0",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 20\n    codes:\n      500: 0\n",
		want: []string{`FILE:8: traffic[0].codes: the shares add up to 0`},
	}, {
		name: "p99 below p50",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 20\n    latency: {p50: 100ms, p99: 20ms}\n",
		want: []string{`FILE:8: traffic[0].latency: p99 is below p50`},
	}, {
		name: "negative latency",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 20\n    latency: {delay: -1s}\n",
		want: []string{`FILE:8: traffic[0].latency: must not be negative`},
	}, {
		name: "p99 without p50",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 20\n    latency:\n      p99: 40ms\n",
		want: []string{`FILE:8: traffic[0].latency: p99 without p50`},
	}, {
		name: "code share not a number",
		yaml: head + "traffic:\n  - {name: users, target: apex, rps: 20, codes: {500: .nan}}\n",
		want: []string{`FILE:5: traffic[0].codes: 500: NaN: want an HTTP status 100..599 with a share from 0 to 1`},
	}, {
		name: "until before from",
		yaml: head + "traffic:\n  - name: users\n    target: apex\n    rps: 20\n    from: 5m\n    until: 2m\n",
		want: []string{`FILE:9: traffic[0].until: must be after from`},
	}, {
		name: "action with two verbs",
		yaml: head + "actions:\n  - at: 0s\n    setImage: podinfod=ghcr.io/stefanprodan/podinfo:6.0.1\n    stall: canary\n",
		want: []string{`FILE:5: actions[0]: want exactly one of run, stop, setImage, traffic, webhook, metric, stall, apply, delete; found 2`},
	}, {
		name: "action with no verb",
		yaml: head + "actions:\n  - at: 0s\n  - at: 1m\n",
		want: []string{
			`FILE:5: actions[0]: want exactly one of run, stop, setImage, traffic, webhook, metric, stall, apply, delete; found 0`,
			`FILE:6: actions[1]: want exactly one of run, stop, setImage, traffic, webhook, metric, stall, apply, delete; found 0`,
		},
	}, {
		name: "delete of something else",
		yaml: head + "actions:\n  - at: 0s\n    delete: podinfo\n",
		want: []string{`FILE:6: actions[0].delete: "podinfo": want canary (the one object a scenario deletes)`},
	}, {
		name: "apply of a patch that breaks the Canary's types",
		yaml: head + "actions:\n  - at: 0s\n    apply: {spec: {analysis: {threshold: five}}}\n",
		want: []string{`FILE:6: actions[0].apply: the patched Canary: document 1: Canary: error unmarshaling JSON: while decoding JSON: json: cannot unmarshal string into Go struct field CanaryAnalysis.spec.analysis.threshold of type int`},
	}, {
		name:  "apply of a file without a Canary, and of another Canary",
		yaml:  head + "actions:\n  - at: 0s\n    apply: nope.yaml\n  - at: 1m\n    apply: manifests/other.yaml\n",
		files: map[string]string{"manifests/other.yaml": "apiVersion: flagger.app/v1beta1\nkind: Canary\nmetadata: {name: other, namespace: test}\nspec: {targetRef: {name: other}, service: {port: 80}}\n"},
		want: []string{
			`FILE:6: actions[0].apply: nope.yaml: no such file or directory`,
			`FILE:8: actions[1].apply: manifests/other.yaml: the Canary is "other", not the scenario's "podinfo"`,
		},
	}, {
		name: "negative at",
		yaml: head + "actions:\n  - at: -1m\n    stall: canary\n",
		want: []string{`FILE:5: actions[0].at: must not be negative`},
	}, {
		name: "run an unknown command",
		yaml: head + "actions:\n  - at: 0s\n    run: kubectl apply -f podinfo.yaml\n  - at: 1m\n    run: ab -n 100 http://podinfo-canary.test:9898/\n",
		want: []string{
			`FILE:6: actions[0].run: want kubectl [-n NAMESPACE] set image deployment/NAME CONTAINER=IMAGE`,
			`FILE:8: actions[1].run: "ab": the simulator runs kubectl set image, watch ... curl URL and hey`,
		},
	}, {
		name: "watch curl to another host",
		yaml: head + "actions:\n  - at: 0s\n    run: watch -n 0.1 curl http://frontend.test:9898/status/500\n",
		want: []string{`FILE:6: actions[0].run: host "frontend" is none of the canary's services podinfo, podinfo-canary, podinfo-primary`},
	}, {
		name: "watch curl with a status podinfo cannot answer",
		yaml: head + "actions:\n  - at: 0s\n    run: watch -n 0.1 curl http://podinfo-canary.test:9898/status/999\n",
		want: []string{`FILE:6: actions[0].run: "/status/999": want /status/CODE with an HTTP status 100..599`},
	}, {
		name: "hey at no rate",
		yaml: head + "actions:\n  - at: 0s\n    run: hey -z 1m -c 2 http://podinfo.test:9898/\n",
		want: []string{`FILE:6: actions[0].run: hey without -q floods the target: give -q QPS per worker`},
	}, {
		name: "stop of an unknown source",
		yaml: head + "traffic:\n  - {name: users, target: apex, rps: 20}\nactions:\n  - at: 5m\n    stop: user\n",
		want: []string{`FILE:8: actions[0].stop: "user" is not a traffic source or command started before`},
	}, {
		name: "stop of a command with other words",
		yaml: head + "actions:\n  - at: 0s\n    run: watch -n 0.1 curl http://podinfo-canary.test:9898/status/500\n  - at: 5m\n    stop: watch curl http://podinfo-canary.test:9898/status/500\n",
		want: []string{`FILE:8: actions[1].stop: "watch curl http://podinfo-canary.test:9898/status/500" is not a traffic source or command started before`},
	}, {
		name: "setImage without =",
		yaml: head + "actions:\n  - at: 0s\n    setImage: ghcr.io/stefanprodan/podinfo:6.0.1\n",
		want: []string{`FILE:6: actions[0].setImage: want CONTAINER=IMAGE`},
	}, {
		name: "bad webhook replies",
		yaml: head + "webhooks:\n  load-test: ok\n  acceptance-test: failed\nactions:\n  - at: 1m\n    webhook: {name: acceptance-test, reply: maybe}\n",
		want: []string{
			`FILE:6: webhooks.acceptance-test: "failed": want pass, fail or "fail: BODY"`,
			`FILE:5: webhooks.load-test: "ok": want pass, fail or "fail: BODY"`,
			`FILE:9: actions[0].webhook: "maybe": want pass, fail or "fail: BODY"`,
		},
	}, {
		name: "metric the canary lacks",
		yaml: head + "actions:\n  - at: 0s\n    metric: {name: request-duration, value: 100}\n",
		want: []string{`FILE:6: actions[0].metric: "request-duration" is not a metric of the canary`},
	}, {
		name: "metric with value and noData",
		yaml: head + "actions:\n  - at: 0s\n    metric: {name: request-success-rate, value: 100, noData: true}\n",
		want: []string{`FILE:6: actions[0].metric: want exactly one of value, noData, model`},
	}, {
		name: "metric with neither value nor noData nor model",
		yaml: head + "actions:\n  - at: 0s\n    metric:\n      name: request-success-rate\n",
		want: []string{`FILE:6: actions[0].metric: want exactly one of value, noData, model`},
	}, {
		name: "stall of the apex",
		yaml: head + "actions:\n  - at: 0s\n    stall: apex\n",
		want: []string{`FILE:6: actions[0].stall: "apex": want canary or primary`},
	}, {
		name: "bad expect.phase",
		yaml: head + "expect:\n  phase: Promoted\n",
		want: []string{`FILE:5: expect.phase: "Promoted" is not a Canary phase`},
	}, {
		name: "bad expect.match",
		yaml: head + "expect:\n  phase: Succeeded\n  match: prefix\n",
		want: []string{`FILE:6: expect.match: "prefix": want exact or subsequence`},
	}, {
		name: "several problems at once",
		yaml: `version: fledge.dev/scenario/v0
name: many
canary: manifests/podinfo.yaml
traffic:
  - name: users
    target: apex
    rps: 0
actions:
  - at: 0s
    run: kubectl -n test set image deployment/podinfo podinfod
  - at: 1m
    stop: load
  - at: 2m
    stall: everything
expect:
  phase: Done
  match: all
`,
		want: []string{
			`FILE:1: version: "fledge.dev/scenario/v0" is not a version this Fledge reads: write "fledge.dev/scenario/v1"`,
			`FILE:7: traffic[0].rps: must be a finite number above 0`,
			`FILE:10: actions[0].run: "podinfod": want CONTAINER=IMAGE`,
			`FILE:12: actions[1].stop: "load" is not a traffic source or command started before`,
			`FILE:14: actions[2].stall: "everything": want canary or primary`,
			`FILE:16: expect.phase: "Done" is not a Canary phase`,
			`FILE:17: expect.match: "all": want exact or subsequence`,
		},
	}, {
		name: "several decoding problems at once",
		yaml: head + "until: forever\ntraffic:\n  - name: users\n    taget: apex\n    rps: twenty\nactions:\n  - at: 1 minute\n    setImgae: podinfod=x\n",
		want: []string{
			`FILE:4: until: "forever" is not a duration such as 30s or 2m30s`,
			`FILE:7: traffic[0].taget: unknown field`,
			"FILE:8: traffic[0].rps: cannot unmarshal !!str `twenty` into float64",
			`FILE:10: actions[0].at: "1 minute" is not a duration such as 30s or 2m30s`,
			`FILE:11: actions[0].setImgae: unknown field`,
		},
	}}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			file := writeScenario(t, tt.yaml, tt.files)
			l, err := scenario.Load(file)
			if err == nil {
				t.Fatalf("loaded %q", l.Name)
			}
			got := strings.Split(strings.ReplaceAll(err.Error(), file, "FILE"), "\n")
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("errors:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
			var errs scenario.Errors
			if !errors.As(err, &errs) {
				t.Fatalf("error is a %T, not scenario.Errors", err)
			}
			for _, e := range errs {
				if e.File != file || e.Line <= 0 {
					t.Errorf("%q: want file %s and a line", e, file)
				}
			}
		})
	}
}

// indent prefixes every line of text.
func indent(text, prefix string) string {
	lines := strings.SplitAfter(text, "\n")
	for i, l := range lines {
		if l != "" {
			lines[i] = prefix + l
		}
	}
	return strings.Join(lines, "")
}

// TestLoadCorpus loads every scenario of the corpus, as fledge sim does.
func TestLoadCorpus(t *testing.T) {
	files, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios embedded: %v", err)
	}
	for _, f := range files {
		l, err := scenario.LoadFS(scenarios.FS, f, "scenarios/"+f)
		if err != nil {
			t.Errorf("%s: %v", f, err)
			continue
		}
		if l.Canary == nil || l.Version != scenario.Version || l.Name+".yaml" != f {
			t.Errorf("%s: canary %v, version %q, name %q", f, l.Canary != nil, l.Version, l.Name)
		}
	}
}

// TestLoadFromDisk loads a corpus file from its directory with Load, its
// manifest path resolved relative to it, and the same file with an
// absolute manifest path.
func TestLoadFromDisk(t *testing.T) {
	l, err := scenario.Load(filepath.Join("..", "..", "scenarios", "tutorial-promote.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	if l.Canary.Name != "podinfo" || l.Canary.Namespace != "test" {
		t.Errorf("canary %s/%s", l.Canary.Namespace, l.Canary.Name)
	}
	abs, err := filepath.Abs(filepath.Join("..", "..", "scenarios", "manifests", "podinfo-canary.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	file := writeScenario(t, "version: fledge.dev/scenario/v1\nname: abs\ncanary: "+filepath.ToSlash(abs)+"\n", nil)
	if l, err = scenario.Load(file); err != nil {
		t.Fatalf("absolute canary path: %v", err)
	}
	if len(l.Canary.GetAnalysis().Metrics) != 2 {
		t.Errorf("want the tutorial's canary, got %d metrics", len(l.Canary.GetAnalysis().Metrics))
	}
}
