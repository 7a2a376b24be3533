package v1beta1

import (
	"fmt"
	"os"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// canaryMod changes one part of a valid Canary.
type canaryMod func(*Canary)

// validCanary is the tutorial's Canary, with its HPA as autoscaling/v2 so
// that it has no warning either, changed by mods.
func validCanary(mods ...canaryMod) *Canary {
	c := &Canary{
		TypeMeta:   metav1.TypeMeta{APIVersion: "flagger.app/v1beta1", Kind: "Canary"},
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "test"},
		Spec: CanarySpec{
			Provider:  ProviderOSM,
			TargetRef: LocalObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "podinfo"},
			AutoscalerRef: &AutoscalerReference{
				APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Name: "podinfo",
			},
			ProgressDeadlineSeconds: ptr(int32(60)),
			Service:                 CanaryService{Port: 9898, TargetPort: intstr.FromInt32(9898)},
			Analysis: &CanaryAnalysis{
				Interval: "30s", Threshold: 5, MaxWeight: 50, StepWeight: 5,
				Metrics: []CanaryMetric{
					{Name: BuiltinSuccessRate, ThresholdRange: &CanaryThresholdRange{Min: ptr(99.0)}, Interval: "1m"},
					{Name: BuiltinDuration, ThresholdRange: &CanaryThresholdRange{Max: ptr(500.0)}, Interval: "30s"},
				},
				Webhooks: []CanaryWebhook{
					{Name: "acceptance-test", Type: PreRolloutHook, URL: "http://flagger-loadtester.test/", Timeout: "30s"},
					{Name: "load-test", Type: RolloutHook, URL: "http://flagger-loadtester.test/", Timeout: "5s"},
				},
			},
		},
	}
	for _, mod := range mods {
		mod(c)
	}
	return c
}

func ptr[T any](v T) *T { return &v }

func withMeta(f func(*metav1.ObjectMeta)) canaryMod { return func(c *Canary) { f(&c.ObjectMeta) } }
func withSpec(f func(*CanarySpec)) canaryMod        { return func(c *Canary) { f(&c.Spec) } }
func withService(f func(*CanaryService)) canaryMod  { return func(c *Canary) { f(&c.Spec.Service) } }
func withTarget(f func(*LocalObjectReference)) canaryMod {
	return func(c *Canary) { f(&c.Spec.TargetRef) }
}
func withAutoscaler(f func(*AutoscalerReference)) canaryMod {
	return func(c *Canary) { f(c.Spec.AutoscalerRef) }
}
func withAnalysis(f func(*CanaryAnalysis)) canaryMod { return func(c *Canary) { f(c.Spec.Analysis) } }
func withMetric(i int, f func(*CanaryMetric)) canaryMod {
	return func(c *Canary) { f(&c.Spec.Analysis.Metrics[i]) }
}
func withWebhook(i int, f func(*CanaryWebhook)) canaryMod {
	return func(c *Canary) { f(&c.Spec.Analysis.Webhooks[i]) }
}

// withCustomMetric replaces the metrics with one custom metric.
func withCustomMetric(m CanaryMetric) canaryMod {
	return withAnalysis(func(a *CanaryAnalysis) { a.Metrics = []CanaryMetric{m} })
}

// withAlert adds an alert.
func withAlert(al CanaryAlert) canaryMod {
	return withAnalysis(func(a *CanaryAnalysis) { a.Alerts = append(a.Alerts, al) })
}

// maxOnly is a threshold range with only a maximum.
func maxOnly(v float64) *CanaryThresholdRange { return &CanaryThresholdRange{Max: &v} }

const (
	dns1035Reason   = "must be a DNS-1035 label (lower case letters, digits and '-', starting with a letter and ending with a letter or digit, e.g. my-name)"
	templateQuery   = `sum(rate(osm_request_total{destination_name="{{ target }}"}[{{ interval }}]))`
	noThresholdPath = "spec.analysis.metrics[0].thresholdRange: set thresholdRange (or threshold); with neither, "
)

// validateCase is a Canary built from the valid one, the options it is
// validated with, and the exact errors or warnings it gives.
type validateCase struct {
	mods []canaryMod
	opts ValidationOptions
	want []string
}

// name56 is a name 56 characters long, one too many for name+"-primary".
var name56 = strings.Repeat("a", 56)

// rejectCases are invalid Canaries, keyed by what is wrong, with their errors.
var rejectCases = map[string]validateCase{
	// metadata and target
	"no name": {
		mods: []canaryMod{withMeta(func(m *metav1.ObjectMeta) { m.Name = "" })},
		want: []string{"metadata.name: required"},
	},
	"no target name": {
		mods: []canaryMod{withTarget(func(t *LocalObjectReference) { t.Name = "" })},
		want: []string{"spec.targetRef.name: required: the name of the Deployment to analyse"},
	},
	"no target kind": {
		mods: []canaryMod{withTarget(func(t *LocalObjectReference) { t.Kind = "" })},
		want: []string{"spec.targetRef.kind: required: set Deployment"},
	},
	"DaemonSet target": {
		mods: []canaryMod{withTarget(func(t *LocalObjectReference) { t.Kind = "DaemonSet" })},
		want: []string{"spec.targetRef.kind: DaemonSet targets are not supported by Fledge: only Deployment is"},
	},
	"Service target": {
		mods: []canaryMod{withTarget(func(t *LocalObjectReference) { t.Kind = "Service" })},
		want: []string{"spec.targetRef.kind: Service targets are not supported by Fledge: only Deployment is"},
	},
	"StatefulSet target": {
		mods: []canaryMod{withTarget(func(t *LocalObjectReference) { t.Kind = "StatefulSet" })},
		want: []string{`spec.targetRef.kind: "StatefulSet" is not supported: set Deployment`},
	},
	"target name that cannot name the services": {
		mods: []canaryMod{withTarget(func(t *LocalObjectReference) { t.Name = "podinfo.v2" })},
		want: []string{"spec.targetRef.name: names the Services too (service.name is unset), so it " + dns1035Reason},
	},
	"target name too long for its services": {
		mods: []canaryMod{withTarget(func(t *LocalObjectReference) { t.Name = name56 })},
		want: []string{`spec.targetRef.name: names the Services too (service.name is unset), so it is too long: "` +
			name56 + `-primary" would be 64 characters, over the 63 Kubernetes allows; use at most 55`},
	},
	"target name too long for its primary": {
		mods: []canaryMod{
			withService(func(s *CanaryService) { s.Name = "podinfo" }),
			withTarget(func(t *LocalObjectReference) { t.Name = name56 }),
		},
		want: []string{`spec.targetRef.name: is too long: "` + name56 +
			`-primary" would be 64 characters, over the 63 Kubernetes allows; use at most 55`},
	},
	"target name not a deployment name": {
		mods: []canaryMod{
			withService(func(s *CanaryService) { s.Name = "podinfo" }),
			withTarget(func(t *LocalObjectReference) { t.Name = "Podinfo" }),
		},
		want: []string{"spec.targetRef.name: must be a DNS-1123 subdomain (lower case letters, digits, '-' and '.', starting and ending with a letter or digit)"},
	},
	// top-level fields
	"istio provider": {
		mods: []canaryMod{withSpec(func(s *CanarySpec) { s.Provider = "istio" })},
		want: []string{`spec.provider: "istio" is not supported: set "osm", "linkerd" or "gatewayapi:v1", or leave it empty for the controller's -mesh-provider`},
	},
	"metrics server without scheme": {
		mods: []canaryMod{withSpec(func(s *CanarySpec) { s.MetricsServer = "prometheus.monitoring:9090" })},
		want: []string{`spec.metricsServer: must be an absolute http or https URL such as http://prometheus.monitoring:9090, got "prometheus.monitoring:9090"`},
	},
	"zero progress deadline": {
		mods: []canaryMod{withSpec(func(s *CanarySpec) { s.ProgressDeadlineSeconds = ptr(int32(0)) })},
		want: []string{"spec.progressDeadlineSeconds: must be more than 0, got 0 (leave it unset for 600)"},
	},
	// autoscaler
	"autoscaler without name": {
		mods: []canaryMod{withAutoscaler(func(a *AutoscalerReference) { a.Name = "" })},
		want: []string{"spec.autoscalerRef.name: required: the name of the target's HorizontalPodAutoscaler"},
	},
	"KEDA autoscaler": {
		mods: []canaryMod{withAutoscaler(func(a *AutoscalerReference) { a.Kind = "ScaledObject" })},
		want: []string{"spec.autoscalerRef.kind: KEDA ScaledObjects are not supported by Fledge: use a HorizontalPodAutoscaler"},
	},
	"autoscaler without kind": {
		mods: []canaryMod{withAutoscaler(func(a *AutoscalerReference) { a.Kind = "" })},
		want: []string{"spec.autoscalerRef.kind: required: set HorizontalPodAutoscaler"},
	},
	"primary minReplicas 0": {
		mods: []canaryMod{withAutoscaler(func(a *AutoscalerReference) {
			a.PrimaryScalerReplicas = &ScalerReplicas{MinReplicas: ptr(int32(0)), MaxReplicas: ptr(int32(3))}
		})},
		want: []string{"spec.autoscalerRef.primaryScalerReplicas.minReplicas: must be at least 1, got 0"},
	},
	"primary maxReplicas below minReplicas": {
		mods: []canaryMod{withAutoscaler(func(a *AutoscalerReference) {
			a.PrimaryScalerReplicas = &ScalerReplicas{MinReplicas: ptr(int32(4)), MaxReplicas: ptr(int32(2))}
		})},
		want: []string{"spec.autoscalerRef.primaryScalerReplicas.maxReplicas: must be at least minReplicas (4), got 2"},
	},
	"primary maxReplicas 0": {
		mods: []canaryMod{withAutoscaler(func(a *AutoscalerReference) {
			a.PrimaryScalerReplicas = &ScalerReplicas{MaxReplicas: ptr(int32(0))}
		})},
		want: []string{"spec.autoscalerRef.primaryScalerReplicas.maxReplicas: must be at least 1, got 0"},
	},
	// service
	"no port": {
		mods: []canaryMod{withService(func(s *CanaryService) { s.Port = 0 })},
		want: []string{"spec.service.port: required: the ClusterIP port of the Services, 1 to 65535"},
	},
	"port above 65535": {
		mods: []canaryMod{withService(func(s *CanaryService) { s.Port = 70000; s.TargetPort = intstr.IntOrString{} })},
		want: []string{"spec.service.port: must be between 1 and 65535, got 70000"},
	},
	"service name with capitals": {
		mods: []canaryMod{withService(func(s *CanaryService) { s.Name = "PodInfo" })},
		want: []string{"spec.service.name: " + dns1035Reason},
	},
	"service name too long": {
		mods: []canaryMod{withService(func(s *CanaryService) { s.Name = name56 })},
		want: []string{`spec.service.name: is too long: "` + name56 +
			`-primary" would be 64 characters, over the 63 Kubernetes allows; use at most 55`},
	},
	"target port above 65535": {
		mods: []canaryMod{withService(func(s *CanaryService) { s.TargetPort = intstr.FromInt32(70000) })},
		want: []string{"spec.service.targetPort: must be between 1 and 65535, got 70000"},
	},
	"target port name with underscore": {
		mods: []canaryMod{withService(func(s *CanaryService) { s.TargetPort = intstr.FromString("http_web") })},
		want: []string{"spec.service.targetPort: must be a port number or a container port name: must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)"},
	},
	"port name too long": {
		mods: []canaryMod{withService(func(s *CanaryService) { s.PortName = "http-frontend-main" })},
		want: []string{"spec.service.portName: must be no more than 15 characters"},
	},
	"unknown traffic distribution": {
		mods: []canaryMod{withService(func(s *CanaryService) { s.TrafficDistribution = "PreferFar" })},
		want: []string{`spec.service.trafficDistribution: "PreferFar" is not valid: use PreferClose, PreferSameZone or PreferSameNode`},
	},
	// analysis
	"no analysis": {
		mods: []canaryMod{withSpec(func(s *CanarySpec) { s.Analysis = nil })},
		want: []string{"spec.analysis: required: give an interval, a threshold and a stepWeight (or stepWeights, or iterations), or set skipAnalysis: true"},
	},
	"interval without unit": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Interval = "30" })},
		want: []string{`spec.analysis.interval: must be a duration such as 30s or 1m, got "30"`},
	},
	"zero interval": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Interval = "0s" })},
		want: []string{`spec.analysis.interval: must be a duration such as 30s or 1m, got "0s"`},
	},
	"deprecated canaryAnalysis is checked under its own path": {
		mods: []canaryMod{withSpec(func(s *CanarySpec) {
			s.CanaryAnalysis, s.Analysis = s.Analysis, nil
			s.CanaryAnalysis.Interval = "soon"
		})},
		want: []string{`spec.canaryAnalysis.interval: must be a duration such as 30s or 1m, got "soon"`},
	},
	// strategy
	"stepWeight and stepWeights": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.MaxWeight = 0; a.StepWeights = []int{10, 50} })},
		want: []string{"spec.analysis.stepWeights: mutually exclusive with stepWeight: set one of them (Flagger's CRD rejects both)"},
	},
	"stepWeight and iterations": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Iterations = 10 })},
		want: []string{"spec.analysis.iterations: mutually exclusive with stepWeight and stepWeights: iterations selects blue/green, " +
			"the weights the canary strategy; set one (Flagger runs blue/green and ignores the weights)"},
	},
	"no strategy": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.StepWeight = 0 })},
		want: []string{"spec.analysis: set stepWeight, stepWeights or iterations; with none the canary never advances"},
	},
	// weights and counters
	"stepWeight above 100": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.StepWeight = 101 })},
		want: []string{"spec.analysis.stepWeight: must be between 1 and 100 (percent of traffic per step), got 101"},
	},
	"negative stepWeight": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.StepWeight = -5 })},
		want: []string{"spec.analysis.stepWeight: must be between 1 and 100 (percent of traffic per step), got -5"},
	},
	"maxWeight above 100": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.MaxWeight = 150 })},
		want: []string{"spec.analysis.maxWeight: must be at most 100; above 100 Flagger never promotes, the weight sticks at 100"},
	},
	"negative maxWeight": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.MaxWeight = -1 })},
		want: []string{"spec.analysis.maxWeight: must be between 1 and 100, got -1 (leave it unset for 100)"},
	},
	"stepWeights out of range": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) {
			a.StepWeight, a.MaxWeight, a.StepWeights = 0, 0, []int{0, 50, 101}
		})},
		want: []string{
			"spec.analysis.stepWeights[0]: must be between 1 and 100, got 0",
			"spec.analysis.stepWeights[2]: must be between 1 and 100, got 101",
		},
	},
	"stepWeights not increasing": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) {
			a.StepWeight, a.MaxWeight, a.StepWeights = 0, 0, []int{10, 20, 20, 50}
		})},
		want: []string{"spec.analysis.stepWeights: must be increasing, but stepWeights[2] (20) is not above stepWeights[1] (20)"},
	},
	"stepWeightPromotion above 100": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.StepWeightPromotion = 101 })},
		want: []string{"spec.analysis.stepWeightPromotion: must be between 0 and 100 (0 gives all traffic back to the primary at once), got 101"},
	},
	"negative threshold": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Threshold = -1 })},
		want: []string{"spec.analysis.threshold: must be 0 or more, got -1 (0 or unset means 1: roll back at the first failed check)"},
	},
	"negative iterations": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Iterations = -2 })},
		want: []string{"spec.analysis.iterations: must be 0 or more, got -2"},
	},
	"primaryReadyThreshold above 100": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.PrimaryReadyThreshold = ptr(101) })},
		want: []string{"spec.analysis.primaryReadyThreshold: must be between 0 and 100 (percent of updated replicas available), got 101"},
	},
	"negative canaryReadyThreshold": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.CanaryReadyThreshold = ptr(-1) })},
		want: []string{"spec.analysis.canaryReadyThreshold: must be between 0 and 100 (percent of updated replicas available), got -1"},
	},
	// routing
	"mirror": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Mirror = true })},
		want: []string{"spec.analysis.mirror: OSM cannot mirror traffic: remove it (Flagger repeats a weight-0 mirror step forever and never analyses)"},
	},
	"A/B match": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) {
			a.StepWeight, a.MaxWeight, a.Iterations = 0, 0, 10
			a.Match = []HTTPMatchRequest{{Headers: map[string]StringMatch{"x-canary": {Exact: "insider"}}}}
		})},
		want: []string{"spec.analysis.match: OSM cannot route by header: remove it and use iterations without match for blue/green " +
			"(Flagger would send 100% of traffic to the canary)"},
	},
	"match with the canary strategy": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) {
			a.Match = []HTTPMatchRequest{{Headers: map[string]StringMatch{"x-canary": {Exact: "insider"}}}}
		})},
		want: []string{"spec.analysis.match: OSM cannot route by header: remove it and use iterations without match for blue/green " +
			"(Flagger ignores it)"},
	},
	"equal cookie names": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) {
			a.SessionAffinity = &SessionAffinity{CookieName: "flagger", PrimaryCookieName: "flagger"}
		})},
		want: []string{`spec.analysis.sessionAffinity.primaryCookieName: must differ from cookieName "flagger" (Flagger rejects equal cookie names)`},
	},
	"session affinity without cookie name": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.SessionAffinity = &SessionAffinity{} })},
		want: []string{"spec.analysis.sessionAffinity.cookieName: required"},
	},
	// metrics
	"metric without name": {
		mods: []canaryMod{withMetric(1, func(m *CanaryMetric) { m.Name = "" })},
		want: []string{"spec.analysis.metrics[1].name: required"},
	},
	"duplicate metric": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Metrics = append(a.Metrics, a.Metrics[0]) })},
		want: []string{`spec.analysis.metrics[2].name: "request-success-rate" is also the name of metrics[0]: give each metric its own name`},
	},
	"query and templateRef": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{
			Name: "errors", Query: "sum(x)", TemplateRef: &CrossNamespaceObjectReference{Name: "errors"},
			Interval: "1m", ThresholdRange: maxOnly(1),
		})},
		want: []string{"spec.analysis.metrics[0].query: set either query or templateRef, not both"},
	},
	"custom metric without query": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{Name: "error-rate", ThresholdRange: maxOnly(1)})},
		want: []string{`spec.analysis.metrics[0].name: "error-rate" is not a builtin metric (request-success-rate, request-duration): give it a query or a templateRef`},
	},
	"fractional metric interval": {
		mods: []canaryMod{withMetric(0, func(m *CanaryMetric) { m.Interval = "1.5m" })},
		want: []string{`spec.analysis.metrics[0].interval: must be a duration such as 30s, 1m or 1m30s (whole h, m, s or ms, as PromQL reads it), got "1.5m"`},
	},
	"metric interval in days": {
		mods: []canaryMod{withMetric(1, func(m *CanaryMetric) { m.Interval = "1d" })},
		want: []string{`spec.analysis.metrics[1].interval: must be a duration such as 30s, 1m or 1m30s (whole h, m, s or ms, as PromQL reads it), got "1d"`},
	},
	"thresholdRange min above max": {
		mods: []canaryMod{withMetric(0, func(m *CanaryMetric) { m.ThresholdRange.Max = ptr(50.0) })},
		want: []string{"spec.analysis.metrics[0].thresholdRange: min 99 is above max 50"},
	},
	"empty thresholdRange": {
		mods: []canaryMod{withMetric(1, func(m *CanaryMetric) { m.ThresholdRange = &CanaryThresholdRange{} })},
		want: []string{"spec.analysis.metrics[1].thresholdRange: set min, max or both; an empty range passes every value"},
	},
	"threshold and thresholdRange": {
		mods: []canaryMod{withMetric(1, func(m *CanaryMetric) { m.Threshold = 500 })},
		want: []string{"spec.analysis.metrics[1].threshold: set either threshold or thresholdRange, not both: threshold is ignored"},
	},
	"success rate without threshold": {
		mods: []canaryMod{withMetric(0, func(m *CanaryMetric) { m.ThresholdRange = nil })},
		want: []string{noThresholdPath + "request-success-rate always passes (e.g. thresholdRange.min: 99)"},
	},
	"duration without threshold": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{Name: BuiltinDuration, Interval: "1m"})},
		want: []string{noThresholdPath + "request-duration always fails (e.g. thresholdRange.max: 500)"},
	},
	"custom metric without threshold": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{Name: "errors", Query: "sum(x)"})},
		want: []string{noThresholdPath + "the check fails on any positive value (write thresholdRange.max: 0 if you mean none at all)"},
	},
	"success rate range above 100": {
		mods: []canaryMod{withMetric(0, func(m *CanaryMetric) { m.ThresholdRange.Min = ptr(99.5); m.ThresholdRange.Max = ptr(101.0) })},
		want: []string{"spec.analysis.metrics[0].thresholdRange.max: must be between 0 and 100: request-success-rate is a percentage"},
	},
	"success rate legacy threshold above 100": {
		mods: []canaryMod{withMetric(0, func(m *CanaryMetric) { m.ThresholdRange = nil; m.Threshold = 150 })},
		want: []string{"spec.analysis.metrics[0].threshold: must be between 0 and 100: request-success-rate is a percentage"},
	},
	"templateRef without name": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{
			Name: "404s", TemplateRef: &CrossNamespaceObjectReference{}, Interval: "1m", ThresholdRange: maxOnly(3),
		})},
		want: []string{"spec.analysis.metrics[0].templateRef.name: required: the name of a MetricTemplate"},
	},
	"cross-namespace templateRef when blocked": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{
			Name: "404s", TemplateRef: &CrossNamespaceObjectReference{Name: "not-found", Namespace: "flagger-system"},
			Interval: "1m", ThresholdRange: maxOnly(3),
		})},
		opts: ValidationOptions{NoCrossNamespaceRefs: true},
		want: []string{"spec.analysis.metrics[0].templateRef.namespace: can't access metric template not-found.flagger-system, cross-namespace references are blocked"},
	},
	"broken inline query": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{Name: "errors", Query: "sum({{ nope }})", ThresholdRange: maxOnly(1)})},
		want: []string{`spec.analysis.metrics[0].query: template parsing failed: template: query:1: function "nope" not defined`},
	},
	// webhooks
	"webhook without name": {
		mods: []canaryMod{withWebhook(0, func(w *CanaryWebhook) { w.Name = "" })},
		want: []string{"spec.analysis.webhooks[0].name: required"},
	},
	"duplicate webhook": {
		mods: []canaryMod{withWebhook(1, func(w *CanaryWebhook) { w.Name = "acceptance-test" })},
		want: []string{`spec.analysis.webhooks[1].name: "acceptance-test" is also the name of webhooks[0]: give each webhook its own name`},
	},
	"webhook without url": {
		mods: []canaryMod{withWebhook(0, func(w *CanaryWebhook) { w.URL = "" })},
		want: []string{"spec.analysis.webhooks[0].url: required: the http(s) address Fledge POSTs to"},
	},
	"webhook url without scheme": {
		mods: []canaryMod{withWebhook(1, func(w *CanaryWebhook) { w.URL = "flagger-loadtester.test/" })},
		want: []string{`spec.analysis.webhooks[1].url: must be an absolute http or https URL such as http://flagger-loadtester.test/, got "flagger-loadtester.test/"`},
	},
	"unknown webhook type": {
		mods: []canaryMod{withWebhook(0, func(w *CanaryWebhook) { w.Type = "pre-flight" })},
		want: []string{`spec.analysis.webhooks[0].type: "pre-flight" is not a webhook type: use confirm-rollout, pre-rollout, rollout, ` +
			"confirm-traffic-increase, confirm-promotion, post-rollout, rollback or event (empty means rollout)"},
	},
	"webhook timeout without unit": {
		mods: []canaryMod{withWebhook(1, func(w *CanaryWebhook) { w.Timeout = "5" })},
		want: []string{`spec.analysis.webhooks[1].timeout: must be a duration such as 10s or 1m, got "5"`},
	},
	"negative webhook retries": {
		mods: []canaryMod{withWebhook(1, func(w *CanaryWebhook) { w.Retries = ptr(-1) })},
		want: []string{"spec.analysis.webhooks[1].retries: must be 0 or more, got -1"},
	},
	// alerts
	"alert without name or provider": {
		mods: []canaryMod{withAlert(CanaryAlert{Severity: "error"})},
		want: []string{
			"spec.analysis.alerts[0].name: required",
			"spec.analysis.alerts[0].providerRef.name: required: the name of an AlertProvider",
		},
	},
	"unknown alert severity": {
		mods: []canaryMod{withAlert(CanaryAlert{Name: "on-call", Severity: "critical", ProviderRef: CrossNamespaceObjectReference{Name: "slack"}})},
		want: []string{`spec.analysis.alerts[0].severity: "critical" is not a severity: use info, warn or error`},
	},
	"cross-namespace alert provider when blocked": {
		mods: []canaryMod{withAlert(CanaryAlert{
			Name: "on-call", Severity: "error", ProviderRef: CrossNamespaceObjectReference{Name: "slack", Namespace: "flagger-system"},
		})},
		opts: ValidationOptions{NoCrossNamespaceRefs: true},
		want: []string{"spec.analysis.alerts[0].providerRef.namespace: can't access alert provider slack.flagger-system, cross-namespace references are blocked"},
	},
}

func TestValidateRejects(t *testing.T) {
	for name, tc := range rejectCases {
		t.Run(name, func(t *testing.T) {
			errs, _ := validCanary(tc.mods...).Validate(tc.opts)
			assertFieldErrors(t, "errors", errs, tc.want)
		})
	}
}

// warnCases are valid Canaries, keyed by what is odd, with their warnings.
var warnCases = map[string]validateCase{
	"valid canary": {},
	"cross-namespace templateRef when allowed": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{
			Name: "404s", TemplateRef: &CrossNamespaceObjectReference{Name: "not-found", Namespace: "flagger-system"},
			Interval: "1m", ThresholdRange: maxOnly(3),
		})},
	},
	"interval below 10s": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Interval = "5s" })},
		want: []string{"spec.analysis.interval: 5s is raised to 10s, the shortest interval"},
	},
	"interval unset": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.Interval = "" })},
		want: []string{"spec.analysis.interval: unset: the analysis runs every 60s; Flagger's CRD requires an interval, so set one such as 30s or 1m"},
	},
	"maxWeight with stepWeights": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.StepWeight, a.StepWeights = 0, []int{5, 10, 25} })},
		want: []string{"spec.analysis.maxWeight: ignored with stepWeights: the last step, 25, is the maximum weight"},
	},
	"session affinity": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) { a.SessionAffinity = &SessionAffinity{CookieName: "canary"} })},
		want: []string{"spec.analysis.sessionAffinity: ignored: the OSM router cannot pin sessions (Istio and Gateway API only)"},
	},
	"service fields of other meshes": {
		mods: []canaryMod{withService(func(s *CanaryService) {
			s.Gateways, s.Timeout, s.MeshName, s.TrafficDistribution = []string{"public"}, "15s", "global", "PreferClose"
		})},
		want: []string{
			"spec.service.trafficDistribution: ignored by the OSM router: OSM's sidecars pick the endpoints, not kube-proxy",
			"spec.service.gateways: ignored by the OSM router (Istio and Gateway API only)",
			"spec.service.timeout: ignored by the OSM router (Istio only)",
			"spec.service.meshName: ignored by the OSM router (App Mesh only)",
		},
	},
	"template metric without interval": {
		mods: []canaryMod{withCustomMetric(CanaryMetric{
			Name: "404s", TemplateRef: &CrossNamespaceObjectReference{Name: "not-found"}, ThresholdRange: maxOnly(3),
		})},
		want: []string{"spec.analysis.metrics[0].interval: unset: {{ interval }} renders as 1m (Flagger renders an empty range [] and the query fails)"},
	},
	"builtin name with a templateRef": {
		mods: []canaryMod{withMetric(0, func(m *CanaryMetric) { m.TemplateRef = &CrossNamespaceObjectReference{Name: "success"} })},
		want: []string{"spec.analysis.metrics[0].name: is a builtin name but has a templateRef: Fledge runs the template only, " +
			"Flagger runs both the builtin query and the template; rename the metric"},
	},
	"alert without severity": {
		mods: []canaryMod{withAlert(CanaryAlert{Name: "on-call", ProviderRef: CrossNamespaceObjectReference{Name: "slack"}})},
		want: []string{"spec.analysis.alerts[0].severity: unset: Flagger sends nothing for an empty severity; Fledge treats it as info"},
	},
	"rollout hooks as long as the interval": {
		mods: []canaryMod{withWebhook(1, func(w *CanaryWebhook) { w.Timeout, w.Retries = "10s", ptr(2) })},
		want: []string{"spec.analysis.webhooks: the rollout hooks can take 30s per tick (timeouts × attempts), not less than the 30s interval: " +
			"shorten their timeouts or lengthen the interval (Flagger drops the ticks that a slow tick overlaps)"},
	},
	"untyped hooks are rollout hooks": {
		mods: []canaryMod{withAnalysis(func(a *CanaryAnalysis) {
			a.Interval = "10s"
			a.Webhooks = append(a.Webhooks, CanaryWebhook{Name: "smoke", URL: "https://smoke.test/"})
		})},
		want: []string{"spec.analysis.webhooks: the rollout hooks can take 15s per tick (timeouts × attempts), not less than the 10s interval: " +
			"shorten their timeouts or lengthen the interval (Flagger drops the ticks that a slow tick overlaps)"},
	},
	"removed HPA apiVersion": {
		mods: []canaryMod{withAutoscaler(func(a *AutoscalerReference) { a.APIVersion = "autoscaling/v2beta2" })},
		want: []string{"spec.autoscalerRef.apiVersion: autoscaling/v2beta2 is no longer served (removed in Kubernetes 1.25/1.26): " +
			"write autoscaling/v2; the HPA is looked up by kind and name"},
	},
	"KEDA queries on an HPA": {
		mods: []canaryMod{withAutoscaler(func(a *AutoscalerReference) { a.PrimaryScalerQueries = map[string]string{"q": "up"} })},
		want: []string{"spec.autoscalerRef.primaryScalerQueries: ignored: it is for KEDA ScaledObjects only"},
	},
	"deprecated canaryAnalysis": {
		mods: []canaryMod{withSpec(func(s *CanarySpec) { s.CanaryAnalysis, s.Analysis = s.Analysis, nil })},
		want: []string{"spec.canaryAnalysis: deprecated: rename it to spec.analysis"},
	},
	"canaryAnalysis beside analysis": {
		mods: []canaryMod{withSpec(func(s *CanarySpec) { s.CanaryAnalysis = &CanaryAnalysis{Mirror: true} })},
		want: []string{"spec.canaryAnalysis: ignored because spec.analysis is set: delete it"},
	},
	"skipAnalysis without analysis": {
		mods: []canaryMod{withSpec(func(s *CanarySpec) { s.SkipAnalysis, s.Analysis = true, nil })},
	},
}

func TestValidateWarns(t *testing.T) {
	for name, tc := range warnCases {
		t.Run(name, func(t *testing.T) {
			errs, warnings := validCanary(tc.mods...).Validate(tc.opts)
			assertFieldErrors(t, "errors", errs, nil)
			assertFieldErrors(t, "warnings", warnings, tc.want)
		})
	}
}

func TestValidateTutorialCanary(t *testing.T) {
	data, err := os.ReadFile("testdata/podinfo-canary.yaml")
	if err != nil {
		t.Fatal(err)
	}
	m, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	errs, warnings := m.Canaries[0].Validate(ValidationOptions{NoCrossNamespaceRefs: true})
	assertFieldErrors(t, "errors", errs, nil)
	// The tutorial predates Kubernetes 1.26; its only flaw is the HPA's apiVersion.
	assertFieldErrors(t, "warnings", warnings, []string{
		"spec.autoscalerRef.apiVersion: autoscaling/v2beta2 is no longer served (removed in Kubernetes 1.25/1.26): " +
			"write autoscaling/v2; the HPA is looked up by kind and name",
	})
}

func TestValidateReportsEveryProblem(t *testing.T) {
	c := validCanary(
		withSpec(func(s *CanarySpec) { s.Provider = "kuma" }),
		withAnalysis(func(a *CanaryAnalysis) { a.Mirror = true }),
		withMetric(1, func(m *CanaryMetric) { m.ThresholdRange = nil }),
	)
	errs, _ := c.Validate(ValidationOptions{})
	assertFieldErrors(t, "errors", errs, []string{
		`spec.provider: "kuma" is not supported: set "osm", "linkerd" or "gatewayapi:v1", or leave it empty for the controller's -mesh-provider`,
		"spec.analysis.mirror: OSM cannot mirror traffic: remove it (Flagger repeats a weight-0 mirror step forever and never analyses)",
		"spec.analysis.metrics[1].thresholdRange: set thresholdRange (or threshold); with neither, request-duration always fails (e.g. thresholdRange.max: 500)",
	})
	if got := errs.Error(); strings.Count(got, "; ") < 2 || !strings.HasPrefix(got, "spec.provider: ") {
		t.Errorf("FieldErrors.Error() = %q, want the three joined with \"; \"", got)
	}
	if errs.Empty() || errs.Err() == nil {
		t.Error("Empty() or Err() says three errors are none")
	}
	if none := (FieldErrors{}); !none.Empty() || none.Err() != nil {
		t.Error("Empty() or Err() says no errors are some")
	}
}

func TestMetricTemplateValidate(t *testing.T) {
	valid := func(mods ...func(*MetricTemplate)) *MetricTemplate {
		mt := &MetricTemplate{
			ObjectMeta: metav1.ObjectMeta{Name: "not-found-percentage", Namespace: "test"},
			Spec: MetricTemplateSpec{
				Provider: MetricTemplateProvider{Type: "prometheus", Address: "http://osm-prometheus.osm-system.svc:7070"},
				Query:    templateQuery,
			},
		}
		for _, mod := range mods {
			mod(mt)
		}
		return mt
	}
	tests := map[string]struct {
		tmpl *MetricTemplate
		want []string
	}{
		"valid":                  {tmpl: valid()},
		"valid without address":  {tmpl: valid(func(mt *MetricTemplate) { mt.Spec.Provider.Address = "" })},
		"no name":                {tmpl: valid(func(mt *MetricTemplate) { mt.Name = "" }), want: []string{"metadata.name: required"}},
		"no provider type":       {tmpl: valid(func(mt *MetricTemplate) { mt.Spec.Provider.Type = "" }), want: []string{"spec.provider.type: required: set prometheus (Fledge queries Prometheus only)"}},
		"datadog":                {tmpl: valid(func(mt *MetricTemplate) { mt.Spec.Provider.Type = "datadog" }), want: []string{`spec.provider.type: "datadog" is not supported: Fledge queries Prometheus only`}},
		"address without scheme": {tmpl: valid(func(mt *MetricTemplate) { mt.Spec.Provider.Address = "osm-prometheus:7070" }), want: []string{`spec.provider.address: must be an absolute http or https URL such as http://prometheus.monitoring:9090, got "osm-prometheus:7070"`}},
		"no query":               {tmpl: valid(func(mt *MetricTemplate) { mt.Spec.Query = "" }), want: []string{"spec.query: required: a PromQL query template"}},
		"unclosed action":        {tmpl: valid(func(mt *MetricTemplate) { mt.Spec.Query = "sum(x[{{ interval ]))" }), want: []string{`spec.query: template parsing failed: template: query:1: unexpected "]" in operand`}},
		"everything wrong": {
			tmpl: &MetricTemplate{Spec: MetricTemplateSpec{Provider: MetricTemplateProvider{Type: "influxdb", Address: "ftp://x"}}},
			want: []string{
				"metadata.name: required",
				`spec.provider.type: "influxdb" is not supported: Fledge queries Prometheus only`,
				`spec.provider.address: must be an absolute http or https URL such as http://prometheus.monitoring:9090, got "ftp://x"`,
				"spec.query: required: a PromQL query template",
			},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			assertFieldErrors(t, "errors", tc.tmpl.Validate(), tc.want)
		})
	}
}

// assertFieldErrors compares got with want, string by string and in order.
func assertFieldErrors(t *testing.T, what string, got FieldErrors, want []string) {
	t.Helper()
	gotStrings := got.Strings()
	if len(gotStrings) == len(want) {
		same := true
		for i := range want {
			same = same && gotStrings[i] == want[i]
		}
		if same {
			return
		}
	}
	t.Errorf("%s:\ngot  %d:\n\t%s\nwant %d:\n\t%s", what,
		len(gotStrings), strings.Join(gotStrings, "\n\t"), len(want), strings.Join(want, "\n\t"))
}

func ExampleCanary_Validate() {
	c := &Canary{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "test"},
		Spec: CanarySpec{
			TargetRef: LocalObjectReference{Kind: "Deployment", Name: "podinfo"},
			Service:   CanaryService{Port: 9898},
			Analysis: &CanaryAnalysis{
				Interval: "5s", StepWeight: 10, MaxWeight: 150,
				Metrics: []CanaryMetric{{Name: "request-success-rate", Interval: "1m"}},
			},
		},
	}
	errs, warnings := c.Validate(ValidationOptions{})
	for _, e := range errs {
		fmt.Println("error:  ", e)
	}
	for _, w := range warnings {
		fmt.Println("warning:", w)
	}
	// Output:
	// error:   spec.analysis.maxWeight: must be at most 100; above 100 Flagger never promotes, the weight sticks at 100
	// error:   spec.analysis.metrics[0].thresholdRange: set thresholdRange (or threshold); with neither, request-success-rate always passes (e.g. thresholdRange.min: 99)
	// warning: spec.analysis.interval: 5s is raised to 10s, the shortest interval
}
