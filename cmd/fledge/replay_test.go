package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	recorded "github.com/fledge-canary/fledge/sim/replay"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// fledgeCmd runs the command line in process and returns its output and
// error.
func fledgeCmd(t *testing.T, args ...string) (stdout, stderr string, err error) {
	t.Helper()
	cmd := newRootCommand()
	var out, errs bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errs)
	cmd.SetArgs(args)
	err = cmd.ExecuteContext(t.Context())
	return out.String(), errs.String(), err
}

// replayJSON runs fledge replay --json and decodes its output.
func replayJSON(t *testing.T, args ...string) *recorded.Result {
	t.Helper()
	stdout, stderr, err := fledgeCmd(t, append([]string{"replay", "--json"}, args...)...)
	if err != nil {
		t.Fatalf("fledge replay %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	var res recorded.Result
	if err := json.Unmarshal([]byte(stdout), &res); err != nil {
		t.Fatalf("fledge replay --json: %v\n%s", err, stdout)
	}
	return &res
}

// TestReplayDefaultIsTheTutorialRollback: without arguments, replay runs
// the embedded recording and rolls back as the tutorial does.
func TestReplayDefaultIsTheTutorialRollback(t *testing.T) {
	stdout, _, err := fledgeCmd(t, "replay")
	if err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Outcome: rolled back at 1970-01-01T00:06:30Z (5:00 after the new revision was detected, tick 11)",
		"5:00  Warning  Rolling back podinfo.test failed checks threshold reached 5",
		"2:30  request-success-rate  89.9551  >= 99   fail: Halt podinfo.test advancement success rate 89.96% < 99%",
		"1:30  10%          2.4%",
		"The traffic split in the recording is the one that happened, not the one this spec would have set",
	} {
		if !strings.Contains(stdout, want) {
			t.Errorf("output lacks %q:\n%s", want, stdout)
		}
	}
}

// TestReplayBadInput: every bad input is an errBadFile (exit status 2)
// with a message naming the problem.
func TestReplayBadInput(t *testing.T) {
	dir := t.TempDir()
	canary := filepath.Join(dir, "canary.yaml")
	writeTestFile(t, canary, mustRead(t, "../../scenarios/manifests/podinfo-canary.yaml"))
	malformed := filepath.Join(dir, "bad.om")
	writeTestFile(t, malformed, []byte("osm_request_total{a=\"b\"} 1 10\nosm_request_total{ 2 20\n# EOF\n"))
	other := filepath.Join(dir, "other.om")
	writeTestFile(t, other, []byte("up{job=\"x\"} 1 10\n# EOF\n"))
	tests := []struct {
		args []string
		want string
	}{
		{args: []string{"replay", canary, "--data", malformed}, want: malformed + ":2: "},
		{args: []string{"replay", canary, "--data", other}, want: other + ` has no series for the canary's queries: osm_request_total{destination_namespace="test",destination_kind="Deployment",destination_name="podinfo"} (metric request-success-rate)`},
		{args: []string{"replay", canary, "--data", filepath.Join(dir, "none.om")}, want: "no such file"},
		{args: []string{"replay", canary}, want: "give exactly one of --data FILE, --tsdb DIR and --prometheus URL"},
		{args: []string{"replay", canary, "--prometheus", "http://127.0.0.1:1"}, want: "--prometheus needs --start and --end"},
		{args: []string{"replay", canary, "--prometheus", "http://127.0.0.1:1", "--start", "100", "--end", "200"},
			want: "remote read: http://127.0.0.1:1: reading osm_request_total"},
		{args: []string{"replay", canary, "--data", malformed, "--start", "yesterday"}, want: `--start "yesterday": want RFC 3339`},
		{args: []string{"replay", canary, "--data", malformed, "--webhook", "load-test=maybe"}, want: `--webhook "load-test=maybe": want NAME=pass or NAME=fail`},
		{args: []string{"replay", canary, "--data", malformed, "--webhook", "smoke=fail"}, want: "--webhook smoke: the Canary has no webhook of that name"},
		{args: []string{"replay", "--start", "100"}, want: "the embedded recording takes no --start"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args[2:], " "), func(t *testing.T) {
			_, stderr, err := fledgeCmd(t, tc.args...)
			if !errors.Is(err, errBadFile) {
				t.Errorf("error %v, want errBadFile (exit status 2)", err)
			}
			if !strings.HasPrefix(stderr, "fledge replay: ") || !strings.Contains(stderr, tc.want) {
				t.Errorf("stderr %q, want it to say %q", stderr, tc.want)
			}
		})
	}
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeTestFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o600); err != nil {
		t.Fatal(err)
	}
}

// TestReplayRoundTrip is the real round trip: the series of a simulated
// rollback, written as OpenMetrics, turned into TSDB blocks by Debian's
// promtool, served by a real Prometheus and read back through its
// remote-read API give exactly the decisions and events of --data FILE,
// of --tsdb DIR and of the simulation itself.
func TestReplayRoundTrip(t *testing.T) {
	l, err := scenario.LoadFS(scenarios.FS, "tutorial-rollback-500s.yaml", "scenarios/tutorial-rollback-500s.yaml")
	if err != nil {
		t.Fatal(err)
	}
	simRes, store, err := sim.RunRecorded(t.Context(), l)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	om, blocks := filepath.Join(dir, "recording.om"), filepath.Join(dir, "data")
	var text bytes.Buffer
	if err := recorded.WriteOpenMetrics(t.Context(), &text, store, math.MinInt64, math.MaxInt64); err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, om, text.Bytes())
	ensurePrometheus(t)
	if out, err := exec.CommandContext(t.Context(), "promtool", "tsdb", "create-blocks-from", "openmetrics", om, blocks).CombinedOutput(); err != nil {
		t.Fatalf("promtool tsdb create-blocks-from openmetrics: %v\n%s", err, out)
	}
	seconds := func(at time.Time) string { return strconv.FormatInt(at.Unix(), 10) }
	common := []string{"../../scenarios/manifests/podinfo-canary.yaml", "--ready-after", "40s",
		"--start", seconds(simRes.Start), "--end", seconds(simRes.End)}
	fromData := replayJSON(t, append(common, "--data", om)...)
	fromTSDB := replayJSON(t, append(common, "--tsdb", blocks)...)
	url := servePrometheus(t, blocks)
	fromPrometheus := replayJSON(t, append(common, "--prometheus", url)...)

	if fromData.Outcome != recorded.OutcomeRolledBack || len(fromData.Run.Ticks) == 0 {
		t.Fatalf("--data: outcome %q after %d ticks, want a rollback", fromData.Outcome, len(fromData.Run.Ticks))
	}
	assertSameReplay(t, "--tsdb", fromTSDB, fromData)
	assertSameReplay(t, "--prometheus", fromPrometheus, fromData)
	assertSameReplay(t, "fledge sim", &recorded.Result{Run: &sim.Result{Events: simRes.Events, Ticks: ticksSince(simRes)}}, fromData)

	// whatif --profile-from measures the same profile from each source.
	fromFile, _ := studyProfile(t, "--profile-from", om)
	for _, source := range [][]string{{"--profile-from", blocks}, {"--profile-from", url, "--window", "60y"}} {
		if p, _ := studyProfile(t, source...); p != fromFile {
			t.Errorf("whatif %s: profile %+v, want %+v as from the file", strings.Join(source, " "), p, fromFile)
		}
	}
}

// assertSameReplay compares the events and, tick by tick, the phase,
// weight, checks and decision; and for replays the shares and outcome.
func assertSameReplay(t *testing.T, name string, got, want *recorded.Result) {
	t.Helper()
	type event struct {
		Time          time.Time
		Type, Message string
	}
	events := func(res *recorded.Result) []event {
		var out []event
		for _, e := range res.Run.Events {
			out = append(out, event{e.Time.UTC(), string(e.Type), e.Message})
		}
		return out
	}
	if !reflect.DeepEqual(events(got), events(want)) {
		t.Errorf("%s: events\n%v\nwant\n%v", name, events(got), events(want))
	}
	type tick struct {
		Time     time.Time
		Phase    string
		Weight   int
		Decision string
		Checks   string
	}
	ticks := func(res *recorded.Result) []tick {
		var out []tick
		for _, r := range res.Run.Ticks {
			checks, _ := json.Marshal(r.Checks)
			out = append(out, tick{r.Time.UTC(), string(r.Phase), r.CanaryWeight, r.Decision, string(checks)})
		}
		return out
	}
	if !reflect.DeepEqual(ticks(got), ticks(want)) {
		t.Errorf("%s: ticks\n%v\nwant\n%v", name, ticks(got), ticks(want))
	}
	if got.Shares != nil {
		gs, _ := json.Marshal(got.Shares)
		ws, _ := json.Marshal(want.Shares)
		if !bytes.Equal(gs, ws) || got.Outcome != want.Outcome {
			t.Errorf("%s: outcome %q, shares %s\nwant %q, %s", name, got.Outcome, gs, want.Outcome, ws)
		}
	}
}

func ticksSince(res *sim.Result) []engine.Record {
	var out []engine.Record
	for _, r := range res.Ticks {
		if !r.Time.Before(res.Start) {
			out = append(out, r)
		}
	}
	return out
}

// ensurePrometheus installs Debian's prometheus package (with promtool)
// when it is missing, through hack/prometheus.sh.
func ensurePrometheus(t *testing.T) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 10*time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, "bash", "../../hack/prometheus.sh", "--version").CombinedOutput()
	if err != nil {
		t.Fatalf("this test needs Debian's prometheus package (promtool and prometheus): %v\n%s", err, out)
	}
	if _, err := exec.LookPath("promtool"); err != nil {
		t.Fatalf("promtool is not on PATH after installing prometheus: %v", err)
	}
}

// servePrometheus starts Prometheus on data (no scrape targets) with
// hack/prometheus.sh and stops it when the test ends.
func servePrometheus(t *testing.T, data string) string {
	t.Helper()
	config := filepath.Join(t.TempDir(), "prometheus.yml")
	writeTestFile(t, config, []byte("global:\n  scrape_interval: 15s\n"))
	cmd := exec.CommandContext(t.Context(), "bash", "../../hack/prometheus.sh", config, data)
	// Prometheus outlives the script in its process group: the group is
	// what the cleanup stops.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.Process != nil {
		pgid := cmd.Process.Pid
		t.Cleanup(func() { _ = syscall.Kill(-pgid, syscall.SIGTERM) })
	}
	url := strings.TrimSpace(stdout.String())
	if err != nil || !strings.HasPrefix(url, "http://") {
		t.Fatalf("hack/prometheus.sh: %v (stdout %q)\n%s", err, url, stderr.String())
	}
	return url
}

// TestReadSecret reads credentials as a MetricTemplate provider's
// secretRef holds them: token, else username and password.
func TestReadSecret(t *testing.T) {
	dir := t.TempDir()
	tests := []struct {
		name, manifest string
		want           recorded.RemoteOptions
		err            string
	}{
		{name: "token", manifest: "apiVersion: v1\nkind: Secret\nmetadata: {name: prom}\ndata: {token: czNjcmV0Cg==}\n",
			want: recorded.RemoteOptions{BearerToken: "s3cret"}},
		{name: "basic", manifest: "apiVersion: v1\nkind: Secret\nmetadata: {name: prom}\nstringData: {username: user, password: pass}\n",
			want: recorded.RemoteOptions{Username: "user", Password: "pass"}},
		{name: "neither", manifest: "apiVersion: v1\nkind: Secret\nmetadata: {name: prom}\nstringData: {username: user}\n",
			err: "has neither token nor username and password"},
		{name: "not a secret", manifest: "apiVersion: v1\nkind: Secret\nspec: {}\n", err: `unknown field "spec"`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			file := filepath.Join(dir, tc.name+".yaml")
			writeTestFile(t, file, []byte(tc.manifest))
			var got recorded.RemoteOptions
			err := readSecret(file, &got)
			if tc.err != "" {
				if err == nil || !strings.Contains(err.Error(), tc.err) || !strings.Contains(err.Error(), file) {
					t.Errorf("error %v, want one naming %s and saying %q", err, file, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("got %+v, %v; want %+v", got, err, tc.want)
			}
		})
	}
}
