package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/scenarios"
)

// corpusNames are the names of the embedded scenarios.
func corpusNames(t *testing.T) []string {
	t.Helper()
	files, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios embedded: %v", err)
	}
	for i, f := range files {
		files[i] = strings.TrimSuffix(f, ".yaml")
	}
	return files
}

// copyScenario copies a corpus scenario and the manifests into a new
// directory, applying the replacements (old, new, old, new, ...), each of
// which must match once.
func copyScenario(t *testing.T, name string, replace ...string) string {
	t.Helper()
	dir := t.TempDir()
	manifests, err := fs.Glob(scenarios.FS, "manifests/*.yaml")
	if err != nil || len(manifests) == 0 {
		t.Fatalf("no manifests embedded: %v", err)
	}
	if err := os.Mkdir(filepath.Join(dir, "manifests"), 0o755); err != nil {
		t.Fatal(err)
	}
	for _, m := range manifests {
		data, err := fs.ReadFile(scenarios.FS, m)
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, filepath.FromSlash(m)), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	data, err := fs.ReadFile(scenarios.FS, name+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	text := string(data)
	for i := 0; i+1 < len(replace); i += 2 {
		if n := strings.Count(text, replace[i]); n != 1 {
			t.Fatalf("%s: %q occurs %d times", name, replace[i], n)
		}
		text = strings.Replace(text, replace[i], replace[i+1], 1)
	}
	file := filepath.Join(dir, name+".yaml")
	if err := os.WriteFile(file, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return file
}

// captureStderr runs f with os.Stderr going to a pipe and returns what was
// written to it.
func captureStderr(t *testing.T, f func()) string {
	t.Helper()
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	saved := os.Stderr
	os.Stderr = w
	got := make(chan string)
	go func() {
		data, _ := io.ReadAll(r)
		got <- string(data)
	}()
	defer func() {
		os.Stderr = saved
	}()
	f()
	os.Stderr = saved
	w.Close()
	out := <-got
	r.Close()
	return out
}

// wrongWeight makes tutorial-promote expect weight 55 where it reaches 50.
var wrongWeight = []string{"45, 50, 0]", "45, 55, 0]"}

const promoteWeights = "[5 10 15 20 25 30 35 40 45 50 0]"

func TestSimCorpus(t *testing.T) {
	names := corpusNames(t)
	var out bytes.Buffer
	if err := runSim(t.Context(), &out, names, simOptions{quiet: true}); err != nil {
		t.Fatalf("runSim: %v\n%s", err, out.String())
	}
	lines := strings.Split(strings.TrimSpace(out.String()), "\n")
	if len(lines) != len(names) {
		t.Fatalf("want %d verdict lines, got:\n%s", len(names), out.String())
	}
	for i, name := range names {
		if !strings.HasPrefix(lines[i], "PASS "+name+": ") {
			t.Errorf("line %d: %q, want PASS %s", i, lines[i], name)
		}
	}
}

func TestSimDefaultIsTutorialPromote(t *testing.T) {
	cmd := newRootCommand()
	var out bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetArgs([]string{"sim", "-q"})
	if err := cmd.ExecuteContext(t.Context()); err != nil {
		t.Fatalf("fledge sim -q: %v\n%s", err, out.String())
	}
	want := "PASS tutorial-promote: Succeeded after "
	if !strings.HasPrefix(out.String(), want) || !strings.Contains(out.String(), "weights "+promoteWeights) {
		t.Errorf("output %q, want %q... weights %s", out.String(), want, promoteWeights)
	}
}

func TestSimWrongExpectation(t *testing.T) {
	file := copyScenario(t, "tutorial-promote", wrongWeight...)
	var out bytes.Buffer
	err := runSim(t.Context(), &out, []string{file}, simOptions{})
	if !errors.Is(err, errInvalid) {
		t.Fatalf("runSim: %v, want errInvalid\n%s", err, out.String())
	}
	want := "FAIL tutorial-promote:\n  expect.weights: want [5 10 15 20 25 30 35 40 45 55 0], got " + promoteWeights + "\n"
	if !strings.HasSuffix(out.String(), want) {
		t.Errorf("output ends with:\n%s\nwant:\n%s", lastLines(out.String(), 3), want)
	}
	if !strings.Contains(out.String(), "# tutorial-promote ("+file+", seed 1)\n") {
		t.Errorf("the report does not name the file:\n%s", out.String())
	}

	// One failing scenario among passing ones fails the run; every one is
	// still replayed.
	out.Reset()
	err = runSim(t.Context(), &out, []string{file, "tutorial-rollback-500s"}, simOptions{quiet: true})
	if !errors.Is(err, errInvalid) || !strings.Contains(out.String(), "\nPASS tutorial-rollback-500s: Failed after ") {
		t.Errorf("runSim: %v\n%s", err, out.String())
	}

	// Every failed expectation is reported, events by index.
	file = copyScenario(t, "tutorial-promote", append(wrongWeight,
		"phase: Succeeded", "phase: Failed",
		"failedChecks: 0", "failedChecks: 1",
		"- Advance podinfo.test canary weight 25", "- Advance podinfo.test canary weight 26",
		"- Advance podinfo.test canary weight 35", "- Advance podinfo.test canary weight 36")...)
	out.Reset()
	if err := runSim(t.Context(), &out, []string{file}, simOptions{quiet: true}); !errors.Is(err, errInvalid) {
		t.Fatalf("runSim: %v", err)
	}
	want = `FAIL tutorial-promote:
  expect.phase: want Failed, got Succeeded
  expect.weights: want [5 10 15 20 25 30 35 40 45 55 0], got ` + promoteWeights + `
  expect.failedChecks: want 1 as the highest count reached, got 0
  expect.events[8]: want "Advance podinfo.test canary weight 26", got "Advance podinfo.test canary weight 25"
  expect.events[10]: want "Advance podinfo.test canary weight 36", got "Advance podinfo.test canary weight 35"
`
	if out.String() != want {
		t.Errorf("output:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestSimBadScenario(t *testing.T) {
	file := copyScenario(t, "tutorial-rollback-500s", "rps: 20", "rps: 0", "  - at: 0s\n", "  - at: now\n")
	var out bytes.Buffer
	var err error
	stderr := captureStderr(t, func() {
		err = runSim(t.Context(), &out, []string{"tutorial-promote", file}, simOptions{})
	})
	if !errors.Is(err, errBadFile) {
		t.Fatalf("runSim: %v, want errBadFile", err)
	}
	// A bad file stops everything before the first replay.
	if out.Len() != 0 {
		t.Errorf("replayed before reading every file:\n%s", out.String())
	}
	want := file + `:18: actions[0].at: "now" is not a duration such as 30s or 2m30s` + "\n"
	if stderr != want {
		t.Errorf("stderr %q\nwant   %q", stderr, want)
	}

	file = copyScenario(t, "tutorial-promote", "rps: 20", "rps: 0", "phase: Succeeded", "phase: Promoted")
	stderr = captureStderr(t, func() {
		err = runSim(t.Context(), &out, []string{file}, simOptions{})
	})
	want = file + ":15: traffic[0].rps: must be a finite number above 0\n" +
		file + `:20: expect.phase: "Promoted" is not a Canary phase` + "\n"
	if !errors.Is(err, errBadFile) || stderr != want {
		t.Errorf("runSim: %v, stderr %q\nwant %q", err, stderr, want)
	}

	stderr = captureStderr(t, func() {
		err = runSim(t.Context(), &out, []string{"tutorial-promotes"}, simOptions{})
	})
	if want := "tutorial-promotes: no such file, and no scenario of that name in the corpus\n"; !errors.Is(err, errBadFile) || stderr != want {
		t.Errorf("runSim: %v, stderr %q\nwant %q", err, stderr, want)
	}
}

// jsonReport is the part of --json's output the tests read.
type jsonReport struct {
	Name   string `json:"name"`
	File   string `json:"file"`
	Seed   uint64 `json:"seed"`
	Result struct {
		StartTime time.Time `json:"startTime"`
		End       float64   `json:"end"`
		Traffic   map[string]struct {
			Requests uint64 `json:"requests"`
		} `json:"traffic"`
		Events []struct {
			Time    float64 `json:"time"`
			Message string  `json:"message"`
		} `json:"events"`
		Ticks []struct {
			Time   float64 `json:"time"`
			Phase  string  `json:"phase"`
			Checks []struct {
				Metric   string  `json:"metric"`
				Query    string  `json:"query"`
				Value    float64 `json:"value"`
				HasValue bool    `json:"hasValue"`
				Outcome  string  `json:"outcome"`
				Message  string  `json:"message"`
			} `json:"checks"`
		} `json:"ticks"`
		Routes []struct {
			Time   float64 `json:"time"`
			Routes struct {
				Primary int `json:"primary"`
				Canary  int `json:"canary"`
			} `json:"routes"`
		} `json:"routes"`
		Status struct {
			Phase string `json:"phase"`
		} `json:"status"`
	} `json:"result"`
	Failures []struct {
		Field   string `json:"field"`
		Message string `json:"message"`
	} `json:"failures"`
}

func TestSimJSON(t *testing.T) {
	var out bytes.Buffer
	if err := runSim(t.Context(), &out, []string{"tutorial-rollback-500s"}, simOptions{json: true}); err != nil {
		t.Fatalf("runSim: %v", err)
	}
	var reports []jsonReport
	dec := json.NewDecoder(&out)
	if err := dec.Decode(&reports); err != nil {
		t.Fatalf("--json output does not decode: %v", err)
	}
	if dec.More() {
		t.Error("--json wrote more than one JSON value")
	}
	if len(reports) != 1 {
		t.Fatalf("want 1 report, got %d", len(reports))
	}
	r := reports[0]
	if r.Name != "tutorial-rollback-500s" || r.File != "scenarios/tutorial-rollback-500s.yaml" || r.Seed != 2 || len(r.Failures) != 0 {
		t.Errorf("report %q %q seed %d failures %v", r.Name, r.File, r.Seed, r.Failures)
	}
	res := r.Result
	if res.Status.Phase != "Failed" {
		t.Errorf("status phase %q", res.Status.Phase)
	}
	n := len(res.Events)
	if n != 14 || res.Events[0].Message != "New revision detected! Scaling up podinfo.test" ||
		res.Events[n-1].Message != "Canary failed! Scaling down podinfo.test" || res.Events[0].Time != 0 {
		t.Errorf("events: %+v", res.Events)
	}
	// Times are seconds from the start, as the text shows them; the
	// absolute start has its own key. Keys are camelCase.
	if res.StartTime.IsZero() || res.End < res.Events[n-1].Time || res.Events[n-1].Time <= 0 {
		t.Errorf("start %v, end %v s, last event at %v s", res.StartTime, res.End, res.Events[n-1].Time)
	}
	if res.Traffic["podinfo"].Requests == 0 || strings.Contains(out.String(), `"Requests"`) {
		t.Errorf("traffic %+v: want camelCase keys", res.Traffic)
	}

	// Every check carries its rendered query, its value and its outcome.
	outcomes := map[string]int{}
	for _, tick := range res.Ticks {
		for _, c := range tick.Checks {
			outcomes[c.Outcome]++
			if strings.Contains(c.Query, "{{") || !strings.Contains(c.Query, `destination_namespace="test"`) ||
				!strings.Contains(c.Query, `destination_name="podinfo"`) {
				t.Errorf("%s at %v: query not rendered: %s", c.Metric, tick.Time, c.Query)
			}
			if !c.HasValue {
				t.Errorf("%s at %v: no value", c.Metric, tick.Time)
			}
			switch c.Outcome {
			case "pass":
				if c.Metric == "request-success-rate" && c.Value < 99 {
					t.Errorf("%s at %v: %v passed", c.Metric, tick.Time, c.Value)
				}
			case "fail":
				if c.Metric != "request-success-rate" || c.Value >= 99 ||
					!strings.HasPrefix(c.Message, "Halt podinfo.test advancement success rate ") {
					t.Errorf("%s at %v: %v failed: %q", c.Metric, tick.Time, c.Value, c.Message)
				}
			default:
				t.Errorf("%s at %v: outcome %q", c.Metric, tick.Time, c.Outcome)
			}
		}
	}
	if outcomes["fail"] != 5 || outcomes["pass"] == 0 {
		t.Errorf("outcomes %v, want 5 failed checks and some passed", outcomes)
	}

	// The routes are the TrafficSplit's weights, canary and primary adding up to 100.
	var canary []int
	for _, w := range res.Routes {
		if w.Routes.Primary+w.Routes.Canary != 100 {
			t.Errorf("route at %v: %+v", w.Time, w.Routes)
		}
		if w.Time >= 0 {
			canary = append(canary, w.Routes.Canary)
		}
	}
	if !slices.Equal(canary, []int{5, 10, 15, 0}) {
		t.Errorf("canary weights %v, want [5 10 15 0]", canary)
	}

	// A failed expectation is in the JSON too.
	file := copyScenario(t, "tutorial-promote", wrongWeight...)
	out.Reset()
	if err := runSim(t.Context(), &out, []string{file}, simOptions{json: true}); !errors.Is(err, errInvalid) {
		t.Fatalf("runSim: %v, want errInvalid", err)
	}
	reports = nil
	if err := json.Unmarshal(out.Bytes(), &reports); err != nil {
		t.Fatal(err)
	}
	if len(reports) != 1 || len(reports[0].Failures) != 1 || reports[0].Failures[0].Field != "expect.weights" {
		t.Errorf("failures: %+v", reports)
	}
}

func TestSimUpdate(t *testing.T) {
	file := copyScenario(t, "tutorial-promote", append(wrongWeight,
		"phase: Succeeded", "phase: Failed",
		"    - Routing all traffic to primary\n", "")...)
	var out bytes.Buffer
	if err := runSim(t.Context(), &out, []string{file}, simOptions{quiet: true}); !errors.Is(err, errInvalid) {
		t.Fatalf("before the update: %v\n%s", err, out.String())
	}
	out.Reset()
	if err := runSim(t.Context(), &out, []string{file}, simOptions{update: true}); err != nil {
		t.Fatalf("--update: %v\n%s", err, out.String())
	}
	if out.String() != "updated "+file+"\n" {
		t.Errorf("--update printed %q", out.String())
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	updated := string(data)
	for _, keep := range []string{
		"# The tutorial's automated canary promotion:",
		"  # Users of podinfo.test, split by the TrafficSplit.\n",
		"  phase: Succeeded\n",
		"  weights: [5, 10, 15, 20, 25, 30, 35, 40, 45, 50, 0]\n",
		"    - Routing all traffic to primary\n",
	} {
		if !strings.Contains(updated, keep) {
			t.Errorf("the updated file lacks %q:\n%s", keep, updated)
		}
	}
	out.Reset()
	if err := runSim(t.Context(), &out, []string{file}, simOptions{quiet: true}); err != nil {
		t.Fatalf("after the update: %v\n%s", err, out.String())
	}

	// The corpus's own file, embedded, cannot be updated in place.
	out.Reset()
	err = runSim(t.Context(), &out, []string{"tutorial-promote"}, simOptions{update: true})
	if err == nil || !strings.Contains(err.Error(), "--update needs a scenario file on disk") {
		t.Errorf("--update of an embedded scenario: %v", err)
	}
}

// TestSimExitStatus builds fledge and checks the exit status of fledge sim:
// 0 when the expectations hold, 1 when one fails, 2 for a bad file.
func TestSimExitStatus(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the binary")
	}
	bin := filepath.Join(t.TempDir(), "fledge")
	build := exec.CommandContext(t.Context(), "go", "build", "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	wrong := copyScenario(t, "tutorial-promote", wrongWeight...)
	bad := copyScenario(t, "tutorial-promote", "version: fledge.dev/scenario/v1", "version: fledge.dev/scenario/v9")
	tests := []struct {
		args         []string
		status       int
		stdout       string // a line of stdout
		stderr       string // all of stderr
		stdoutIsJSON bool
	}{
		{args: []string{"sim", "-q"}, status: 0, stdout: "PASS tutorial-promote: Succeeded after "},
		{args: []string{"sim", "-q", "tutorial-rollback-500s", "reference-failure"}, status: 0, stdout: "PASS reference-failure: Failed after "},
		{args: []string{"sim", "--json", "reference-promotion"}, status: 0, stdoutIsJSON: true},
		{args: []string{"sim", "-q", wrong}, status: 1, stdout: "  expect.weights: want [5 10 15 20 25 30 35 40 45 55 0], got " + promoteWeights},
		{args: []string{"sim", "--json", wrong}, status: 1, stdoutIsJSON: true},
		{args: []string{"sim", bad}, status: 2,
			stderr: bad + `:4: version: "fledge.dev/scenario/v9" is not a version this Fledge reads: write "fledge.dev/scenario/v1"` + "\n"},
		{args: []string{"sim", "-q", "tutorial-promote", bad}, status: 2},
		{args: []string{"sim", "no-such-scenario"}, status: 2,
			stderr: "no-such-scenario: no such file, and no scenario of that name in the corpus\n"},
		{args: []string{"sim", "--no-such-flag"}, status: 1, stderr: "fledge: unknown flag: --no-such-flag\n"},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			ctx, cancel := context.WithTimeout(t.Context(), 2*time.Minute)
			defer cancel()
			cmd := exec.CommandContext(ctx, bin, tt.args...)
			var stdout, stderr bytes.Buffer
			cmd.Stdout, cmd.Stderr = &stdout, &stderr
			err := cmd.Run()
			status := 0
			var exit *exec.ExitError
			if errors.As(err, &exit) {
				status = exit.ExitCode()
			} else if err != nil {
				t.Fatal(err)
			}
			if status != tt.status {
				t.Errorf("exit status %d, want %d\nstdout:\n%s\nstderr:\n%s", status, tt.status, stdout.String(), stderr.String())
			}
			if tt.stdout != "" && !strings.Contains(stdout.String(), tt.stdout) {
				t.Errorf("stdout lacks %q:\n%s", tt.stdout, stdout.String())
			}
			if tt.stderr != "" && stderr.String() != tt.stderr {
				t.Errorf("stderr %q\nwant   %q", stderr.String(), tt.stderr)
			}
			if tt.stdoutIsJSON {
				var reports []jsonReport
				if err := json.Unmarshal(stdout.Bytes(), &reports); err != nil || len(reports) != 1 || len(reports[0].Result.Events) == 0 {
					t.Errorf("stdout is not the JSON of one run (%v):\n%s", err, lastLines(stdout.String(), 5))
				}
			}
		})
	}
}
