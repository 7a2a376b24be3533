package scenario

import (
	"os"
	"path/filepath"
	"testing"
)

const canaryYAML = `apiVersion: flagger.app/v1beta1
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
      thresholdRange:
        min: 99
      interval: 1m
`

func TestZZExplore(t *testing.T) {
	cases := map[string]string{
		"version": "version: v0\nname: x\ncanary: c.yaml\n",
		"missing": "version: fledge.dev/scenario/v1\nname: x\n",
		"nofile": "version: fledge.dev/scenario/v1\nname: x\ncanary: nope.yaml\n",
		"two": "version: fledge.dev/scenario/v1\nname: x\ncanary: two.yaml\n",
		"invalid": "version: fledge.dev/scenario/v1\nname: x\ncanary: inv.yaml\n",
		"typo": "version: fledge.dev/scenario/v1\nname: x\ncanary: c.yaml\nactions:\n  - at: 0s\n    setImgae: podinfod=x:1\n",
		"dur": "version: fledge.dev/scenario/v1\nname: x\ncanary: c.yaml\nactions:\n  - at: 5 minutes\n    setImage: podinfod=x:1\n",
		"traffic": "version: fledge.dev/scenario/v1\nname: x\ncanary: c.yaml\ntraffic:\n  - target: apex\n    rps: 1\n  - name: a\n    target: apex\n    rps: 1\n  - name: a\n    target: nowhere\n    rps: 0\n    codes: {200: 0}\n    latency: {p50: 1s, p99: 10ms}\n    from: 2m\n    until: 1m\n",
		"verbs": "version: fledge.dev/scenario/v1\nname: x\ncanary: c.yaml\nactions:\n  - at: 0s\n    setImage: a=b\n    stall: canary\n  - at: 1s\n  - at: 2s\n    run: ls -l\n  - at: 3s\n    run: watch -n 1 curl http://other.test:9898/\n  - at: 4s\n    stop: ghost\n  - at: 5s\n    setImage: podinfod\n  - at: 6s\n    webhook: {name: x, reply: maybe}\n  - at: 7s\n    metric: {name: nope, value: 1}\n  - at: 8s\n    metric: {name: request-success-rate, value: 1, noData: true}\n  - at: 9s\n    stall: apex\nexpect:\n  phase: Done\n  match: fuzzy\n",
		"inline-invalid": "version: fledge.dev/scenario/v1\nname: x\ncanary:\n  apiVersion: flagger.app/v1beta1\n  kind: Canary\n  metadata: {name: p}\n  spec: {}\n",
		"badyaml": "version: [\n",
		"typeerr": "version: fledge.dev/scenario/v1\nseed: -1\ncanary: c.yaml\ncluster:\n  replicas: many\n",
		"webhooks": "version: fledge.dev/scenario/v1\ncanary: c.yaml\nwebhooks:\n  acceptance-test: maybe\n",
	}
	for name, y := range cases {
		dir := t.TempDir()
		os.WriteFile(filepath.Join(dir, "c.yaml"), []byte(canaryYAML), 0o600)
		os.WriteFile(filepath.Join(dir, "two.yaml"), []byte(canaryYAML+"---\n"+canaryYAML), 0o600)
		os.WriteFile(filepath.Join(dir, "inv.yaml"), []byte(canaryYAML+"    stepWeights: [10, 5]\n"), 0o600)
		f := filepath.Join(dir, "s.yaml")
		os.WriteFile(f, []byte(y), 0o600)
		_, err := Load(f)
		t.Logf("=== %s\n%v", name, err)
	}
}
