package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// whatifCLI runs fledge whatif with args and returns stdout, stderr and the error.
func whatifCLI(t *testing.T, args ...string) (string, string, error) {
	t.Helper()
	cmd := newRootCommand()
	var out, errOut bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SetArgs(append([]string{"whatif", "-q"}, args...))
	err := cmd.ExecuteContext(t.Context())
	return out.String(), errOut.String(), err
}

// small keeps a study to the healthy case and +20% 5xx.
var small = []string{"--errors", "20", "--latency", "", "--not-found", ""}

func TestWhatifBadInput(t *testing.T) {
	dir := t.TempDir()
	badFile := filepath.Join(dir, "whatif.yaml")
	if err := os.WriteFile(badFile, []byte("traffic:\n  rps: 10\n  burst: 3\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	stepWeights := canaryWith(t, dir, "stepWeight: 5", "stepWeights: [10, 50]")
	file := func(name, text string) string {
		path := filepath.Join(dir, name)
		must(t, os.WriteFile(path, []byte(text), 0o600))
		return path
	}
	nested := file("nested.yaml", "runs: 2\nsweep:\n  threshold: [1, [2, 3]]\n")
	mapped := file("mapped.yaml", "sweep:\n  threshold:\n    - 1\n    - {two: 2}\n")
	comma := file("comma.yaml", "sweep:\n  interval: [\"30s,1m\"]\n")
	negative := file("negative.yaml", "runs: -3\n")
	zero := file("zero.yaml", "runs: 0\n")
	for _, c := range []struct {
		name string
		args []string
		want string
	}{
		{"runs 0", []string{"--runs", "0"}, "--runs 0: want at least 1"},
		{"negative runs", []string{"--runs", "-5"}, "--runs -5: want at least 1"},
		{"regression above 100%", []string{"--errors", "2,150"}, "5xx regression 150%: want a share above 0 and at most 100%"},
		{"negative 404 regression", []string{"--not-found", "-1"}, "404 regression -1%"},
		{"not a percentage", []string{"--errors", "two"}, `--errors: "two" is not a percentage such as 2 or 2%`},
		{"not a duration", []string{"--latency", "fast"}, `--latency: "fast" is not a duration such as 100ms`},
		{"unknown sweep key", []string{"--sweep", "speed=1,2"}, `unknown key "speed": want one of interval, maxWeight, stepWeight, threshold`},
		{"sweep value", []string{"--sweep", "threshold=two"}, `threshold=two: "two" is not a whole number`},
		{"sweep to an invalid spec", []string{"--sweep", "stepWeight=0"}, "stepWeight=0: "},
		{"twice the same key", []string{"--sweep", "threshold=1", "threshold=2"}, "threshold is swept twice"},
		{"error rate", []string{"--error-rate", "101"}, "error rate 101%: want 0 to 100%"},
		{"unknown file field", []string{"-f", badFile}, "field burst not found"},
		{"missing canary", []string{filepath.Join(dir, "nope.yaml")}, "nope.yaml"},
		{"file sweep value a list", []string{"-f", nested}, nested + ":3: sweep threshold: want single values such as 5 or 30s, not a list"},
		{"file sweep value a map", []string{"-f", mapped}, mapped + ":4: sweep threshold: want single values such as 5 or 30s, not a map"},
		{"file sweep value with a comma", []string{"-f", comma},
			comma + `:2: sweep interval: "30s,1m" holds a comma: list each value on its own ([30s, 1m]); commas separate values in --sweep only`},
		{"file runs negative", []string{"-f", negative}, negative + ": runs: -3: want at least 1"},
		{"file runs 0", []string{"-f", zero}, zero + ": runs: 0: want at least 1"},
		{"sweep to a setting the spec ignores", []string{stepWeights, "--sweep", "maxWeight=20,40,100"},
			"maxWeight=20: the spec gains a warning: spec.analysis.maxWeight: ignored with stepWeights: the last step, 50, is the maximum weight"},
		{"a template not given", []string{withoutTemplate(t, dir)},
			`metric "404s percentage" (metrics[2]) refers to MetricTemplate test/not-found-percentage, which no manifest given holds: give its manifest with --template FILE`},
		{"sweep to an interval raised to the shortest", []string{"--sweep", "interval=5s,30s"},
			"interval=5s: the spec gains a warning: spec.analysis.interval: 5s is raised to 10s, the shortest interval"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, stderr, err := whatifCLI(t, c.args...)
			if !errors.Is(err, errBadFile) || !strings.Contains(stderr, c.want) || out != "" {
				t.Errorf("error %v, stderr %q, stdout %q; want errBadFile and %q", err, stderr, out, c.want)
			}
		})
	}
}

func TestWhatifTable(t *testing.T) {
	out, stderr, err := whatifCLI(t, append([]string{"--runs", "4", "--error-rate", "0"}, small...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	for _, want := range []string{
		"What if test/podinfo ships: interval 30s, threshold 5, weights 5,10,15,20,25,30,35,40,45,50",
		"4 runs per case, seed 1",
		"healthy 100.0% 0.0% (0.0–49.0%) 6m30s / 6m30s / 6m30s - 0 / 0",
		"+20% 5xx 0.0% 100.0% (51.0–100.0%) - 3m30s / 3m30s / 3m30s",
		"Arithmetic: 13 ticks of 30s = 6m30s from the change to the promotion with rollouts ready in 10s",
		"Every healthy run that promoted took exactly that.",
		// fledge sim tutorial-promote takes 7:30: the output says why.
		"fledge sim's tutorial scenarios roll out in 40s (their cluster.readyAfter), which makes it 7m30s: --ready-after 40s studies that.",
	} {
		if !strings.Contains(strings.Join(strings.Fields(out), " "), want) {
			t.Errorf("output lacks %q:\n%s", want, out)
		}
	}
}

// TestWhatifFileAndFlags: the file sets the study, a flag overrides it.
func TestWhatifFileAndFlags(t *testing.T) {
	file := filepath.Join(t.TempDir(), "whatif.yaml")
	text := "traffic: {rps: 40, errorRate: 0, readyAfter: 40s}\nregressions: {errors: [20], latency: [], notFound: []}\nruns: 3\nseed: 7\n"
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	out, stderr, err := whatifCLI(t, "-f", file, "--runs", "2", "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep whatif.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Runs != 2 || rep.Seed != 7 || rep.Profile.RPS != 40 || len(rep.Cases) != 2 || rep.Cases[1].Name != "+20% 5xx" {
		t.Errorf("runs %d seed %d rps %v cases %d; want 2 runs (flag), seed 7, 40 rps, healthy and +20%% 5xx (file)",
			rep.Runs, rep.Seed, rep.Profile.RPS, len(rep.Cases))
	}
	// 40s rollouts take two 30s ticks each way: 15 ticks.
	if rep.Arithmetic.Promotion.Seconds() != 450 || rep.Cases[0].TimeToPromote.Max != 450 {
		t.Errorf("arithmetic %v, healthy max %vs; want 7m30s", rep.Arithmetic.Promotion, rep.Cases[0].TimeToPromote.Max)
	}
	// The tutorial scenarios' rollout time: nothing to tell apart.
	if rep.Arithmetic.Scenarios != nil {
		t.Errorf("tutorial scenarios compared though they agree: %+v", rep.Arithmetic.Scenarios)
	}
}

func TestWhatifSweep(t *testing.T) {
	out, stderr, err := whatifCLI(t, append([]string{"--runs", "2", "--error-rate", "0", "--json", "--sweep", "stepWeight=10,25", "threshold=1,3"}, small...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep whatif.SweepReport
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	var settings []string
	for _, p := range rep.Points {
		settings = append(settings, p.Setting.String())
	}
	want := "stepWeight=10 threshold=1|stepWeight=10 threshold=3|stepWeight=25 threshold=1|stepWeight=25 threshold=3"
	if strings.Join(settings, "|") != want {
		t.Errorf("settings %q, want %q", settings, want)
	}
	// Threshold 3 fails more requests before the rollback and catches
	// no more: only threshold 1 is on the frontier, at either step.
	if got, want := frontierOf(&rep), []string{"stepWeight=10 threshold=1", "stepWeight=25 threshold=1"}; !slices.Equal(got, want) {
		t.Errorf("frontier %q, want %q", got, want)
	}
	// stepWeight 25 reaches 50 in two steps instead of five: faster.
	if rep.Points[2].TimeToPromote >= rep.Points[0].TimeToPromote {
		t.Errorf("stepWeight 25 promotes in %vs, stepWeight 10 in %vs", rep.Points[2].TimeToPromote, rep.Points[0].TimeToPromote)
	}
}

// TestWhatifFileSweepWebhooksTemplates: a what-if file's sweep, webhook
// replies and MetricTemplate paths (relative to the file) are used.
func TestWhatifFileSweepWebhooksTemplates(t *testing.T) {
	dir := t.TempDir()
	data, err := os.ReadFile("../../scenarios/manifests/podinfo-canary-404s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	canary, template, ok := strings.Cut(string(data), "\n---\n")
	if !ok {
		t.Fatal("podinfo-canary-404s.yaml has no second document")
	}
	for name, text := range map[string]string{"canary.yaml": canary, "templates/not-found.yaml": template,
		"whatif.yaml": "regressions: {errors: [], latency: [], notFound: [20]}\nruns: 2\n" +
			"metricTemplates: [templates/not-found.yaml]\nwebhooks: {acceptance-test: fail}\nsweep: {threshold: [1, 5]}\n"} {
		must(t, os.MkdirAll(filepath.Dir(filepath.Join(dir, name)), 0o700))
		must(t, os.WriteFile(filepath.Join(dir, name), []byte(text), 0o600))
	}
	out, stderr, err := whatifCLI(t, "-f", filepath.Join(dir, "whatif.yaml"), filepath.Join(dir, "canary.yaml"), "--json")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep whatif.SweepReport
	must(t, json.Unmarshal([]byte(out), &rep))
	if len(rep.Points) != 2 || rep.Points[0].Setting.String() != "threshold=1" {
		t.Fatalf("points %+v, want threshold=1 and threshold=5", rep.Points)
	}
	for _, p := range rep.Points {
		// The failing pre-rollout hook rolls every run back, healthy or not.
		for _, c := range p.Report.Cases {
			if c.RolledBack.Count != 2 {
				t.Errorf("%s, %s: %d of 2 runs rolled back, want both (acceptance-test fails)", p.Setting, c.Name, c.RolledBack.Count)
			}
		}
		if got := p.Report.Spec.Metrics; len(got) != 3 || got[2] != "404s percentage" {
			t.Errorf("%s: metrics %q, want the template's 404s percentage third", p.Setting, got)
		}
	}
}

// TestWhatifSweepFrontierCountsDetection: a small maxWeight promotes a
// +2% 5xx release fast and so fails few requests, but catches it in few
// runs; the settings that catch it more often stay on the frontier.
func TestWhatifSweepFrontierCountsDetection(t *testing.T) {
	out, stderr, err := whatifCLI(t, "--errors", "2", "--latency", "", "--not-found", "", "--runs", "20", "--json",
		"--sweep", "maxWeight=5,10,50")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep whatif.SweepReport
	must(t, json.Unmarshal([]byte(out), &rep))
	if rep.Points[0].Detection >= rep.Points[2].Detection {
		t.Fatalf("maxWeight=5 detects %v, maxWeight=50 %v: want fewer", rep.Points[0].Detection, rep.Points[2].Detection)
	}
	if got, want := frontierOf(&rep), []string{"maxWeight=5", "maxWeight=10", "maxWeight=50"}; !slices.Equal(got, want) {
		t.Errorf("frontier %q, want %q", got, want)
	}
}

// TestWhatifJSONKeys: --json gives durations in seconds under keys ending
// in Seconds and leaves out what was not measured.
func TestWhatifJSONKeys(t *testing.T) {
	out, stderr, err := whatifCLI(t, append([]string{"--runs", "2", "--error-rate", "0", "--json"}, small...)...)
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var rep struct {
		Spec, Profile, Arithmetic map[string]any
		Cases                     []map[string]any
	}
	must(t, json.Unmarshal([]byte(out), &rep))
	for _, c := range []struct {
		where string
		m     map[string]any
		key   string
		want  any
	}{
		{"spec", rep.Spec, "intervalSeconds", 30.0},
		{"profile", rep.Profile, "p50Seconds", 0.005},
		{"profile", rep.Profile, "readyAfterSeconds", 10.0},
		{"arithmetic", rep.Arithmetic, "promotionSeconds", 390.0},
		{"arithmetic", rep.Arithmetic, "analysisSeconds", 300.0},
		{"healthy case", rep.Cases[0], "timeToRollbackSeconds", nil},
		{"+20% 5xx case", rep.Cases[1], "timeToPromoteSeconds", nil},
	} {
		if got := c.m[c.key]; got != c.want {
			t.Errorf("%s: %s is %v, want %v", c.where, c.key, got, c.want)
		}
	}
	for _, old := range []string{"interval", "p50", "readyAfter", "promotion"} {
		if _, ok := rep.Profile[old]; ok {
			t.Errorf("profile has %q", old)
		}
		if _, ok := rep.Arithmetic[old]; ok {
			t.Errorf("arithmetic has %q", old)
		}
	}
	out, stderr, err = whatifCLI(t, "--runs", "1", "--errors", "", "--latency", "", "--not-found", "", "--json", "--sweep", "threshold=1,2")
	if err != nil {
		t.Fatalf("%v\n%s", err, stderr)
	}
	var sweep struct{ Points []map[string]any }
	must(t, json.Unmarshal([]byte(out), &sweep))
	for i, p := range sweep.Points {
		if _, ok := p["blastRadius"]; ok || p["detection"] != nil || p["timeToPromoteSeconds"] != 390.0 {
			t.Errorf("point %d: blast radius %v, detection %v, time %v; want no regression measures and 390 s",
				i, p["blastRadius"], p["detection"], p["timeToPromoteSeconds"])
		}
	}
}

// canaryWith writes the 404s example's Canary with from replaced by to
// into dir and returns its path.
func canaryWith(t *testing.T, dir, from, to string) string {
	t.Helper()
	data, err := os.ReadFile("../../scenarios/manifests/podinfo-canary-404s.yaml")
	must(t, err)
	text := strings.Replace(string(data), from, to, 1)
	if text == string(data) {
		t.Fatalf("podinfo-canary-404s.yaml has no %q", from)
	}
	name := filepath.Join(dir, "canary.yaml")
	must(t, os.WriteFile(name, []byte(text), 0o600))
	return name
}

// withoutTemplate writes the Canary of podinfo-canary-404s.yaml without
// the MetricTemplate it refers to.
func withoutTemplate(t *testing.T, dir string) string {
	t.Helper()
	data, err := os.ReadFile("../../scenarios/manifests/podinfo-canary-404s.yaml")
	must(t, err)
	canary, _, found := strings.Cut(string(data), "\n---\n")
	if !found {
		t.Fatal("podinfo-canary-404s.yaml has one document")
	}
	name := filepath.Join(dir, "canary-alone.yaml")
	must(t, os.WriteFile(name, []byte(canary), 0o600))
	return name
}

// frontierOf are the settings on the sweep's frontier, in grid order.
func frontierOf(rep *whatif.SweepReport) []string {
	var out []string
	for _, p := range rep.Points {
		if p.Frontier {
			out = append(out, p.Setting.String())
		}
	}
	return out
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
