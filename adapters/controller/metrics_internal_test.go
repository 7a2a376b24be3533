package controller

import (
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
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

// TestMetricsForgetDeletesEverySeriesOfACanary: after forget, no series
// names the canary or its workloads; another canary's stay.
func TestMetricsForgetDeletesEverySeriesOfACanary(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, "v1", "osm")
	for _, name := range []string{"podinfo", "other"} {
		cd := &v1.Canary{ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "test"}}
		cd.Spec.TargetRef.Name = name
		m.track(cd)
		m.observe(cd, engine.Record{Phase: v1.PhaseSucceeded, PhaseBefore: v1.PhasePromoting, Routes: &decide.Routes{Primary: 100},
			Checks: []decide.Verdict{{Metric: v1.BuiltinSuccessRate, HasValue: true, Value: 99}}}, 0.1)
	}
	m.forget(types.NamespacedName{Namespace: "test", Name: "podinfo"})
	families, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	others := 0
	for _, f := range families {
		for _, s := range f.GetMetric() {
			for _, l := range s.GetLabel() {
				switch {
				case strings.HasPrefix(l.GetValue(), "podinfo"):
					t.Errorf("%s keeps a series of the deleted canary: %v", f.GetName(), s.GetLabel())
				case strings.HasPrefix(l.GetValue(), "other"):
					others++
				}
			}
		}
	}
	if others < 7 {
		t.Errorf("%d series of the other canary, want its status, 2 weights, analysis, duration, success and tick", others)
	}
}
