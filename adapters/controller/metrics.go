package controller

import (
	"errors"
	"fmt"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// Metrics are Flagger's Prometheus metrics, under their Flagger names and
// labels so that existing dashboards and alerts keep working, plus Fledge's
// own. As in Flagger, the series of a canary are labelled by its target's
// name (spec.targetRef.name), not the Canary's: name= on _status,
// _metric_analysis, _duration_seconds, _successes_total and _failures_total,
// workload=<target> and <target>-primary on _weight. Only Fledge's
// fledge_canary_ticks_total carries the Canary's own name.
type Metrics struct {
	info      *prometheus.GaugeVec
	total     *prometheus.GaugeVec
	status    *prometheus.GaugeVec
	weight    *prometheus.GaugeVec
	analysis  *prometheus.GaugeVec
	duration  *prometheus.HistogramVec
	successes *prometheus.CounterVec
	failures  *prometheus.CounterVec
	ticks     *prometheus.CounterVec

	mu sync.Mutex
	// targets are the target names of the canaries seen, by canary, for
	// deleting the series of a canary that is gone.
	targets map[types.NamespacedName]string
}

// NewMetrics registers the metrics with reg. A metric reg already holds
// (a second controller in the same process) is shared, not registered again.
func NewMetrics(reg prometheus.Registerer, version, meshProvider string) *Metrics {
	m := &Metrics{
		info: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flagger_info", Help: "Controller version and mesh provider."},
			[]string{"version", "mesh_provider"}),
		total: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flagger_canary_total", Help: "Canaries per namespace."},
			[]string{"namespace"}),
		status: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flagger_canary_status",
			Help: "Canary status: 0 Progressing, 2 Failed, 1 any other phase."}, []string{"name", "namespace"}),
		weight: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flagger_canary_weight",
			Help: "Traffic weight of the primary (<target>-primary) and the canary (<target>)."}, []string{"workload", "namespace"}),
		analysis: prometheus.NewGaugeVec(prometheus.GaugeOpts{Name: "flagger_canary_metric_analysis",
			Help: "Last value of each analysis metric (request-duration in seconds)."}, []string{"name", "namespace", "metric"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{Name: "flagger_canary_duration_seconds",
			Help: "Duration of an analysis tick."}, []string{"name", "namespace"}),
		successes: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flagger_canary_successes_total", Help: "Promotions."},
			[]string{"name", "namespace", "deployment_strategy", "analysis_status"}),
		failures: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "flagger_canary_failures_total", Help: "Rollbacks and failed promotions."},
			[]string{"name", "namespace", "deployment_strategy", "analysis_status"}),
		ticks: prometheus.NewCounterVec(prometheus.CounterOpts{Name: "fledge_canary_ticks_total",
			Help: "Analysis ticks by the decision that ended them (coarse)."}, []string{"name", "namespace", "phase"}),
		targets: map[types.NamespacedName]string{},
	}
	for _, vec := range []**prometheus.GaugeVec{&m.info, &m.total, &m.status, &m.weight, &m.analysis} {
		*vec = register(reg, *vec)
	}
	m.duration = register(reg, m.duration)
	m.successes, m.failures, m.ticks = register(reg, m.successes), register(reg, m.failures), register(reg, m.ticks)
	m.info.WithLabelValues(version, meshProvider).Set(1)
	return m
}

// register registers c with reg, or returns the equal collector reg
// already has. Any other refusal is a programming error and panics, as
// MustRegister does.
func register[C prometheus.Collector](reg prometheus.Registerer, c C) C {
	err := reg.Register(c)
	if err == nil {
		return c
	}
	var dup prometheus.AlreadyRegisteredError
	if errors.As(err, &dup) {
		if existing, ok := dup.ExistingCollector.(C); ok {
			return existing
		}
	}
	panic(fmt.Errorf("registering metrics: %w", err))
}

// observe updates the metrics from a tick's trace record.
func (m *Metrics) observe(cd *v1.Canary, rec engine.Record, seconds float64) {
	name, ns := cd.Spec.TargetRef.Name, cd.Namespace
	m.status.WithLabelValues(name, ns).Set(statusValue(rec.Phase))
	m.ticks.WithLabelValues(cd.Name, ns, string(rec.Phase)).Inc()
	m.duration.WithLabelValues(name, ns).Observe(seconds)
	if rec.Routes != nil {
		m.weight.WithLabelValues(cd.GetPrimaryName(), ns).Set(float64(rec.Routes.Primary))
		m.weight.WithLabelValues(name, ns).Set(float64(rec.Routes.Canary))
	}
	for _, c := range rec.Checks {
		if c.HasValue {
			v := c.Value
			if c.Metric == v1.BuiltinDuration {
				v /= 1000
			}
			m.analysis.WithLabelValues(name, ns, c.Metric).Set(v)
		}
	}
	strategy := string(decide.StrategyOf(cd.GetAnalysis()))
	switch {
	case rec.Phase == v1.PhaseSucceeded && rec.PhaseBefore != v1.PhaseSucceeded:
		status := "completed"
		if cd.Spec.SkipAnalysis {
			status = "skipped"
		}
		m.successes.WithLabelValues(name, ns, strategy, status).Inc()
	case rec.Phase == v1.PhaseFailed && rec.PhaseBefore != v1.PhaseFailed:
		m.failures.WithLabelValues(name, ns, strategy, "completed").Inc()
	}
}

const primarySuffix = "-primary"

// track remembers a canary's target and reports whether the canary is
// new to m (so that its namespace's canaries are counted again).
func (m *Metrics) track(cd *v1.Canary) bool {
	m.mu.Lock()
	defer m.mu.Unlock()
	key := types.NamespacedName{Namespace: cd.Namespace, Name: cd.Name}
	_, known := m.targets[key]
	m.targets[key] = cd.Spec.TargetRef.Name
	return !known
}

// forget deletes every series of a canary that is gone, so that it does
// not stay at its last status, weights and values.
func (m *Metrics) forget(key types.NamespacedName) {
	m.mu.Lock()
	target, known := m.targets[key]
	delete(m.targets, key)
	m.mu.Unlock()
	m.ticks.DeletePartialMatch(prometheus.Labels{"name": key.Name, "namespace": key.Namespace})
	if !known {
		return
	}
	byTarget := prometheus.Labels{"name": target, "namespace": key.Namespace}
	m.analysis.DeletePartialMatch(byTarget)
	m.duration.DeletePartialMatch(byTarget)
	m.successes.DeletePartialMatch(byTarget)
	m.failures.DeletePartialMatch(byTarget)
	m.status.DeleteLabelValues(target, key.Namespace)
	m.weight.DeleteLabelValues(target, key.Namespace)
	m.weight.DeleteLabelValues(target+primarySuffix, key.Namespace)
}

// count sets flagger_canary_total of a namespace.
func (m *Metrics) count(namespace string, n int) {
	m.total.WithLabelValues(namespace).Set(float64(n))
}

func statusValue(p v1.CanaryPhase) float64 {
	switch p {
	case v1.PhaseProgressing:
		return 0
	case v1.PhaseFailed:
		return 2
	}
	return 1
}
