package controller

import (
	"errors"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/types"
)

// lagWarnEvery bounds the warnings of late ticks to one a minute.
const lagWarnEvery = time.Minute

// lagMeter measures how late each tick runs against the time it was due
// (fledge_canary_tick_lag_seconds), and warns, at most once a minute, when
// ticks fall behind by more than their canary's interval: the controller
// then stretches every analysis, which no event shows.
type lagMeter struct {
	hist  prometheus.Histogram
	ratio prometheus.Histogram
	log   logr.Logger

	mu       sync.Mutex
	lastWarn time.Time
	behind   int // ticks more than an interval late since the last warning
}

func newLagMeter(reg prometheus.Registerer, log logr.Logger) *lagMeter {
	return &lagMeter{
		hist: registerHistogram(reg, prometheus.HistogramOpts{
			Name:    "fledge_canary_tick_lag_seconds",
			Help:    "How late each analysis tick ran against its due time (its last tick plus the interval).",
			Buckets: prometheus.ExponentialBuckets(0.01, 2.5, 12), // 10 ms to about 10 min
		}),
		// Canaries of different intervals compare here: the share of
		// ticks at most 0.1 late is the share on time within 10% of an
		// interval.
		ratio: registerHistogram(reg, prometheus.HistogramOpts{
			Name:    "fledge_canary_tick_lag_intervals",
			Help:    "How late each analysis tick ran against its due time, in analysis intervals of its canary.",
			Buckets: []float64{0.01, 0.05, 0.1, 0.25, 0.5, 1, 2, 5},
		}),
		log: log,
	}
}

// registerHistogram registers a histogram, or returns the one already
// registered under its name (several reconcilers on one registry).
func registerHistogram(reg prometheus.Registerer, opts prometheus.HistogramOpts) prometheus.Histogram {
	h := prometheus.NewHistogram(opts)
	if err := reg.Register(h); err != nil {
		var dup prometheus.AlreadyRegisteredError
		if !errors.As(err, &dup) {
			panic(err)
		}
		h = dup.ExistingCollector.(prometheus.Histogram)
	}
	return h
}

// observe records a tick of key that ran lag after its due time.
func (l *lagMeter) observe(key types.NamespacedName, lag, interval time.Duration, now time.Time) {
	l.hist.Observe(lag.Seconds())
	if interval > 0 {
		l.ratio.Observe(lag.Seconds() / interval.Seconds())
	}
	if lag <= interval {
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	l.behind++
	if !l.lastWarn.IsZero() && now.Sub(l.lastWarn) < lagWarnEvery {
		return
	}
	l.log.Info("analysis ticks are falling behind: raise -threadiness or -kubeconfig-qps/-kubeconfig-burst",
		"canary", key.Name+"."+key.Namespace, "late", lag.Round(time.Millisecond).String(),
		"interval", interval.String(), "lateTicks", l.behind)
	l.lastWarn, l.behind = now, 0
}

// lateness is how long after its due time a canary's tick runs at now:
// zero for its first tick.
func (s *schedule) lateness(key types.NamespacedName, interval time.Duration, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.last[key]
	if !ok {
		return 0
	}
	return max(0, now.Sub(last.Add(interval)))
}
