package engine_test

import (
	"strings"
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
)

// TestBuiltinQueriesFollowTheProvider checks that the builtin metrics of
// an analysis are rendered by the observer Flagger picks for the canary's
// provider and the controller's mesh provider, and that a canary without
// traffic names that provider in its no-values Warning.
func TestBuiltinQueriesFollowTheProvider(t *testing.T) {
	tests := []struct {
		spec, mesh               string
		successMetric, durMetric string
		noValuesProvider         string
	}{
		{spec: "", mesh: "osm", successMetric: "osm_request_total{", durMetric: "osm_request_duration_ms_bucket{", noValuesProvider: "osm"},
		{spec: "linkerd", mesh: "osm", successMetric: "response_total{", durMetric: "response_latency_ms_bucket{", noValuesProvider: "linkerd"},
		{spec: "gatewayapi:v1", mesh: "osm", successMetric: "istio_requests_total{", durMetric: "istio_request_duration_milliseconds_bucket{",
			noValuesProvider: "gatewayapi:v1"},
		{spec: "gatewayapi:v1", mesh: "linkerd", successMetric: "response_total{", durMetric: "response_latency_ms_bucket{", noValuesProvider: "linkerd"},
	}
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.mesh, func(t *testing.T) {
			cd := newCanary(func(c *v1.Canary) { c.Spec.Provider = tc.spec })
			h := bootstrappedT(t, cd, tc.mesh)
			last := h.Log[len(h.Log)-1]
			for i := 0; i < 3 && len(last.Checks) == 0; i++ {
				h.Tick()
				last = h.Log[len(h.Log)-1]
			}
			if len(last.Checks) != 2 {
				t.Fatalf("checks = %+v, want the two builtins", last.Checks)
			}
			if q := last.Checks[0].Query; !strings.Contains(q, tc.successMetric) {
				t.Errorf("success-rate query %q does not read %s", q, tc.successMetric)
			}
			if q := last.Checks[1].Query; !strings.Contains(q, tc.durMetric) {
				t.Errorf("duration query %q does not read %s", q, tc.durMetric)
			}
			delete(h.World.Values, v1.BuiltinSuccessRate)
			events := h.Tick()
			want := "Warning Halt advancement no values found for " + tc.noValuesProvider + " metric request-success-rate probably podinfo.default is not receiving traffic"
			if len(events) == 0 || !strings.HasPrefix(events[len(events)-1], want) {
				t.Errorf("events = %q, want the last to start with %q", events, want)
			}
		})
	}
}

// bootstrappedT is bootstrapped for plain tests, under a controller whose
// -mesh-provider is mesh.
func bootstrappedT(t *testing.T, cd *v1.Canary, mesh string) *enginetest.Harness {
	t.Helper()
	h := enginetest.NewHarness(cd, "podinfo:6.0.0")
	h.Engine.Config.MeshProvider = mesh
	h.World.AutoReady = true
	healthy(h)
	h.Tick()
	if h.Canary.Status.Phase != v1.PhaseInitialized {
		t.Fatalf("phase after the first tick = %q, want Initialized", h.Canary.Status.Phase)
	}
	h.World.SetTemplate("podinfo:6.0.1")
	h.Tick()
	if h.Canary.Status.Phase != v1.PhaseProgressing {
		t.Fatalf("phase after the new revision = %q, want Progressing", h.Canary.Status.Phase)
	}
	return h
}
