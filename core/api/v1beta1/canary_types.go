package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// Canary is Flagger's canary resource: a target workload, the services that
// expose it and the analysis that decides whether a new revision is promoted.
//
// +genclient
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:shortName=canary
// +kubebuilder:printcolumn:name="Status",type=string,JSONPath=`.status.phase`
// +kubebuilder:printcolumn:name="Weight",type=string,JSONPath=`.status.canaryWeight`
// +kubebuilder:printcolumn:name="FailedChecks",type=string,JSONPath=`.status.failedChecks`,priority=1
// +kubebuilder:printcolumn:name="Interval",type=string,JSONPath=`.spec.analysis.interval`,priority=1
// +kubebuilder:printcolumn:name="StepWeight",type=string,JSONPath=`.spec.analysis.stepWeight`,priority=1
// +kubebuilder:printcolumn:name="StepWeights",type=string,JSONPath=`.spec.analysis.stepWeights`,priority=1
// +kubebuilder:printcolumn:name="MaxWeight",type=string,JSONPath=`.spec.analysis.maxWeight`,priority=1
// +kubebuilder:printcolumn:name="LastTransitionTime",type=string,JSONPath=`.status.lastTransitionTime`
type Canary struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec CanarySpec `json:"spec"`
	// +optional
	Status CanaryStatus `json:"status,omitempty"`
}

// CanaryList is a list of Canaries.
//
// +kubebuilder:object:root=true
type CanaryList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []Canary `json:"items"`
}

// CanarySpec is the desired behaviour of a Canary.
type CanarySpec struct {
	// Provider is the service mesh; empty means the controller's -mesh-provider flag.
	// Fledge routes with OSM's SMI TrafficSplit only.
	// +optional
	Provider string `json:"provider,omitempty"`

	// MetricsServer overrides the controller's Prometheus address for builtin
	// and inline-query metrics.
	// +optional
	MetricsServer string `json:"metricsServer,omitempty"`

	// TargetRef names the Deployment under analysis.
	TargetRef LocalObjectReference `json:"targetRef"`

	// AutoscalerRef names an optional HorizontalPodAutoscaler of the target.
	// +optional
	AutoscalerRef *AutoscalerReference `json:"autoscalerRef,omitempty"`

	// Service describes the apex, -primary and -canary Services.
	Service CanaryService `json:"service"`

	// Analysis is the canary analysis.
	// +optional
	Analysis *CanaryAnalysis `json:"analysis,omitempty"`

	// CanaryAnalysis is the deprecated name of Analysis, used only when Analysis is unset.
	// +optional
	CanaryAnalysis *CanaryAnalysis `json:"canaryAnalysis,omitempty"`

	// ProgressDeadlineSeconds is how long a rollout may make no progress
	// before the canary is rolled back (default 600).
	// +optional
	ProgressDeadlineSeconds *int32 `json:"progressDeadlineSeconds,omitempty"`

	// SkipAnalysis promotes a new revision without analysis.
	// +optional
	SkipAnalysis bool `json:"skipAnalysis,omitempty"`

	// RevertOnDeletion gives traffic back to the target when the Canary is deleted.
	// +optional
	RevertOnDeletion bool `json:"revertOnDeletion,omitempty"`

	// Suspend stops the analysis until it is set back to false.
	// +optional
	Suspend bool `json:"suspend,omitempty"`
}

// LocalObjectReference names an object in the Canary's namespace.
type LocalObjectReference struct {
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`
	// +optional
	Kind string `json:"kind,omitempty"`
	Name string `json:"name"`
}

// AutoscalerReference names the target's autoscaler.
type AutoscalerReference struct {
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`
	// +optional
	Kind string `json:"kind,omitempty"`
	Name string `json:"name"`
	// PrimaryScalerQueries is for KEDA ScaledObjects; unused with HPAs.
	// +optional
	PrimaryScalerQueries map[string]string `json:"primaryScalerQueries,omitempty"`
	// PrimaryScalerReplicas overrides the primary HPA's min and max replicas.
	// +optional
	PrimaryScalerReplicas *ScalerReplicas `json:"primaryScalerReplicas,omitempty"`
}

// ScalerReplicas overrides an autoscaler's replica bounds.
type ScalerReplicas struct {
	// +optional
	MinReplicas *int32 `json:"minReplicas,omitempty"`
	// +optional
	MaxReplicas *int32 `json:"maxReplicas,omitempty"`
}

// CanaryService describes the Services generated for the target.
type CanaryService struct {
	// Name of the apex Service; defaults to targetRef.name.
	// +optional
	Name string `json:"name,omitempty"`
	// Port is the ClusterIP port of the three Services.
	Port int32 `json:"port"`
	// PortName is the name of the managed port (default "http").
	// +optional
	PortName string `json:"portName,omitempty"`
	// TargetPort is the container port number or name (default: port).
	// +optional
	TargetPort intstr.IntOrString `json:"targetPort,omitempty"`
	// +optional
	AppProtocol *string `json:"appProtocol,omitempty"`
	// +optional
	TrafficDistribution string `json:"trafficDistribution,omitempty"`
	// PortDiscovery adds every container port of the target as a Service port.
	// +optional
	PortDiscovery bool `json:"portDiscovery,omitempty"`
	// Headless makes the Services headless (ClusterIP None).
	// +optional
	Headless bool `json:"headless,omitempty"`
	// Hosts: hosts[0] becomes the TrafficSplit's root service.
	// +optional
	Hosts []string `json:"hosts,omitempty"`
	// Gateways is for Istio and Gateway API; the OSM router ignores it.
	// +optional
	Gateways []string `json:"gateways,omitempty"`
	// GatewayRefs are the parentRefs of the HTTPRoute of provider
	// gatewayapi:v1: Gateways, or the apex Service itself for mesh
	// (GAMMA) routing. Required by that provider; the others ignore it.
	// +optional
	GatewayRefs []GatewayRef `json:"gatewayRefs,omitempty"`
	// Timeout is for Istio; the OSM router ignores it.
	// +optional
	Timeout string `json:"timeout,omitempty"`
	// MeshName is for App Mesh; the OSM router ignores it.
	// +optional
	MeshName string `json:"meshName,omitempty"`
	// +optional
	Apex *CustomMetadata `json:"apex,omitempty"`
	// +optional
	Primary *CustomMetadata `json:"primary,omitempty"`
	// +optional
	Canary *CustomMetadata `json:"canary,omitempty"`
	// +optional
	UnmanagedMetadata *UnmanagedMetadata `json:"unmanagedMetadata,omitempty"`
}

// GatewayRef is a parent of an HTTPRoute, as Gateway API's ParentReference
// has it: a Gateway (the default kind) or, for GAMMA mesh routing, a
// Service (group "", kind Service).
type GatewayRef struct {
	// Group of the parent; gateway.networking.k8s.io when unset.
	// +optional
	Group *string `json:"group,omitempty"`
	// Kind of the parent; Gateway when unset.
	// +optional
	Kind *string `json:"kind,omitempty"`
	// Namespace of the parent; the Canary's when unset.
	// +optional
	Namespace *string `json:"namespace,omitempty"`
	// Name of the parent.
	Name string `json:"name"`
	// SectionName is a listener of the Gateway (or a port name of the Service).
	// +optional
	SectionName *string `json:"sectionName,omitempty"`
	// Port of the parent to attach to.
	// +optional
	Port *int32 `json:"port,omitempty"`
}

// CustomMetadata are labels and annotations for a generated object.
type CustomMetadata struct {
	// +optional
	Labels map[string]string `json:"labels,omitempty"`
	// +optional
	Annotations map[string]string `json:"annotations,omitempty"`
}

// UnmanagedMetadata lists metadata keys that the controller leaves alone.
type UnmanagedMetadata struct {
	// +optional
	Labels []string `json:"labels,omitempty"`
	// +optional
	Annotations []string `json:"annotations,omitempty"`
}

// CanaryAnalysis says how a new revision is tested and how traffic moves.
type CanaryAnalysis struct {
	// Interval between two analysis ticks (default 60s, at least 10s).
	// +optional
	Interval string `json:"interval,omitempty"`
	// Iterations > 0 selects the blue/green strategy.
	// +optional
	Iterations int `json:"iterations,omitempty"`
	// Mirror mirrors traffic to the canary; OSM cannot, so Fledge rejects it.
	// +optional
	Mirror bool `json:"mirror,omitempty"`
	// +optional
	MirrorWeight int `json:"mirrorWeight,omitempty"`
	// MaxWeight caps the canary weight (default 100).
	// +optional
	MaxWeight int `json:"maxWeight,omitempty"`
	// StepWeight is the linear traffic step.
	// +optional
	StepWeight int `json:"stepWeight,omitempty"`
	// StepWeights are explicit traffic weights, increasing.
	// +optional
	StepWeights []int `json:"stepWeights,omitempty"`
	// StepWeightPromotion moves traffic back to the primary in steps; 0 moves it at once.
	// +optional
	StepWeightPromotion int `json:"stepWeightPromotion,omitempty"`
	// Threshold is the number of failed checks that rolls the canary back (default 1).
	// +optional
	Threshold int `json:"threshold,omitempty"`
	// PrimaryReadyThreshold is the percentage of updated primary replicas that must be available (default 100).
	// +optional
	PrimaryReadyThreshold *int `json:"primaryReadyThreshold,omitempty"`
	// CanaryReadyThreshold is the percentage of updated canary replicas that must be available (default 100).
	// +optional
	CanaryReadyThreshold *int `json:"canaryReadyThreshold,omitempty"`
	// +optional
	Alerts []CanaryAlert `json:"alerts,omitempty"`
	// +optional
	Metrics []CanaryMetric `json:"metrics,omitempty"`
	// +optional
	Webhooks []CanaryWebhook `json:"webhooks,omitempty"`
	// Match selects A/B testing by HTTP headers; OSM cannot match, so Fledge rejects it.
	// +optional
	Match []HTTPMatchRequest `json:"match,omitempty"`
	// SessionAffinity is for Istio and Gateway API; the OSM router ignores it.
	// +optional
	SessionAffinity *SessionAffinity `json:"sessionAffinity,omitempty"`
}

// HTTPMatchRequest is an A/B testing match condition.
type HTTPMatchRequest struct {
	// +optional
	Name string `json:"name,omitempty"`
	// +optional
	URI *StringMatch `json:"uri,omitempty"`
	// +optional
	Method *StringMatch `json:"method,omitempty"`
	// +optional
	Headers map[string]StringMatch `json:"headers,omitempty"`
	// +optional
	QueryParams map[string]StringMatch `json:"queryParams,omitempty"`
	// +optional
	SourceLabels map[string]string `json:"sourceLabels,omitempty"`
}

// StringMatch matches a string exactly, by prefix, by suffix or by regex.
type StringMatch struct {
	// +optional
	Exact string `json:"exact,omitempty"`
	// +optional
	Prefix string `json:"prefix,omitempty"`
	// +optional
	Suffix string `json:"suffix,omitempty"`
	// +optional
	Regex string `json:"regex,omitempty"`
}

// SessionAffinity configures sticky canary sessions (Istio, Gateway API).
type SessionAffinity struct {
	CookieName string `json:"cookieName"`
	// +optional
	PrimaryCookieName string `json:"primaryCookieName,omitempty"`
	// +optional
	MaxAge int `json:"maxAge,omitempty"`
}

// CanaryMetric is one check of the analysis.
type CanaryMetric struct {
	// Name is request-success-rate, request-duration, or a name of the user's.
	Name string `json:"name"`
	// Interval is the query's range window (builtin default 1m).
	// +optional
	Interval string `json:"interval,omitempty"`
	// Threshold is the legacy bound: a minimum for request-success-rate, a
	// maximum (in ms) for request-duration and a maximum for custom metrics.
	// +optional
	Threshold float64 `json:"threshold,omitempty"`
	// ThresholdRange bounds the value from below, above or both.
	// +optional
	ThresholdRange *CanaryThresholdRange `json:"thresholdRange,omitempty"`
	// Query is an inline PromQL query (deprecated in Flagger in favour of templateRef).
	// +optional
	Query string `json:"query,omitempty"`
	// TemplateRef names a MetricTemplate.
	// +optional
	TemplateRef *CrossNamespaceObjectReference `json:"templateRef,omitempty"`
	// TemplateVariables are passed to the template as {{ variables.KEY }}.
	// +optional
	TemplateVariables map[string]string `json:"templateVariables,omitempty"`
}

// CanaryThresholdRange is a closed range; either end may be open.
type CanaryThresholdRange struct {
	// +optional
	Min *float64 `json:"min,omitempty"`
	// +optional
	Max *float64 `json:"max,omitempty"`
}

// CrossNamespaceObjectReference names an object, by default in the Canary's namespace.
type CrossNamespaceObjectReference struct {
	// +optional
	APIVersion string `json:"apiVersion,omitempty"`
	// +optional
	Kind string `json:"kind,omitempty"`
	Name string `json:"name"`
	// +optional
	Namespace string `json:"namespace,omitempty"`
}

// HookType is the kind of a webhook: when it is called and what its answer means.
// +kubebuilder:validation:Enum="";confirm-rollout;pre-rollout;rollout;confirm-promotion;post-rollout;event;rollback;confirm-traffic-increase
type HookType string

// The webhook types, in the order a rollout meets them.
const (
	ConfirmRolloutHook         HookType = "confirm-rollout"
	PreRolloutHook             HookType = "pre-rollout"
	RolloutHook                HookType = "rollout"
	ConfirmTrafficIncreaseHook HookType = "confirm-traffic-increase"
	ConfirmPromotionHook       HookType = "confirm-promotion"
	PostRolloutHook            HookType = "post-rollout"
	RollbackHook               HookType = "rollback"
	EventHook                  HookType = "event"
)

// CanaryWebhook is an HTTP call made during the analysis.
type CanaryWebhook struct {
	// +optional
	Type HookType `json:"type,omitempty"`
	Name string   `json:"name"`
	URL  string   `json:"url"`
	// +optional
	MuteAlert bool `json:"muteAlert,omitempty"`
	// Timeout of one attempt (default 10s).
	// +optional
	Timeout string `json:"timeout,omitempty"`
	// Retries after a failed attempt (default 0).
	// +optional
	Retries *int `json:"retries,omitempty"`
	// +optional
	DisableTLS bool `json:"disableTLS,omitempty"`
	// +optional
	Metadata *map[string]string `json:"metadata,omitempty"`
}

// EffectiveType is the hook's type, with the empty type meaning rollout.
func (w CanaryWebhook) EffectiveType() HookType {
	if w.Type == "" {
		return RolloutHook
	}
	return w.Type
}

// CanaryAlert routes the canary's alerts to an AlertProvider.
type CanaryAlert struct {
	Name string `json:"name"`
	// +optional
	Severity string `json:"severity,omitempty"`
	// +optional
	ProviderRef CrossNamespaceObjectReference `json:"providerRef"`
}
