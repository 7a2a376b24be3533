package scenario_test

import (
	"errors"
	"fmt"
	"io/fs"
	"math"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// corpusFS copies the embedded corpus into a MapFS, so that a fuzzed
// scenario at its root finds the manifests by their relative paths.
func corpusFS(f *testing.F) (fstest.MapFS, [][]byte) {
	f.Helper()
	fsys := fstest.MapFS{}
	var seeds [][]byte
	err := fs.WalkDir(scenarios.FS, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		data, err := fs.ReadFile(scenarios.FS, name)
		if err != nil {
			return err
		}
		fsys[name] = &fstest.MapFile{Data: data}
		if !strings.Contains(name, "/") && strings.HasSuffix(name, ".yaml") {
			seeds = append(seeds, data)
		}
		return nil
	})
	if err != nil || len(seeds) == 0 {
		f.Fatalf("corpus: %d scenarios, %v", len(seeds), err)
	}
	return fsys, seeds
}

// FuzzLoad reads arbitrary bytes as a scenario: the loader must not panic,
// its errors must name the file, and a scenario it accepts must survive
// an update of its expectations.
func FuzzLoad(f *testing.F) {
	fsys, seeds := corpusFS(f)
	for _, s := range seeds {
		f.Add(s)
	}
	f.Add([]byte(""))
	// Anchors, aliases and merge keys; a canary inline; an alias bomb.
	f.Add([]byte("version: fledge.dev/scenario/v1\ncanary: manifests/reference-canary.yaml\ntraffic:\n  - &u {name: users, target: apex, rps: 20}\n  - <<: *u\n    name: more\nactions:\n  - &a {at: 0s, stall: canary}\n  - *a\nexpect: {phase: !!str Succeeded, events: [a]}\n"))
	f.Add([]byte("version: fledge.dev/scenario/v1\ncanary:\n  apiVersion: flagger.app/v1beta1\n  kind: Canary\n  metadata: {name: p, labels: &l {a: b}}\n  spec: {service: {port: 9898}, x: *l}\n"))
	f.Add([]byte("version: fledge.dev/scenario/v1\ncanary: manifests/podinfo-canary.yaml\nx: &a [1, 1, 1]\ny: &b [*a, *a, *a]\nz: [*b, *b, *b]\n"))
	f.Add([]byte("version: fledge.dev/scenario/v1\ncanary: manifests/podinfo-canary.yaml\nactions:\n  - at: 5 minutes\n    setImgae: x\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		const name = "fuzz.yaml"
		// The fuzzer has no timeout of its own: a hang crashes the worker,
		// and the input is reported.
		watchdog := time.AfterFunc(30*time.Second, func() { panic(fmt.Sprintf("hung on %q", data)) })
		defer watchdog.Stop()
		files := fstest.MapFS{name: &fstest.MapFile{Data: data}}
		for k, v := range fsys {
			files[k] = v
		}
		l, err := scenario.LoadFS(files, name, name)
		if err != nil {
			var errs scenario.Errors
			if !errors.As(err, &errs) || len(errs) == 0 {
				t.Fatalf("error %T %q is not scenario.Errors", err, err)
			}
			for _, e := range errs {
				if e.File != name || !strings.HasPrefix(e.Error(), name+":") {
					t.Fatalf("error %q does not name %s", e.Error(), name)
				}
			}
			return
		}
		if l.Canary == nil || l.Version != scenario.Version {
			t.Fatalf("accepted without a canary or version: %+v", l.Scenario)
		}
		for _, a := range l.Actions {
			if a.Run == "" {
				continue
			}
			if _, err := scenario.ParseCommand(a.Run); err != nil {
				t.Fatalf("accepted run %q: %v", a.Run, err)
			}
		}
		out, err := l.UpdateExpect(scenario.Observed{Phase: "Succeeded", Weights: []int{5, 0}, Events: []string{"null", ""}})
		if err != nil {
			t.Fatalf("update: %v", err)
		}
		files[name] = &fstest.MapFile{Data: out}
		if _, err := scenario.LoadFS(files, name, name); err != nil {
			t.Fatalf("the updated scenario does not load: %v\n%s", err, out)
		}
	})
}

// FuzzParseCommand: commands never panic, and traffic they accept has a
// rate, a duration and a status code the traffic model takes.
func FuzzParseCommand(f *testing.F) {
	for _, s := range []string{
		"kubectl -n test set image deployment/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1",
		"watch -n 0.1 curl http://podinfo-canary.test:9898/status/500",
		"watch -n 0.1 curl http://podinfo-canary.test:9898/delay/1",
		"hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/",
		"hey -n 100 -q 1e300 -c 2 http://podinfo-canary.test:9898/",
		"curl -sd 'test' http://podinfo-canary.test:9898/token | grep token",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		c, err := scenario.ParseCommand(text)
		if err != nil || c.Kind != "traffic" {
			return
		}
		if !(c.RPS > 0) || math.IsInf(c.RPS, 0) || c.For < 0 || c.Delay < 0 || c.Code < 100 || c.Code > 599 {
			t.Fatalf("%q: %+v", text, c)
		}
	})
}
