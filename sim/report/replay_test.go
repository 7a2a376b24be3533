package report_test

import (
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/sim/report"
)

// TestReplayRun: a replay of recorded data is no PASS or FAIL of
// expectations: it says its outcome and real time from the detection.
func TestReplayRun(t *testing.T) {
	_, page := render(t, report.Run{Name: "replay of podinfo.test", File: "rollout.om", Result: synthetic(),
		Replay: "rolled back at 2026-11-24T09:05:00Z"})
	for _, want := range []string{
		"<h1>Fledge replay report</h1>", `data-verdict="REPLAY"`, "rolled back at 2026-11-24T09:05:00Z",
		"of recorded time from the new revision's detection", "time since the new revision was detected (m:ss)",
	} {
		if !strings.Contains(page, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
	for _, unwanted := range []string{"PASS", "every expectation held", "seed 0", "virtual time"} {
		if strings.Contains(page, unwanted) {
			t.Errorf("the page says %q", unwanted)
		}
	}
}
