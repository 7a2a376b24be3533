package faults

import (
	"fmt"
	"testing"

	"github.com/fledge-canary/fledge/adapters/prometheus"
	"github.com/fledge-canary/fledge/adapters/prometheus/promtest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
)

// TestProbeFaultsDoNotBlock initialises a canary while its Prometheus
// misbehaves: the availability probe (vector(1)) reports the fault in an
// Error event (docs/flagger-compatibility.md, Events) and the initialisation goes on, as in Flagger.
func TestProbeFaultsDoNotBlock(t *testing.T) {
	for _, f := range promtest.Faults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
			h.World.AutoReady = true
			h.Engine.Config.MetricsServer = promtest.Serve(t, f)
			h.Engine.Metrics = prometheus.New(prometheus.Options{Timeout: timeout(f)})
			events := tickChecked(t, h)
			want := f
			want.Err = "Warning Error checking metric providers: prometheus not available: " + f.Err
			if f.Err == "" {
				want.Err = fmt.Sprintf("Warning Error checking metric providers: prometheus not available: vector(1) returned %v, expected 1", f.Value)
			}
			if len(events) != 2 || !want.Match(events[0]) || events[1] != "Normal Initialization done! podinfo.default" {
				t.Errorf("events %.400q\nwant [%.400q, Initialization done!]", events, want.Err)
			}
			if h.Canary.Status.Phase != v1.PhaseInitialized {
				t.Errorf("phase %s, want Initialized", h.Canary.Status.Phase)
			}
		})
	}
}
