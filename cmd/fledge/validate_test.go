package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

func TestValidateExamples(t *testing.T) {
	var out bytes.Buffer
	files, err := filepath.Glob("../../scenarios/manifests/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no examples: %v", err)
	}
	if !validateFiles(&out, files, v1.ValidationOptions{}) {
		t.Fatalf("examples rejected:\n%s", out.String())
	}
	if got := strings.Count(out.String(), ": valid\n"); got != 4 {
		t.Errorf("want 4 valid manifests (3 canaries, 1 template), got %d:\n%s", got, out.String())
	}
}

func TestValidateReportsEveryProblem(t *testing.T) {
	const bad = `apiVersion: flagger.app/v1beta1
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
    stepWeights: [10, 5]
    stepWieght: 5
    mirror: true
`
	file := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(file, []byte(bad), 0o600); err != nil {
		t.Fatal(err)
	}
	var out bytes.Buffer
	if validateFiles(&out, []string{file}, v1.ValidationOptions{}) {
		t.Fatalf("bad canary accepted:\n%s", out.String())
	}
	for _, want := range []string{
		file + `: warning: `,
		`stepWieght`,
		file + `: Canary test/podinfo: error: spec.analysis.stepWeights: must be increasing`,
		file + `: Canary test/podinfo: error: spec.analysis.mirror: `,
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("output lacks %q:\n%s", want, out.String())
		}
	}
	if strings.Contains(out.String(), ": valid") {
		t.Errorf("an invalid canary was reported valid:\n%s", out.String())
	}
}

func TestValidateMissingFile(t *testing.T) {
	var out bytes.Buffer
	if validateFiles(&out, []string{"does-not-exist.yaml"}, v1.ValidationOptions{}) {
		t.Fatal("missing file accepted")
	}
	if !strings.Contains(out.String(), "does-not-exist.yaml: error: open does-not-exist.yaml: no such file or directory") {
		t.Errorf("unexpected output: %s", out.String())
	}
}
