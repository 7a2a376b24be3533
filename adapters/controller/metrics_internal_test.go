package controller

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
)

// TestMetricsSharedByASecondController registers the metrics twice with
// one registry, as a second controller in the same process does: no panic,
// and both write the same series.
func TestMetricsSharedByASecondController(t *testing.T) {
	reg := prometheus.NewRegistry()
	first := NewMetrics(reg, "v1", "osm")
	second := NewMetrics(reg, "v1", "osm")
	first.total.WithLabelValues("default").Set(2)
	second.total.WithLabelValues("test").Set(3)
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]float64{}
	for _, f := range families {
		if f.GetName() != "flagger_canary_total" {
			continue
		}
		for _, m := range f.GetMetric() {
			got[m.GetLabel()[0].GetValue()] = m.GetGauge().GetValue()
		}
	}
	if len(got) != 2 || got["default"] != 2 || got["test"] != 3 {
		t.Errorf("flagger_canary_total = %v, want default 2 and test 3", got)
	}
}

// TestMetricsRegisterRefusesAClash panics, with the metric's name, when a
// different collector holds a name.
func TestMetricsRegisterRefusesAClash(t *testing.T) {
	reg := prometheus.NewRegistry()
	reg.MustRegister(prometheus.NewCounter(prometheus.CounterOpts{Name: "flagger_canary_total", Help: "other"}))
	defer func() {
		r := recover()
		if r == nil || !strings.Contains(r.(error).Error(), "flagger_canary_total") {
			t.Errorf("recovered %v, want a registration error naming flagger_canary_total", r)
		}
	}()
	NewMetrics(reg, "v1", "osm")
}
