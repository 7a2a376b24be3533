// Package v1beta1 holds the Go types of Flagger's flagger.app/v1beta1 API as
// Fledge reads them: Canary and MetricTemplate, their defaults and their
// validation.
//
// The types decode Flagger's manifests unchanged. Defaults are applied by
// accessor methods (GetAnalysisInterval, GetThreshold, ...) rather than by
// mutating the object, so a Canary read from the API server is never
// rewritten behind the user's back. Validate reports every problem of a spec
// at once, each naming the field path and the reason. Decode reads the
// Canaries and MetricTemplates of a multi-document YAML manifest.
//
// +kubebuilder:object:generate=true
// +groupName=flagger.app
package v1beta1
