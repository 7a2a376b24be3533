package replay_test

import (
	"bytes"
	"context"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/fledge-canary/fledge/sim/replay"
	"github.com/fledge-canary/fledge/sim/traffic"
	"github.com/fledge-canary/fledge/sim/tsdb"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// hourRecording is an hour of 1,000 users' requests per second, 10% of
// them to the canary, scraped every 10s, from 10 minutes before the start.
func hourRecording(b *testing.B) []byte {
	b.Helper()
	store := tsdb.NewStore()
	from := knownStart.Add(-10 * time.Minute)
	m, err := traffic.New(traffic.Config{Namespace: "shop", Target: "app", Seed: 1, Start: from}, store)
	if err != nil {
		b.Fatal(err)
	}
	err = m.Add(traffic.Source{Name: "users", Target: traffic.Apex, RPS: 1000,
		Codes: map[int]float64{200: 0.999, 500: 0.001}, Latency: traffic.LogNormal(5*time.Millisecond, 40*time.Millisecond)})
	if err != nil {
		b.Fatal(err)
	}
	if err := m.Advance(from.Add(time.Hour), func() (int, int) { return 90, 10 }); err != nil {
		b.Fatal(err)
	}
	var om bytes.Buffer
	if err := replay.WriteOpenMetrics(context.Background(), &om, store, math.MinInt64, math.MaxInt64); err != nil {
		b.Fatal(err)
	}
	return om.Bytes()
}

// BenchmarkReplayHourAt1000rps replays a canary whose analysis spans the
// recording's hour (a 1-point step every minute to 45%, both builtin
// checks) over an hour of 1,000 rps: parsing the OpenMetrics text, then
// the replay.
func BenchmarkReplayHourAt1000rps(b *testing.B) {
	om := hourRecording(b)
	canary := strings.NewReplacer("stepWeight: 10", "stepWeight: 1", "maxWeight: 50", "maxWeight: 45").Replace(knownCanary) +
		"    - name: request-duration\n      thresholdRange: {max: 500}\n      interval: 1m\n"
	file := filepath.Join(b.TempDir(), "canary.yaml")
	if err := os.WriteFile(file, []byte(canary), 0o600); err != nil {
		b.Fatal(err)
	}
	l, err := whatif.LoadBase(whatif.BaseOptions{Canary: file})
	if err != nil {
		b.Fatal(err)
	}
	qs, err := replay.QueriesOf(l.Canary, l.Templates)
	if err != nil {
		b.Fatal(err)
	}
	otel.SetTracerProvider(noop.NewTracerProvider()) // as the fledge command sets it
	ticks := 0
	for b.Loop() {
		store, err := replay.ReadOpenMetrics("hour.om", om)
		if err != nil {
			b.Fatal(err)
		}
		res, err := replay.Run(context.Background(), replay.Options{Loaded: l, Queries: qs, Start: knownStart,
			Recording: &replay.Recording{Source: "hour.om", Store: store}})
		if err != nil {
			b.Fatal(err)
		}
		if res.Outcome != replay.OutcomePromoted {
			b.Fatalf("outcome %s, want promoted: %q", res.Outcome, res.Run.Messages())
		}
		ticks = len(res.Run.Ticks)
	}
	b.ReportMetric(1000*b.Elapsed().Seconds()/float64(b.N), "ms/replay")
	b.ReportMetric(float64(ticks), "ticks")
	b.ReportMetric(float64(len(om))/1e6, "MB-recording")
}
