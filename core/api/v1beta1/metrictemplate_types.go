package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// MetricTemplate is a reusable metric query with its provider.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:printcolumn:name="Provider",type=string,JSONPath=`.spec.provider.type`
type MetricTemplate struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec MetricTemplateSpec `json:"spec"`
	// +optional
	Status MetricTemplateStatus `json:"status,omitempty"`
}

// MetricTemplateList is a list of MetricTemplates.
//
// +kubebuilder:object:root=true
type MetricTemplateList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []MetricTemplate `json:"items"`
}

// MetricTemplateSpec is a query and the provider that answers it.
type MetricTemplateSpec struct {
	Provider MetricTemplateProvider `json:"provider"`
	// Query is a Go text/template rendering to PromQL; see core/query.
	Query string `json:"query"`
}

// MetricTemplateProvider says where and how a template's query runs.
type MetricTemplateProvider struct {
	// Type of the provider; Fledge speaks prometheus.
	// +kubebuilder:validation:Enum=prometheus;influxdb;datadog;cloudwatch;newrelic;graphite;stackdriver;dynatrace;keptn;splunk;externalmetrics
	Type string `json:"type"`
	// Address of the provider's API; empty means the controller's metrics server.
	// +optional
	Address string `json:"address,omitempty"`
	// SecretRef names a Secret with a bearer token or basic-auth credentials.
	// +optional
	SecretRef *SecretReference `json:"secretRef,omitempty"`
	// Headers are sent with every query.
	// +optional
	Headers map[string][]string `json:"headers,omitempty"`
	// +optional
	Region string `json:"region,omitempty"`
	// +optional
	InsecureSkipVerify bool `json:"insecureSkipVerify,omitempty"`
}

// SecretReference names a Secret in the template's namespace.
type SecretReference struct {
	Name string `json:"name"`
}

// MetricTemplateStatus is the observed state of a MetricTemplate.
type MetricTemplateStatus struct {
	// +optional
	Conditions []CanaryCondition `json:"conditions,omitempty"`
}
