package replay_test

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/replay"
)

// TestBadOpenMetrics: each problem is named with its line.
func TestBadOpenMetrics(t *testing.T) {
	const a, b = `osm_request_total{code="200"}`, `osm_request_total{code="500"}`
	tests := []struct {
		name, text, want string
	}{
		{name: "malformed", text: a + " 1 10\n" + a + " 2 20\n" + a + "} 3 30\n# EOF\n", want: "recording.om:3: "},
		{name: "no EOF", text: a + " 1 10\n", want: "recording.om:2: data does not end with # EOF"},
		{name: "no timestamp", text: a + " 1 10\n" + b + " 2\n# EOF\n", want: `recording.om:2: sample osm_request_total{code="500"} has no timestamp`},
		{name: "unsorted", text: a + " 1 20\n" + b + " 1 10\n" + a + " 2 10\n# EOF\n",
			want: `recording.om:3: {__name__="osm_request_total", code="200"} at 1970-01-01T00:00:10Z is older than the series' previous sample`},
		{name: "overlapping", text: a + " 1 10\n" + a + " 2 20\n" + a + " 3 20\n# EOF\n",
			want: `recording.om:3: {__name__="osm_request_total", code="200"} has two different values at 1970-01-01T00:00:20Z`},
		{name: "native histogram", text: "# TYPE h histogram\nh_bucket{le=\"+Inf\"} 1 10\nh_count 1 10\nh_sum 1 10\n# EOF\n", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := replay.ReadOpenMetrics("recording.om", []byte(tc.text))
			if tc.want == "" {
				if err != nil {
					t.Fatalf("classic histogram rejected: %v", err)
				}
				return
			}
			if err == nil || !strings.HasPrefix(err.Error(), tc.want) {
				t.Errorf("error %v, want one starting %q", err, tc.want)
			}
		})
	}
}

// TestRecordingWithoutTheCanary names the series the canary's queries need.
func TestRecordingWithoutTheCanary(t *testing.T) {
	l := loadKnown(t)
	other := strings.ReplaceAll(string(recordingSpec{}.openMetrics()), `destination_name="app"`, `destination_name="web"`)
	store, err := replay.ReadOpenMetrics("recording.om", []byte(other))
	if err != nil {
		t.Fatal(err)
	}
	qs, err := replay.QueriesOf(l.Canary, l.Templates)
	if err != nil {
		t.Fatal(err)
	}
	_, err = replay.Run(context.Background(), replay.Options{Loaded: l, Queries: qs,
		Recording: &replay.Recording{Source: "recording.om", Store: store}})
	want := `recording.om has no series for the canary's queries: ` +
		`osm_request_total{destination_namespace="shop",destination_kind="Deployment",destination_name="app"} (metric request-success-rate)`
	if err == nil || err.Error() != want {
		t.Errorf("error %v\nwant %s", err, want)
	}
}

// TestWindowWithoutData: a start or end outside the recording is refused,
// saying where its data lies.
func TestWindowWithoutData(t *testing.T) {
	l := loadKnown(t)
	store, err := replay.ReadOpenMetrics("recording.om", recordingSpec{}.openMetrics())
	if err != nil {
		t.Fatal(err)
	}
	qs, err := replay.QueriesOf(l.Canary, l.Templates)
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name       string
		start, end time.Time
	}{
		{name: "after", start: knownStart.Add(2 * time.Hour)},
		{name: "before", start: knownStart.Add(-2 * time.Hour), end: knownStart.Add(-time.Hour)},
		{name: "reversed", start: knownStart.Add(time.Minute), end: knownStart},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := replay.Run(context.Background(), replay.Options{Loaded: l, Queries: qs, Start: tc.start, End: tc.end,
				Recording: &replay.Recording{Source: "recording.om", Store: store}})
			want := "its samples of the canary's series run from 2026-11-24T08:50:00Z to 2026-11-24T09:50:00Z"
			if err == nil || !strings.Contains(err.Error(), "recording.om: no data between") || !strings.Contains(err.Error(), want) {
				t.Errorf("error %v, want no data between … (%s)", err, want)
			}
		})
	}
}

// TestUnreachableSources: a Prometheus that does not answer and a TSDB
// directory that is not one are errors naming them.
func TestUnreachableSources(t *testing.T) {
	l := loadKnown(t)
	qs, err := replay.QueriesOf(l.Canary, l.Templates)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	w := replay.WindowOf(knownStart, knownStart.Add(time.Hour))
	_, err = replay.FromPrometheus(ctx, replay.RemoteOptions{URL: "http://127.0.0.1:1", Timeout: 5 * time.Second}, qs.Selectors(), w)
	if err == nil || !strings.Contains(err.Error(), "remote read: http://127.0.0.1:1: reading osm_request_total") {
		t.Errorf("unreachable Prometheus: %v", err)
	}
	_, err = replay.FromPrometheus(ctx, replay.RemoteOptions{URL: "prometheus:9090"}, qs.Selectors(), w)
	if err == nil || !strings.Contains(err.Error(), "want a URL such as") {
		t.Errorf("URL without a scheme: %v", err)
	}
	empty := t.TempDir()
	_, err = replay.FromTSDB(ctx, empty, qs.Selectors(), w)
	if err == nil || !strings.Contains(err.Error(), empty+" holds no TSDB blocks") {
		t.Errorf("empty directory: %v", err)
	}
	file := filepath.Join(empty, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	_, err = replay.FromTSDB(ctx, file, qs.Selectors(), w)
	if err == nil || !strings.Contains(err.Error(), "is not a directory") {
		t.Errorf("a file: %v", err)
	}
}
