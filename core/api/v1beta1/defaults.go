package v1beta1

import (
	"fmt"
	"time"
)

// Defaults of Flagger v1.44 that Fledge keeps.
const (
	// DefaultAnalysisInterval is used when analysis.interval is empty or unparsable.
	DefaultAnalysisInterval = 60 * time.Second
	// MinAnalysisInterval is the shortest interval; shorter ones are raised to it.
	MinAnalysisInterval = 10 * time.Second
	// DefaultMetricInterval is the builtin metrics' range window.
	DefaultMetricInterval = "1m"
	// DefaultProgressDeadlineSeconds bounds a rollout that makes no progress.
	DefaultProgressDeadlineSeconds int32 = 600
	// DefaultThreshold is the failed-check threshold.
	DefaultThreshold = 1
	// DefaultMaxWeight is the canary weight cap.
	DefaultMaxWeight = 100
	// TotalWeight is what the primary and canary weights add up to.
	TotalWeight = 100
	// DefaultReadyThresholdPercent is the share of updated replicas that must be available.
	DefaultReadyThresholdPercent = 100
	// DefaultPortName names the managed Service port.
	DefaultPortName = "http"
	// DefaultWebhookTimeout bounds one webhook attempt.
	DefaultWebhookTimeout = 10 * time.Second
	// ProviderOSM routes with an SMI TrafficSplit v1alpha2 (Open Service Mesh).
	ProviderOSM = "osm"
	// BuiltinSuccessRate is the builtin metric of non-5xx responses, in percent.
	BuiltinSuccessRate = "request-success-rate"
	// BuiltinDuration is the builtin metric of P99 latency, in milliseconds.
	BuiltinDuration = "request-duration"
)

// GetAnalysis returns spec.analysis, or the deprecated spec.canaryAnalysis
// when analysis is unset, or an empty analysis when both are unset (where
// Flagger panics).
func (c *Canary) GetAnalysis() *CanaryAnalysis {
	if c.Spec.Analysis != nil {
		return c.Spec.Analysis
	}
	if c.Spec.CanaryAnalysis != nil {
		return c.Spec.CanaryAnalysis
	}
	return &CanaryAnalysis{}
}

// GetAnalysisInterval is the time between ticks: 60s when unset or
// unparsable, and never below 10s.
func (c *Canary) GetAnalysisInterval() time.Duration {
	d, err := time.ParseDuration(c.GetAnalysis().Interval)
	if err != nil {
		return DefaultAnalysisInterval
	}
	return max(d, MinAnalysisInterval)
}

// GetThreshold is the number of failed checks that rolls back (default 1).
func (c *Canary) GetThreshold() int {
	if t := c.GetAnalysis().Threshold; t > 0 {
		return t
	}
	return DefaultThreshold
}

// GetProgressDeadline is progressDeadlineSeconds (default 600s) as a duration.
func (c *Canary) GetProgressDeadline() time.Duration {
	return time.Duration(c.GetProgressDeadlineSeconds()) * time.Second
}

// GetProgressDeadlineSeconds is progressDeadlineSeconds, 600 when unset.
func (c *Canary) GetProgressDeadlineSeconds() int32 {
	if c.Spec.ProgressDeadlineSeconds != nil {
		return *c.Spec.ProgressDeadlineSeconds
	}
	return DefaultProgressDeadlineSeconds
}

// GetPrimaryReadyThreshold is the percentage of updated primary replicas that must be available.
func (c *Canary) GetPrimaryReadyThreshold() int {
	return percentOrDefault(c.GetAnalysis().PrimaryReadyThreshold)
}

// GetCanaryReadyThreshold is the percentage of updated canary replicas that must be available.
func (c *Canary) GetCanaryReadyThreshold() int {
	return percentOrDefault(c.GetAnalysis().CanaryReadyThreshold)
}

func percentOrDefault(p *int) int {
	if p != nil {
		return *p
	}
	return DefaultReadyThresholdPercent
}

// GetProvider is spec.provider, or meshProvider (the controller's flag) when unset.
func (c *Canary) GetProvider(meshProvider string) string {
	if c.Spec.Provider != "" {
		return c.Spec.Provider
	}
	return meshProvider
}

// ServiceNames are the apex, primary and canary Service names.
// +kubebuilder:object:generate=false
type ServiceNames struct {
	Apex, Primary, Canary string
}

// GetServiceNames returns the names of the generated Services: the apex
// (service.name, default targetRef.name) and its -primary and -canary.
func (c *Canary) GetServiceNames() ServiceNames {
	apex := c.Spec.Service.Name
	if apex == "" {
		apex = c.Spec.TargetRef.Name
	}
	return ServiceNames{Apex: apex, Primary: apex + "-primary", Canary: apex + "-canary"}
}

// GetPrimaryName is the name of the primary Deployment.
func (c *Canary) GetPrimaryName() string {
	return c.Spec.TargetRef.Name + "-primary"
}

// GetPortName is service.portName, "http" when unset.
func (s CanaryService) GetPortName() string {
	if s.PortName != "" {
		return s.PortName
	}
	return DefaultPortName
}

// GetTargetPort is service.targetPort as a string or number, service.port
// when unset or "0".
func (s CanaryService) GetTargetPort() string {
	if t := s.TargetPort.String(); t != "" && t != "0" {
		return t
	}
	return fmt.Sprint(s.Port)
}

// GetMetricInterval is the metric's range window for builtin and inline
// metrics: metrics[].interval, "1m" when unset.
func (m CanaryMetric) GetMetricInterval() string {
	if m.Interval != "" {
		return m.Interval
	}
	return DefaultMetricInterval
}

// IsBuiltin reports whether the metric is one of the two builtin OSM checks
// (by name, with no query or template of its own).
func (m CanaryMetric) IsBuiltin() bool {
	return (m.Name == BuiltinSuccessRate || m.Name == BuiltinDuration) && m.Query == "" && m.TemplateRef == nil
}

// GetTimeout is the webhook's per-attempt timeout, 10s when unset or unparsable.
func (w CanaryWebhook) GetTimeout() time.Duration {
	if len(w.Timeout) < 2 {
		return DefaultWebhookTimeout
	}
	d, err := time.ParseDuration(w.Timeout)
	if err != nil || d <= 0 {
		return DefaultWebhookTimeout
	}
	return d
}

// GetMetadata is the webhook metadata, never nil.
func (w CanaryWebhook) GetMetadata() map[string]string {
	if w.Metadata == nil {
		return map[string]string{}
	}
	return *w.Metadata
}
