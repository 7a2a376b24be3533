package scale

import (
	"flag"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// TestScaleSmoke runs 20 canaries to Initialized and checks that idle
// ticks write nothing: no Canary status write, every canary ticked.
func TestScaleSmoke(t *testing.T) {
	n := envInt("FLEDGE_SCALE_SMOKE_N", 20)
	h := startHarness(t, n)
	took := h.waitPhase(t, v1.PhaseInitialized, 3*time.Minute)
	t.Logf("all %d canaries Initialized %s after the controller started", n, took.Round(time.Millisecond))
	h.settle(2*time.Second, 30*time.Second)

	// Two intervals: every canary ticks at least once.
	r := h.measure(t, "smoke idle", 2*interval)
	t.Log(r.table())
	if r.total > 0 {
		// DESIGN.md aims at none (informer caches); reported, not asserted.
		t.Logf("note: idle ticks make %.2f API requests each", r.perTick(float64(r.total)))
	}
	if r.ticked != n {
		t.Errorf("%d of %d canaries ticked during %s idle", r.ticked, n, r.window)
	}
	if r.statusWrites != 0 {
		t.Errorf("%d Canary status writes during %d idle ticks, want none", r.statusWrites, r.ticks)
	}
	for k, c := range r.requests {
		if k.write() && k.Resource == canaryGroup {
			t.Errorf("%d %s %s during idle ticks, want none", c, k.Verb, k.Resource)
		}
	}
	if ph := h.phases(t); ph[v1.PhaseInitialized] != n {
		t.Errorf("after the idle window: phases %v, want all Initialized", ph)
	}
}

// BenchmarkScale measures FLEDGE_SCALE_N canaries (default 500): idle
// ticks, then ticks during an analysis of every canary.
//
//	go test -run '^$' -bench . -benchtime 1x -timeout 30m ./test/scale/
func BenchmarkScale(b *testing.B) {
	n := envInt("FLEDGE_SCALE_N", 500)
	window := envDuration("FLEDGE_SCALE_WINDOW", 40*time.Second)
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 0 && d < 20*time.Minute && n >= 200 {
			logf(b, "warning: -timeout %s may be too short for %d canaries (pass -timeout 30m)", d, n)
		}
	}
	h := startHarness(b, n)
	took := h.waitPhase(b, v1.PhaseInitialized, 20*time.Minute)
	logf(b, "all %d canaries Initialized %s after the controller started (load %s)", n, took.Round(time.Millisecond), loadavg())
	h.settle(3*time.Second, time.Minute)

	b.Run("idle", func(b *testing.B) {
		r := h.measure(b, "idle", window)
		logf(b, "%s", r.table())
		report(b, r)
		if r.statusWrites != 0 {
			b.Errorf("%d Canary status writes during idle ticks, want none", r.statusWrites)
		}
	})
	if envInt("FLEDGE_SCALE_PROGRESSING", 1) == 0 {
		return
	}
	// A new image for every target: each canary's next tick detects the
	// revision and the analysis starts (no metrics: every check passes).
	start := time.Now()
	patch := fmt.Appendf(nil, `{"spec":{"template":{"spec":{"containers":[{"name":"podinfod","image":%q}]}}}}`, nextImage)
	h.parallel(func(i int) error {
		ns, nm := name(i)
		_, err := h.kube.AppsV1().Deployments(ns).Patch(h.ctx, nm, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
		return err
	})
	logf(b, "bumped %d images in %s", n, time.Since(start).Round(time.Millisecond))
	// The detecting ticks: until every canary is Progressing.
	b.Run("detect", func(b *testing.B) {
		r := h.measureWhile(b, "detect: from the new images until every canary is Progressing (CPU includes the kubelet and a canary List every 2s)", func() {
			h.waitPhase(b, v1.PhaseProgressing, 15*time.Minute)
		})
		logf(b, "%s", r.table())
		report(b, r)
	})
	// Ticks during the analysis: weight steps (no metrics, no webhooks).
	b.Run("progressing", func(b *testing.B) {
		r := h.measure(b, "progressing: during the analysis (CPU includes the kubelet's work)", window)
		logf(b, "%s", r.table())
		logf(b, "phases after the window: %v", h.phases(b))
		report(b, r)
	})
}

func report(b *testing.B, r result) {
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(r.cpuMsPerTick(), "cpu-ms/tick")
	b.ReportMetric(r.perTick(float64(r.total)), "requests/tick")
	b.ReportMetric(r.perTick(float64(r.writes)), "writes/tick")
	b.ReportMetric(r.rss, "rss-MB")
	b.ReportMetric(r.ticksPerSecond(), "ticks/s")
	b.ReportMetric(r.peakToMean(), "tick-peak/mean")
	b.ReportMetric(r.apiCPUMsPerTick(), "apiserver-cpu-ms/tick")
}
