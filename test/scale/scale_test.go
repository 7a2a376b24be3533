package scale

import (
	"flag"
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// TestScaleSmoke runs 20 canaries to Initialized and checks that idle
// ticks write nothing: no Canary status write, every canary ticked.
func TestScaleSmoke(t *testing.T) {
	n := envInt("FLEDGE_SCALE_SMOKE_N", 20)
	h := startHarness(t, n, controllerMode("in-process"))
	took := h.waitPhase(t, v1.PhaseInitialized, 3*time.Minute)
	t.Logf("all %d canaries Initialized %s after the controller started", n, took.Round(time.Millisecond))
	h.settle(2*time.Second, 30*time.Second)

	// Two intervals: every canary ticks at least once.
	r := h.measure(t, "smoke idle", 2*interval)
	t.Log(r.table())
	// Every read of an idle tick comes from the informer caches; the
	// API server's audit log shows the controller's requests.
	if r.total != 0 {
		t.Errorf("idle ticks made %d API requests (%.2f per tick), want none: %v", r.total, r.perTick(float64(r.total)), r.requests)
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

// BenchmarkControllerAtScale measures FLEDGE_SCALE_N canaries (default
// 500, interval 10s, the production client QPS): their idle ticks, the
// ticks that detect a new image of every target, then the ticks of their
// analyses. It reports idle-requests/tick, idle-cpu-ms/tick,
// progressing-requests/tick, progressing-cpu-ms/tick, on-time-% (the ticks
// of the idle and progressing windows that ran within a tenth of an
// interval of their due time), rss-MiB and promoted-s (from a canary's
// image bump to its promotion, the slowest canary's; at most the spec's
// arithmetic plus two intervals). Requests are counted at the API
// server (its audit log of the controller's user).
//
//	go test -run '^$' -bench ControllerAtScale -benchtime 1x -timeout 30m ./test/scale/
func BenchmarkControllerAtScale(b *testing.B) {
	n := envInt("FLEDGE_SCALE_N", 500)
	if f := flag.Lookup("test.timeout"); f != nil {
		if d, err := time.ParseDuration(f.Value.String()); err == nil && d > 0 && d < 20*time.Minute && n >= 200 {
			logf(b, "warning: -timeout %s may be too short for %d canaries (pass -timeout 30m)", d, n)
		}
	}
	h := startHarness(b, n, controllerMode("binary"))
	took := h.waitPhase(b, v1.PhaseInitialized, 20*time.Minute)
	logf(b, "all %d canaries Initialized %s after the controller started (load %s)", n, took.Round(time.Millisecond), loadavg())
	h.settle(3*time.Second, time.Minute)

	idle := h.measure(b, "idle", benchWindow)
	logf(b, "%s", idle.table())
	if idle.statusWrites != 0 {
		b.Errorf("%d Canary status writes during idle ticks, want none", idle.statusWrites)
	}
	progressing := idle
	if envInt("FLEDGE_SCALE_PROGRESSING", 1) != 0 {
		var bumped []time.Time
		progressing, bumped = h.measureAnalyses(b, benchWindow)
		var promoted, limit time.Duration
		promotion := h.measureWhile(b, "promotion: until every canary is Succeeded (the harness watches the canaries)", func() {
			promoted, limit = h.waitPromoted(b, bumped)
		})
		logf(b, "%s", promotion.table())
		b.ReportMetric(promoted.Seconds(), "promoted-s")
		if promoted > limit {
			b.Errorf("all %d promoted %s after the image bump, more than the spec's arithmetic + 2 intervals (%s)", n, promoted, limit)
		}
	}
	b.ReportMetric(0, "ns/op")
	b.ReportMetric(idle.perTick(float64(idle.total)), "idle-requests/tick")
	b.ReportMetric(idle.cpuMsPerTick(), "idle-cpu-ms/tick")
	b.ReportMetric(progressing.perTick(float64(progressing.total)), "progressing-requests/tick")
	b.ReportMetric(progressing.cpuMsPerTick(), "progressing-cpu-ms/tick")
	b.ReportMetric(min(idle.onTimePercent(), progressing.onTimePercent()), "on-time-%")
	b.ReportMetric(max(idle.rss, progressing.rss), "rss-MiB")
	b.ReportMetric(idle.perTick(idle.allocs), "idle-allocs/tick")
	b.ReportMetric(progressing.perTick(progressing.allocs), "progressing-allocs/tick")
}

// measureAnalyses bumps the image of every target, measures the ticks
// that detect it, then a window of the analyses (weight steps: no metrics,
// no webhooks), and returns the latter.
func (h *harness) measureAnalyses(b *testing.B, window time.Duration) (result, []time.Time) {
	start := time.Now()
	patch := fmt.Appendf(nil, `{"spec":{"template":{"spec":{"containers":[{"name":"podinfod","image":%q}]}}}}`, nextImage)
	bumped := make([]time.Time, h.n) // each index written by one goroutine
	h.parallel(func(i int) error {
		ns, nm := name(i)
		_, err := h.kube.AppsV1().Deployments(ns).Patch(h.ctx, nm, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
		bumped[i] = time.Now()
		return err
	})
	logf(b, "bumped %d images in %s", h.n, time.Since(start).Round(time.Millisecond))
	detect := h.measureWhile(b, "detect: from the new images until every canary is Progressing (the harness watches the canaries)", func() {
		h.waitPhase(b, v1.PhaseProgressing, 15*time.Minute)
	})
	logf(b, "%s", detect.table())
	r := h.measure(b, "progressing: during the analysis", window)
	logf(b, "%s", r.table())
	logf(b, "phases after the window: %v", h.phases(b))
	return r, bumped
}

// waitPromoted waits until every canary is Succeeded and returns the
// longest time from a canary's image bump to its promotion (its status's
// lastTransitionTime, to the second), and the most it may take: the spec's
// arithmetic (sim/whatif: detection, readiness, one tick per weight,
// promotion) plus two intervals.
func (h *harness) waitPromoted(b *testing.B, bumped []time.Time) (took, limit time.Duration) {
	arith, err := whatif.ArithmeticOf(canary(name(0)), readyAfter)
	must(b, err)
	limit = arith.Promotion + 2*interval
	h.waitPhase(b, v1.PhaseSucceeded, limit+5*time.Minute)
	list := h.canaryList(b)
	var sum time.Duration
	for _, cd := range list {
		var i int
		if _, err := fmt.Sscanf(cd.Namespace, "scale-%d", &i); err != nil || i >= len(bumped) {
			b.Fatalf("canary %s: not one of the harness's", cd.Namespace)
		}
		d := cd.Status.LastTransitionTime.Sub(bumped[i].Truncate(time.Second))
		took = max(took, d)
		sum += d
	}
	logf(b, "all %d canaries Succeeded: from its image bump to its promotion, a canary took %s at most, %s on average; "+
		"the arithmetic says %s, + 2 intervals = %s (load %s)",
		h.n, took, (sum / time.Duration(len(list))).Round(10*time.Millisecond), arith.Promotion, limit, loadavg())
	return took, limit
}
