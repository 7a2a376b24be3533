package loadtester

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
)

// metrics are the load tester's own series (the package documentation
// lists them).
type metrics struct {
	requests       *prometheus.CounterVec
	latency        *prometheus.HistogramVec
	tasksStarted   *prometheus.CounterVec
	tasksSkipped   *prometheus.CounterVec
	tasksFailed    *prometheus.CounterVec
	tasksRunning   *prometheus.GaugeVec
	webhookReplies *prometheus.CounterVec
}

func newMetrics(reg prometheus.Registerer) (*metrics, error) {
	m := &metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fledge_loadtester_requests_total",
			Help: "HTTP requests sent by hey tasks, by canary (name.namespace) and status code (\"error\" when no response came).",
		}, []string{"canary", "code"}),
		latency: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "fledge_loadtester_request_duration_seconds",
			Help:    "Latency of the HTTP requests sent by hey tasks, answered or not, by canary.",
			Buckets: []float64{.005, .01, .025, .05, .1, .25, .5, 1, 2.5, 5, 10},
		}, []string{"canary"}),
		tasksStarted: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fledge_loadtester_tasks_started_total",
			Help: "Tasks started, by canary and type (hey, cmd, bash).",
		}, []string{"canary", "type"}),
		tasksSkipped: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fledge_loadtester_tasks_skipped_total",
			Help: "Background tasks not started because the same command for the same canary was still running.",
		}, []string{"canary", "type"}),
		tasksFailed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fledge_loadtester_tasks_failed_total",
			Help: "Tasks that failed: a command that exited non-zero or timed out, a hey task none of whose requests was answered.",
		}, []string{"canary", "type"}),
		tasksRunning: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "fledge_loadtester_tasks_running",
			Help: "Tasks running now, by type.",
		}, []string{"type"}),
		webhookReplies: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "fledge_loadtester_webhook_replies_total",
			Help: "Replies to webhook and gate calls, by path and status code.",
		}, []string{"path", "code"}),
	}
	for _, c := range []prometheus.Collector{m.requests, m.latency, m.tasksStarted, m.tasksSkipped, m.tasksFailed, m.tasksRunning, m.webhookReplies} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// observer records one canary's hey requests.
func (m *metrics) observer(canary string) func(code int, err error, latency time.Duration) {
	latency := m.latency.WithLabelValues(canary)
	return func(code int, err error, d time.Duration) {
		label := "error"
		if err == nil {
			label = strconv.Itoa(code)
		}
		m.requests.WithLabelValues(canary, label).Inc()
		latency.Observe(d.Seconds())
	}
}
