package main

import (
	"encoding/json"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	recorded "github.com/fledge-canary/fledge/sim/replay"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// profileArgs is a one-run study of the healthy case only.
var profileArgs = []string{"whatif", "--runs", "1", "--errors", "", "--latency", "", "--not-found", "", "-q", "--json"}

// studyProfile runs a study and returns its profile and what it printed
// on stderr.
func studyProfile(t *testing.T, args ...string) (whatif.Profile, string) {
	t.Helper()
	out, stderr, err := fledgeCmd(t, append(slices.Clone(profileArgs), args...)...)
	if err != nil {
		t.Fatalf("fledge whatif %s: %v\n%s", strings.Join(args, " "), err, stderr)
	}
	var rep whatif.Report
	if err := json.Unmarshal([]byte(out), &rep); err != nil {
		t.Fatal(err)
	}
	return rep.Profile, stderr
}

// tutorialRecordingFile writes the embedded recording to a file.
func tutorialRecordingFile(t *testing.T) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "tutorial.om")
	writeTestFile(t, file, embeddedRecording(t))
	return file
}

func embeddedRecording(t *testing.T) []byte {
	t.Helper()
	om, err := recorded.TutorialOpenMetrics()
	if err != nil {
		t.Fatal(err)
	}
	return om
}

// TestWhatifProfileFrom: the primary's traffic in the tutorial's recording
// (20 rps of users split between primary and canary, the canary's 500s
// not the primary's) becomes the profile; flags still win.
func TestWhatifProfileFrom(t *testing.T) {
	file := tutorialRecordingFile(t)
	p, stderr := studyProfile(t, "--profile-from", file)
	want := whatif.Profile{RPS: 18.35, ErrorRate: 0, NotFoundRate: 0, P50: 5063 * time.Microsecond, P99: 47888 * time.Microsecond,
		ReadyAfter: 10 * time.Second}
	if p != want {
		t.Errorf("profile %+v, want %+v", p, want)
	}
	line := "traffic profile measured from " + file + ": podinfo-primary.test from 1970-01-01T00:00:10Z to 1970-01-01T00:06:30Z: " +
		"18.35 rps, 0.000% 5xx, 0.000% 404, p50 5.063ms, p99 47.888ms\n"
	if stderr != line {
		t.Errorf("stderr %q, want %q", stderr, line)
	}
	p, _ = studyProfile(t, "--profile-from", file, "--rps", "40", "--window", "2m")
	if p.RPS != 40 || p.P99 == want.P99 {
		t.Errorf("--rps 40 --window 2m: profile %+v, want rps 40 and the last two minutes' P99", p)
	}
	for _, tc := range []struct {
		args []string
		want string
	}{
		{args: []string{"--profile-from", file, "--window", "a week"}, want: `--window "a week": want a duration such as 7d`},
		{args: []string{"--profile-from", file + ".none"}, want: "--profile-from: stat " + file + ".none: no such file"},
		{args: []string{"../../scenarios/manifests/podinfo-canary-404s.yaml", "--profile-from", t.TempDir()}, want: "holds no TSDB blocks"},
	} {
		_, stderr, err := fledgeCmd(t, append(slices.Clone(profileArgs), tc.args...)...)
		if !errors.Is(err, errBadFile) || !strings.Contains(stderr, tc.want) {
			t.Errorf("%q: error %v, stderr %q, want %q", tc.args, err, stderr, tc.want)
		}
	}
}
