package faults

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fledge-canary/fledge/adapters/prometheus"
	"github.com/fledge-canary/fledge/adapters/prometheus/promtest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
)

func ptr[T any](v T) *T { return &v }

// newCanary is podinfo in default: steps of 10 up to 30, threshold 2, the
// two OSM builtins, changed by mods.
func newCanary(mods ...func(*v1.Canary)) *v1.Canary {
	cd := &v1.Canary{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "default"},
		Spec: v1.CanarySpec{
			Provider:  v1.ProviderOSM,
			TargetRef: v1.LocalObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "podinfo"},
			Service:   v1.CanaryService{Port: 9898},
			Analysis: &v1.CanaryAnalysis{
				Interval: "10s", Threshold: 2, StepWeight: 10, MaxWeight: 30,
				Metrics: []v1.CanaryMetric{
					{Name: v1.BuiltinSuccessRate, Interval: "1m", ThresholdRange: &v1.CanaryThresholdRange{Min: ptr(99.0)}},
					{Name: v1.BuiltinDuration, Interval: "30s", ThresholdRange: &v1.CanaryThresholdRange{Max: ptr(500.0)}},
				},
			},
		},
	}
	for _, m := range mods {
		m(cd)
	}
	return cd
}

// healthyPrometheus answers 1 to the availability probe and 100 to every
// other query: a success rate of 100% and a latency of 100ms pass.
func healthyPrometheus(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v := "100"
		if r.URL.Query().Get("query") == "vector(1)" {
			v = "1"
		}
		fmt.Fprintf(w, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[0,%q]}]}}`, v)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

// newHarness wires the engine to an in-memory cluster whose Deployments
// are ready at once, and to the real Prometheus adapter over a healthy
// server. It ticks the canary to Initialized and starts a new revision.
func newHarness(t *testing.T, cd *v1.Canary, opts prometheus.Options) *enginetest.Harness {
	t.Helper()
	h := enginetest.NewHarness(cd, "podinfo:6.0.0")
	h.World.AutoReady = true
	h.Engine.Config.MetricsServer = healthyPrometheus(t)
	h.Engine.Metrics = prometheus.New(opts)
	tickChecked(t, h)
	if h.Canary.Status.Phase != v1.PhaseInitialized {
		t.Fatalf("phase %s after the first tick, want Initialized", h.Canary.Status.Phase)
	}
	h.World.SetTemplate("podinfo:6.0.1")
	tickChecked(t, h)
	if h.Canary.Status.Phase != v1.PhaseProgressing {
		t.Fatalf("phase %s after a new revision, want Progressing", h.Canary.Status.Phase)
	}
	return h
}

// tickChecked runs one tick and checks the invariants after it.
func tickChecked(t *testing.T, h *enginetest.Harness) []string {
	t.Helper()
	events := h.Tick()
	checkInvariants(t, h)
	return events
}

// checkInvariants holds after every tick: the TrafficSplit sends 100% to
// its two backends, neither negative, and a primary that takes traffic has
// replicas.
func checkInvariants(t *testing.T, h *enginetest.Harness) {
	t.Helper()
	s := h.World.Split
	if s == nil {
		return
	}
	if s.Primary < 0 || s.Canary < 0 || s.Primary+s.Canary != v1.TotalWeight {
		t.Fatalf("TrafficSplit weights %d/%d", s.Primary, s.Canary)
	}
	if s.Primary > 0 && (h.World.Primary == nil || h.World.Primary.Replicas == 0) {
		t.Fatalf("the primary takes %d%% of the traffic with no replicas", s.Primary)
	}
}

// advanceTo ticks a progressing canary with healthy metrics until the
// canary weight is w.
func advanceTo(t *testing.T, h *enginetest.Harness, w int) {
	t.Helper()
	for range 10 {
		if h.World.Split != nil && h.World.Split.Canary == w && h.Canary.Status.Phase == v1.PhaseProgressing {
			return
		}
		tickChecked(t, h)
	}
	t.Fatalf("the canary weight never reached %d: %v, phase %s", w, h.Weights(), h.Canary.Status.Phase)
}

// lastRecord is the trace of the last tick.
func lastRecord(h *enginetest.Harness) engine.Record { return h.Log[len(h.Log)-1] }

// timeout is the query timeout for a fault: the fault's own for the
// servers that hold a request until the client leaves, the longest
// otherwise, so that a loaded machine cannot make a timeout of another
// fault.
func timeout(f promtest.Fault) time.Duration {
	if f.ClientTimeout > 0 {
		return f.ClientTimeout
	}
	return prometheus.MaxTimeout
}
