package replay_test

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/sim/replay"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// knownCanary checks the success rate over 1m every minute: 10 points a
// step up to 50, rolled back after 2 failed checks.
const knownCanary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata: {name: app, namespace: shop}
spec:
  provider: osm
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: app}
  service: {port: 8080}
  analysis:
    interval: 1m
    threshold: 2
    maxWeight: 50
    stepWeight: 10
    metrics:
    - name: request-success-rate
      thresholdRange: {min: 99}
      interval: 1m
`

// knownStart is when the new revision was detected in the recordings.
var knownStart = time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)

// recordingSpec describes a made-up recording of the canary's requests:
// 10 per second scraped every 10s for an hour from 10 minutes before the
// start, half of them 5xx from errorsFrom after the start (never if 0),
// and no scrape in the gap (from, until], relative to the start.
type recordingSpec struct {
	errorsFrom     time.Duration
	gapFrom, gapTo time.Duration
}

func (s recordingSpec) openMetrics() []byte {
	var ok, failed strings.Builder
	sel := `osm_request_total{destination_kind="Deployment",destination_name="app",destination_namespace="shop",response_code="%d",source_name="users"}`
	okCount, failedCount := 0.0, 0.0
	for at := -10 * time.Minute; at <= 50*time.Minute; at += 10 * time.Second {
		if at > -10*time.Minute {
			if s.errorsFrom > 0 && at > s.errorsFrom {
				okCount, failedCount = okCount+50, failedCount+50
			} else {
				okCount += 100
			}
		}
		if s.gapTo > 0 && at > s.gapFrom && at <= s.gapTo {
			continue
		}
		ts := knownStart.Add(at).Unix()
		fmt.Fprintf(&ok, sel+" %g %d\n", 200, okCount, ts)
		fmt.Fprintf(&failed, sel+" %g %d\n", 500, failedCount, ts)
	}
	return []byte(ok.String() + failed.String() + "# EOF\n")
}

func loadKnown(t *testing.T) *scenario.Loaded {
	t.Helper()
	file := filepath.Join(t.TempDir(), "canary.yaml")
	if err := os.WriteFile(file, []byte(knownCanary), 0o600); err != nil {
		t.Fatal(err)
	}
	l, err := whatif.LoadBase(whatif.BaseOptions{Canary: file})
	if err != nil {
		t.Fatal(err)
	}
	return l
}

// TestKnownAnswers replays made-up recordings whose outcome arithmetic
// predicts. The first tick detects the revision, the second (the canary is
// ready within 10s) starts the analysis at 10%, each later one checks the
// last minute. With 5xx from minute M, the ticks at M+1m and M+2m fail
// and the one at M+3m rolls back (threshold 2); without them, the weight
// reaches 50% at minute 5 and minute 6 promotes.
func TestKnownAnswers(t *testing.T) {
	tests := []struct {
		name      string
		rec       recordingSpec
		outcome   string
		decidedAt time.Duration
		// outcomes of the checks by tick time, from the start
		checks map[time.Duration]decide.Outcome
	}{
		{name: "healthy", rec: recordingSpec{}, outcome: replay.OutcomePromoted, decidedAt: 6 * time.Minute,
			checks: map[time.Duration]decide.Outcome{2 * time.Minute: decide.OutcomePass, 5 * time.Minute: decide.OutcomePass}},
		{name: "5xx from minute 3", rec: recordingSpec{errorsFrom: 3 * time.Minute}, outcome: replay.OutcomeRolledBack,
			decidedAt: 6 * time.Minute, checks: map[time.Duration]decide.Outcome{
				3 * time.Minute: decide.OutcomePass, 4 * time.Minute: decide.OutcomeFail, 5 * time.Minute: decide.OutcomeFail}},
		{name: "5xx from minute 2", rec: recordingSpec{errorsFrom: 2 * time.Minute}, outcome: replay.OutcomeRolledBack,
			decidedAt: 5 * time.Minute, checks: map[time.Duration]decide.Outcome{
				2 * time.Minute: decide.OutcomePass, 3 * time.Minute: decide.OutcomeFail, 4 * time.Minute: decide.OutcomeFail}},
		{name: "gap from minute 2 to 4", rec: recordingSpec{gapFrom: 2 * time.Minute, gapTo: 3*time.Minute + 59*time.Second},
			outcome: replay.OutcomeRolledBack, decidedAt: 5 * time.Minute, checks: map[time.Duration]decide.Outcome{
				2 * time.Minute: decide.OutcomePass, 3 * time.Minute: decide.OutcomeNoData, 4 * time.Minute: decide.OutcomeNoData}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			l := loadKnown(t)
			res := replayed(t, l, tc.rec.openMetrics(), replay.Options{Start: knownStart})
			if res.Outcome != tc.outcome || res.DecidedAt == nil || !res.DecidedAt.Equal(knownStart.Add(tc.decidedAt)) {
				t.Fatalf("outcome %q at %v, want %q at %v; events %q", res.Outcome, res.DecidedAt, tc.outcome,
					knownStart.Add(tc.decidedAt), res.Run.Messages())
			}
			got := map[time.Duration]decide.Verdict{}
			for _, c := range res.Checks() {
				got[c.Time.Sub(knownStart)] = c.Verdict
			}
			for at, want := range tc.checks {
				if got[at].Outcome != want {
					t.Errorf("check at +%v: %q (%s), want %q", at, got[at].Outcome, got[at].Message, want)
				}
				if want == decide.OutcomeNoData && !strings.Contains(got[at].Message, "no values found for osm metric request-success-rate") {
					t.Errorf("check at +%v: message %q, want Flagger's no-values message", at, got[at].Message)
				}
			}
		})
	}
}

// TestCanaryWithoutNamespace replays a Canary without a namespace as one
// in "default", its queries and series included.
func TestCanaryWithoutNamespace(t *testing.T) {
	l := loadKnown(t)
	l.Canary.Namespace = ""
	om := strings.ReplaceAll(string(recordingSpec{}.openMetrics()), `destination_namespace="shop"`, `destination_namespace="default"`)
	res := replayed(t, l, []byte(om), replay.Options{Start: knownStart})
	if res.Outcome != replay.OutcomePromoted || res.Canary != "app.default" {
		t.Errorf("%s: outcome %q, want promoted: %q", res.Canary, res.Outcome, res.Run.Messages())
	}
}

// TestRecordedShare reports the canary's share of the requests beside the
// spec's weight: all the recorded requests went to the canary.
func TestRecordedShare(t *testing.T) {
	res := replayed(t, loadKnown(t), recordingSpec{}.openMetrics(), replay.Options{Start: knownStart})
	if len(res.Shares) != len(res.Run.Ticks) {
		t.Fatalf("%d shares for %d ticks", len(res.Shares), len(res.Run.Ticks))
	}
	for _, s := range res.Shares {
		if s.RecordedShare == nil || *s.RecordedShare != 100 {
			t.Errorf("share at %v = %v, want 100", s.Time, s.RecordedShare)
		}
	}
	if w := res.Shares[2].SpecWeight; w != 20 {
		t.Errorf("spec weight after the third tick = %d, want 20", w)
	}
}
