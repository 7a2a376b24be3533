package sim

import (
	"strings"
	"testing"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/scenario"
)

func resultWith(messages ...string) *Result {
	start := time.Unix(90, 0)
	res := &Result{Start: start, End: start.Add(5 * time.Minute), Status: v1.CanaryStatus{Phase: v1.PhaseFailed}}
	for i, m := range messages {
		res.Events = append(res.Events, engine.Event{Time: start.Add(time.Duration(i) * time.Minute), Message: m})
	}
	return res
}

// TestCheckListsEveryFailure: each differing event is a failure of its
// own, not only the first.
func TestCheckListsEveryFailure(t *testing.T) {
	got := []string{"a", "b", "c", "d", "e"}
	tests := map[string]struct {
		expect scenario.Expect
		want   []string
	}{
		"exact": {
			expect: scenario.Expect{Events: []string{"a", "B", "c", "D", "e", "f"}},
			want: []string{
				`expect.events[1]: want "B", got "b"`,
				`expect.events[3]: want "D", got "d"`,
				`expect.events: want 6 events, got 5; the first missing is "f"`,
			},
		},
		"subsequence": {
			expect: scenario.Expect{Events: []string{"b", "x", "d", "y"}, Match: "subsequence"},
			want: []string{
				`expect.events[1]: "x" not found after event 2`,
				`expect.events[3]: "y" not found after event 4`,
			},
		},
		"phase and events": {
			expect: scenario.Expect{Phase: "Succeeded", Events: []string{"a", "b", "C", "d", "E"}},
			want: []string{
				`expect.phase: want Succeeded, got Failed`,
				`expect.events[2]: want "C", got "c"`,
				`expect.events[4]: want "E", got "e"`,
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var lines []string
			for _, f := range Check(tc.expect, resultWith(got...)) {
				lines = append(lines, f.String())
			}
			if strings.Join(lines, "\n") != strings.Join(tc.want, "\n") {
				t.Errorf("got\n%s\nwant\n%s", strings.Join(lines, "\n"), strings.Join(tc.want, "\n"))
			}
		})
	}
}

// TestSummaryWithoutExpectations: a run that expects nothing is DONE,
// never PASS.
func TestSummaryWithoutExpectations(t *testing.T) {
	res := resultWith("New revision detected! Scaling up podinfo.test")
	tests := map[string]struct {
		expect scenario.Expect
		want   string
	}{
		"nothing expected":  {expect: scenario.Expect{Match: "exact"}, want: "DONE my-canary: Failed after 5:00 (no expectations), weights [], 1 events"},
		"a phase expected":  {expect: scenario.Expect{Phase: "Failed"}, want: "PASS my-canary: Failed after 5:00, weights [], 1 events"},
		"no events allowed": {expect: scenario.Expect{Events: []string{}}, want: "FAIL my-canary:\n  expect.events: want 0 events, got 1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			failures := Check(tc.expect, res)
			got := Summary("my-canary", res, failures, HasExpectations(tc.expect))
			if !strings.HasPrefix(got, tc.want) {
				t.Errorf("got  %q\nwant %q...", got, tc.want)
			}
		})
	}
}

// TestCheckAlerts: expect.alerts compares the alert lines exactly, global
// and per receiver.
func TestCheckAlerts(t *testing.T) {
	res := resultWith("a")
	res.Alerts = []engine.Alert{
		{Severity: "info", Message: "New revision detected, progressing canary analysis.", Global: true},
		{Severity: "error", Message: "Failed checks threshold reached 5", Receivers: []engine.AlertReceiver{{Name: "team"}, {Name: "on-call"}}},
	}
	ok := scenario.Expect{Alerts: []string{
		"[info] New revision detected, progressing canary analysis. -> global notifier",
		"[error] Failed checks threshold reached 5 -> team, on-call",
	}}
	if fs := Check(ok, res); len(fs) != 0 {
		t.Errorf("Check = %v, want no failure", fs)
	}
	if !HasExpectations(scenario.Expect{Alerts: []string{}}) {
		t.Error("an empty alerts list is an expectation: no alert at all")
	}
	bad := scenario.Expect{Alerts: []string{"[error] Failed checks threshold reached 5 -> team"}}
	want := []string{
		`expect.alerts[0]: want "[error] Failed checks threshold reached 5 -> team", got "[info] New revision detected, progressing canary analysis. -> global notifier"`,
		`expect.alerts: want 1 events, got 2; the first extra is "[error] Failed checks threshold reached 5 -> team, on-call"`,
	}
	var got []string
	for _, f := range Check(bad, res) {
		got = append(got, f.String())
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("Check =\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}
