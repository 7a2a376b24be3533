package controller

import (
	"maps"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
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

// scrape serves reg as the controller's /metrics does and parses the text
// exposition a Prometheus server reads.
func scrape(t *testing.T, reg *prometheus.Registry) map[string]*dto.MetricFamily {
	t.Helper()
	srv := httptest.NewServer(promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
	defer srv.Close()
	resp, err := http.Get(srv.URL)
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer func() { _ = resp.Body.Close() }()
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parsing /metrics: %v", err)
	}
	return families
}

// TestMetricsLabelledAsFlagger scrapes /metrics after a canary named
// podinfo-canary, whose target is the Deployment podinfo, succeeded once and
// failed once: every Flagger series carries Flagger's label names, and
// name= (or workload=) is the target's name, as Flagger labels them.
func TestMetricsLabelledAsFlagger(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg, "v0.9.0", "osm")
	cd := &v1.Canary{ObjectMeta: metav1.ObjectMeta{Name: "podinfo-canary", Namespace: "test"}}
	cd.Spec.TargetRef.Name = "podinfo"
	m.track(cd)
	m.count("test", 1)
	checks := []decide.Verdict{
		{Metric: v1.BuiltinSuccessRate, HasValue: true, Value: 99.5},
		{Metric: v1.BuiltinDuration, HasValue: true, Value: 250},
	}
	m.observe(cd, engine.Record{Phase: v1.PhaseSucceeded, PhaseBefore: v1.PhasePromoting,
		Routes: &decide.Routes{Primary: 100}, Checks: checks}, 0.2)
	m.observe(cd, engine.Record{Phase: v1.PhaseFailed, PhaseBefore: v1.PhaseProgressing,
		Routes: &decide.Routes{Primary: 100}}, 0.1)

	tests := []struct {
		metric string
		want   []map[string]string // the label sets of its series, in any order
	}{
		{"flagger_info", []map[string]string{{"version": "v0.9.0", "mesh_provider": "osm"}}},
		{"flagger_canary_total", []map[string]string{{"namespace": "test"}}},
		{"flagger_canary_status", []map[string]string{{"name": "podinfo", "namespace": "test"}}},
		{"flagger_canary_weight", []map[string]string{
			{"workload": "podinfo-primary", "namespace": "test"}, {"workload": "podinfo", "namespace": "test"}}},
		{"flagger_canary_metric_analysis", []map[string]string{
			{"name": "podinfo", "namespace": "test", "metric": "request-success-rate"},
			{"name": "podinfo", "namespace": "test", "metric": "request-duration"}}},
		{"flagger_canary_duration_seconds", []map[string]string{{"name": "podinfo", "namespace": "test"}}},
		{"flagger_canary_successes_total", []map[string]string{
			{"name": "podinfo", "namespace": "test", "deployment_strategy": "canary", "analysis_status": "completed"}}},
		{"flagger_canary_failures_total", []map[string]string{
			{"name": "podinfo", "namespace": "test", "deployment_strategy": "canary", "analysis_status": "completed"}}},
	}
	families := scrape(t, reg)
	for _, tt := range tests {
		t.Run(tt.metric, func(t *testing.T) {
			f, ok := families[tt.metric]
			if !ok {
				t.Fatalf("/metrics has no %s", tt.metric)
			}
			var got []map[string]string
			for _, s := range f.GetMetric() {
				labels := map[string]string{}
				for _, l := range s.GetLabel() {
					labels[l.GetName()] = l.GetValue()
				}
				got = append(got, labels)
			}
			if !sameLabelSets(got, tt.want) {
				t.Errorf("%s series labels = %v, want %v", tt.metric, got, tt.want)
			}
		})
	}
}

// sameLabelSets reports whether got and want hold the same label sets,
// in any order.
func sameLabelSets(got, want []map[string]string) bool {
	if len(got) != len(want) {
		return false
	}
	used := make([]bool, len(got))
	for _, w := range want {
		found := false
		for i, g := range got {
			if !used[i] && maps.Equal(g, w) {
				used[i], found = true, true
				break
			}
		}
		if !found {
			return false
		}
	}
	return true
}
