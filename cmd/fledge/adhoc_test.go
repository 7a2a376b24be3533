package main

import (
	"bytes"
	"errors"
	"os"
	"strings"
	"testing"
)

// writeCanary copies the tutorial's Canary to a temporary file, with
// replacements.
func writeCanary(t *testing.T, replace ...string) string {
	t.Helper()
	data, err := os.ReadFile("../../scenarios/manifests/podinfo-canary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i+1 < len(replace); i += 2 {
		text = strings.Replace(text, replace[i], replace[i+1], 1)
	}
	return writeTemp(t, "my-canary.yaml", text)
}

// TestAdhocErrorsNameTheFlags: problems point at the flag and the value
// typed, or at the line of the user's Canary, never at the scenario the
// flags were turned into.
func TestAdhocErrorsNameTheFlags(t *testing.T) {
	canary := writeCanary(t)
	badCanary := writeCanary(t, "stepWeight: 5", "stepWeight: 500")
	tests := map[string]struct {
		opts adhocOptions
		want []string
	}{
		"traffic target and code shares": {
			opts: adhocOptions{canary: canary, traffic: []string{"target=apex,rps=5", "target=apx,rps=5,500=3"}},
			want: []string{
				`--traffic "target=apx,rps=5,500=3": target: "apx": want apex, canary or primary`,
				`--traffic "target=apx,rps=5,500=3": codes: 500: 3: want an HTTP status 100..599 with a share from 0 to 1`,
				`--traffic "target=apx,rps=5,500=3": codes: the shares add up to 3, more than 1: give each code its share of the answers (the rest are 200s)`,
			},
		},
		"durations": {
			opts: adhocOptions{canary: canary, traffic: []string{"rps=5,from=2x"}, actions: []string{"1m: hey -z 1m http://x", "3y: curl x"}},
			want: []string{
				`--action "3y: curl x": at: "3y" is not a duration such as 30s or 2m30s`,
				`--traffic "rps=5,from=2x": from: "2x" is not a duration such as 30s or 2m30s`,
			},
		},
		"set-image": {
			opts: adhocOptions{canary: canary, traffic: []string{"rps=5"}, setImage: "podinfo"},
			want: []string{`--set-image "podinfo": setImage: want CONTAINER=IMAGE`},
		},
		"the Canary's own problems at its lines": {
			opts: adhocOptions{canary: badCanary, traffic: []string{"rps=5"}},
			want: []string{"--canary " + badCanary + ":36: spec.analysis.stepWeight: must be between 1 and 100"},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			if tc.opts.setImage == "" {
				tc.opts.setImage = "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1"
			}
			tc.opts.image = "ghcr.io/stefanprodan/podinfo:6.0.0"
			_, err := adhocScenario(tc.opts)
			if err == nil {
				t.Fatal("accepted")
			}
			got := strings.Split(err.Error(), "\n")
			if len(got) != len(tc.want) {
				t.Errorf("got %d problems, want %d:\n%s", len(got), len(tc.want), err)
			}
			for i := range min(len(got), len(tc.want)) {
				if !strings.HasPrefix(got[i], tc.want[i]) {
					t.Errorf("problem %d:\ngot  %s\nwant %s...", i, got[i], tc.want[i])
				}
			}
			if strings.Contains(err.Error(), "traffic[") || strings.Contains(err.Error(), "actions[") {
				t.Errorf("names the generated scenario's fields:\n%s", err)
			}
		})
	}
}

// TestAdhocFlagsNeedCanary: the flags of an ad-hoc scenario are refused
// without --canary rather than ignored.
func TestAdhocFlagsNeedCanary(t *testing.T) {
	for _, args := range [][]string{
		{"--traffic", "target=apex,rps=50"},
		{"--action", "2m: curl http://x"},
		{"tutorial-promote", "--set-image", "podinfod=x:1"},
	} {
		cmd := newRootCommand()
		var out bytes.Buffer
		cmd.SetOut(&out)
		cmd.SetArgs(append([]string{"sim", "-q"}, args...))
		err := cmd.ExecuteContext(t.Context())
		if err == nil || !strings.Contains(err.Error(), "needs --canary CANARY.yaml") || out.Len() != 0 {
			t.Errorf("%q: error %v, output %q", args, err, out.String())
		}
	}
}

// TestSimCanaryAsScenario: a Canary given as a scenario gets a hint.
func TestSimCanaryAsScenario(t *testing.T) {
	canary := writeCanary(t)
	var err error
	stderr := captureStderr(t, func() {
		err = runSim(t.Context(), &bytes.Buffer{}, []string{canary}, simOptions{})
	})
	want := "hint: " + canary + " is a Canary manifest, not a scenario: try fledge sim --canary " + canary + "\n"
	if !errors.Is(err, errBadFile) || !strings.HasSuffix(stderr, want) {
		t.Errorf("error %v, stderr:\n%s\nwant it to end with:\n%s", err, stderr, want)
	}
}
