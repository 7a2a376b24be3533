package v1beta1

import (
	"fmt"
	"net/url"
	"regexp"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/fledge-canary/fledge/core/query"
)

// FieldError is one problem of a spec: the path of the field, such as
// spec.analysis.metrics[1].thresholdRange, and a reason the user can act on.
// +kubebuilder:object:generate=false
type FieldError struct {
	Path   string
	Reason string
}

// Error is "path: reason".
func (e FieldError) Error() string { return e.Path + ": " + e.Reason }

// FieldErrors are the problems of one object, in the order they were found.
type FieldErrors []FieldError

// Error joins the problems with "; ".
func (es FieldErrors) Error() string { return strings.Join(es.Strings(), "; ") }

// Empty reports whether there is no problem.
func (es FieldErrors) Empty() bool { return len(es) == 0 }

// Err is nil when there is no problem and the FieldErrors otherwise, so that
// a caller never holds a non-nil error interface around an empty list.
func (es FieldErrors) Err() error {
	if es.Empty() {
		return nil
	}
	return es
}

// Strings is each problem as "path: reason".
func (es FieldErrors) Strings() []string {
	out := make([]string, len(es))
	for i, e := range es {
		out[i] = e.Error()
	}
	return out
}

// ValidationOptions are the controller settings that change what is valid.
// +kubebuilder:object:generate=false
type ValidationOptions struct {
	// NoCrossNamespaceRefs rejects templateRefs and providerRefs that name
	// another namespace, like Flagger's -no-cross-namespace-refs flag.
	NoCrossNamespaceRefs bool
	// MeshProvider is the controller's -mesh-provider, the provider of a
	// Canary without spec.provider; empty means osm.
	MeshProvider string `json:",omitempty"`
}

// report collects the errors and warnings of one object.
type report struct {
	errs, warns FieldErrors
}

func (r *report) fail(path, format string, args ...any) {
	r.errs = append(r.errs, FieldError{Path: path, Reason: fmt.Sprintf(format, args...)})
}

func (r *report) warn(path, format string, args ...any) {
	r.warns = append(r.warns, FieldError{Path: path, Reason: fmt.Sprintf(format, args...)})
}

// Limits of the fields Validate checks.
const (
	percentMax     = 100
	portMax        = 65535
	primarySuffix  = "-primary"
	nameLengthMax  = validation.DNS1035LabelMaxLength
	hookTypesValid = "confirm-rollout, pre-rollout, rollout, confirm-traffic-increase, confirm-promotion, post-rollout, rollback or event (empty means rollout)"
)

// Validate checks the Canary as Fledge will run it and reports every
// problem at once. errs are specs Fledge refuses to run; warnings are specs
// it runs, but not as the user may expect. Each entry names the field and
// says what to do, and where Flagger misbehaves on the same spec, how.
func (c *Canary) Validate(opts ValidationOptions) (errs FieldErrors, warnings FieldErrors) {
	r := &report{}
	if c.Name == "" {
		r.fail("metadata.name", "required")
	}
	provider := c.GetProvider(opts.meshProvider())
	c.validateSpec(r)
	c.validateTarget(r)
	c.validateAutoscaler(r)
	c.validateService(r, provider)
	if a, path := c.analysisInUse(r); a != nil {
		validateInterval(r, a, path)
		validateStrategy(r, a, path, c.Spec.SkipAnalysis)
		validateWeights(r, a, path)
		validateCounters(r, a, path)
		validateRouting(r, a, path, provider)
		c.validateMetrics(r, a, path, opts)
		validateWebhooks(r, a, path)
		c.validateAlerts(r, a, path, opts)
	}
	return r.errs, r.warns
}

// validateSpec checks the top-level scalar fields.
func (c *Canary) validateSpec(r *report) {
	validateProviderName(r, c.Spec.Provider)
	if s := c.Spec.MetricsServer; s != "" {
		if reason := httpURLProblem(s, "http://prometheus.monitoring:9090"); reason != "" {
			r.fail("spec.metricsServer", "%s", reason)
		}
	}
	if p := c.Spec.ProgressDeadlineSeconds; p != nil && *p <= 0 {
		r.fail("spec.progressDeadlineSeconds", "must be more than 0, got %d (leave it unset for %d)", *p, DefaultProgressDeadlineSeconds)
	}
}

// validateTarget checks targetRef. When service.name is unset the target's
// name is also the apex Service's name, so it must be a DNS-1035 label.
func (c *Canary) validateTarget(r *report) {
	t := c.Spec.TargetRef
	switch t.Kind {
	case "Deployment":
	case "":
		r.fail("spec.targetRef.kind", "required: set Deployment")
	case "DaemonSet", "Service":
		r.fail("spec.targetRef.kind", "%s targets are not supported by Fledge: only Deployment is", t.Kind)
	default:
		r.fail("spec.targetRef.kind", "%q is not supported: set Deployment", t.Kind)
	}
	switch {
	case t.Name == "":
		r.fail("spec.targetRef.name", "required: the name of the Deployment to analyse")
	case c.Spec.Service.Name == "":
		if reason := serviceNameProblem(t.Name); reason != "" {
			r.fail("spec.targetRef.name", "names the Services too (service.name is unset), so it %s", reason)
		}
	default:
		if reason := deploymentNameProblem(t.Name); reason != "" {
			r.fail("spec.targetRef.name", "%s", reason)
		}
	}
}

// serviceNameProblem says why name cannot name the apex, -primary and
// -canary Services, or is empty.
func serviceNameProblem(name string) string {
	if hasFormatError(validation.IsDNS1035Label(name)) {
		return "must be a DNS-1035 label (lower case letters, digits and '-', starting with a letter and ending with a letter or digit, e.g. my-name)"
	}
	return primaryLengthProblem(name)
}

// deploymentNameProblem says why name cannot name a Deployment and its
// -primary, or is empty.
func deploymentNameProblem(name string) string {
	if hasFormatError(validation.IsDNS1123Subdomain(name)) {
		return "must be a DNS-1123 subdomain (lower case letters, digits, '-' and '.', starting and ending with a letter or digit)"
	}
	return primaryLengthProblem(name)
}

// hasFormatError reports whether apimachinery's messages include one other
// than a length limit, which primaryLengthProblem words better.
func hasFormatError(msgs []string) bool {
	for _, m := range msgs {
		if !strings.HasPrefix(m, "must be no more than") {
			return true
		}
	}
	return false
}

// primaryLengthProblem says why name+"-primary" is too long, or is empty.
// "-primary" is longer than "-canary", so it is the one that can overflow.
func primaryLengthProblem(name string) string {
	if n := len(name) + len(primarySuffix); n > nameLengthMax {
		return fmt.Sprintf("is too long: %q would be %d characters, over the %d Kubernetes allows; use at most %d",
			name+primarySuffix, n, nameLengthMax, nameLengthMax-len(primarySuffix))
	}
	return ""
}

// validateAutoscaler checks autoscalerRef, which is optional.
func (c *Canary) validateAutoscaler(r *report) {
	ar := c.Spec.AutoscalerRef
	if ar == nil {
		return
	}
	const p = "spec.autoscalerRef"
	if ar.Name == "" {
		r.fail(p+".name", "required: the name of the target's HorizontalPodAutoscaler")
	}
	switch ar.Kind {
	case "HorizontalPodAutoscaler":
	case "":
		r.fail(p+".kind", "required: set HorizontalPodAutoscaler")
	case "ScaledObject":
		r.fail(p+".kind", "KEDA ScaledObjects are not supported by Fledge: use a HorizontalPodAutoscaler")
	default:
		r.fail(p+".kind", "%q is not supported: set HorizontalPodAutoscaler", ar.Kind)
	}
	switch ar.APIVersion {
	case "autoscaling/v2beta1", "autoscaling/v2beta2":
		r.warn(p+".apiVersion", "%s is no longer served (removed in Kubernetes 1.25/1.26): write autoscaling/v2; the HPA is looked up by kind and name", ar.APIVersion)
	}
	if len(ar.PrimaryScalerQueries) > 0 {
		r.warn(p+".primaryScalerQueries", "ignored: it is for KEDA ScaledObjects only")
	}
	validateScalerReplicas(r, p+".primaryScalerReplicas", ar.PrimaryScalerReplicas)
}

func validateScalerReplicas(r *report, p string, sr *ScalerReplicas) {
	if sr == nil {
		return
	}
	minOK := sr.MinReplicas == nil || *sr.MinReplicas >= 1
	if !minOK {
		r.fail(p+".minReplicas", "must be at least 1, got %d", *sr.MinReplicas)
	}
	if sr.MaxReplicas == nil {
		return
	}
	switch maxReplicas := *sr.MaxReplicas; {
	case maxReplicas < 1:
		r.fail(p+".maxReplicas", "must be at least 1, got %d", maxReplicas)
	case minOK && sr.MinReplicas != nil && maxReplicas < *sr.MinReplicas:
		r.fail(p+".maxReplicas", "must be at least minReplicas (%d), got %d", *sr.MinReplicas, maxReplicas)
	}
}

// validateService checks the service block: ports, names, and the fields
// the OSM router ignores.
func (c *Canary) validateService(r *report, provider string) {
	s := c.Spec.Service
	const p = "spec.service"
	switch {
	case s.Port == 0:
		r.fail(p+".port", "required: the ClusterIP port of the Services, 1 to %d", portMax)
	case s.Port < 1 || s.Port > portMax:
		r.fail(p+".port", "must be between 1 and %d, got %d", portMax, s.Port)
	}
	if s.Name != "" {
		if reason := serviceNameProblem(s.Name); reason != "" {
			r.fail(p+".name", "%s", reason)
		}
	}
	if s.PortName != "" {
		if msgs := validation.IsValidPortName(s.PortName); len(msgs) > 0 {
			r.fail(p+".portName", "%s", strings.Join(msgs, "; "))
		}
	}
	validateTargetPort(r, p+".targetPort", s)
	switch s.TrafficDistribution {
	case "":
	case "PreferClose", "PreferSameZone", "PreferSameNode":
		r.warn(p+".trafficDistribution", "ignored by the OSM router: OSM's sidecars pick the endpoints, not kube-proxy")
	default:
		r.fail(p+".trafficDistribution", "%q is not valid: use PreferClose, PreferSameZone or PreferSameNode", s.TrafficDistribution)
	}
	if routesBeyondOSM(provider) {
		validateProviderService(r, p, s, provider)
	} else {
		if len(s.Gateways) > 0 {
			r.warn(p+".gateways", "ignored by the OSM router (Istio and Gateway API only)")
		}
		if s.Timeout != "" {
			r.warn(p+".timeout", "ignored by the OSM router (Istio only)")
		}
		if len(s.GatewayRefs) > 0 {
			r.warn(p+".gatewayRefs", "ignored by the OSM router (provider %s only)", ProviderGatewayAPI)
		}
	}
	if s.MeshName != "" {
		r.warn(p+".meshName", "ignored by the OSM router (App Mesh only)")
	}
}

// validateTargetPort checks a set targetPort: a port number or a port name.
// "0" counts as unset, as in Flagger.
func validateTargetPort(r *report, p string, s CanaryService) {
	tp := s.TargetPort
	if tp.String() == "" || tp.String() == "0" {
		return
	}
	if tp.Type == intstr.Int {
		if tp.IntVal < 1 || tp.IntVal > portMax {
			r.fail(p, "must be between 1 and %d, got %d", portMax, tp.IntVal)
		}
		return
	}
	if msgs := validation.IsValidPortName(tp.StrVal); len(msgs) > 0 {
		r.fail(p, "must be a port number or a container port name: %s", strings.Join(msgs, "; "))
	}
}

// analysisInUse returns the analysis Fledge runs and its path: spec.analysis,
// else the deprecated spec.canaryAnalysis. It is nil when there is neither.
func (c *Canary) analysisInUse(r *report) (*CanaryAnalysis, string) {
	switch {
	case c.Spec.Analysis != nil:
		if c.Spec.CanaryAnalysis != nil {
			r.warn("spec.canaryAnalysis", "ignored because spec.analysis is set: delete it")
		}
		return c.Spec.Analysis, "spec.analysis"
	case c.Spec.CanaryAnalysis != nil:
		r.warn("spec.canaryAnalysis", "deprecated: rename it to spec.analysis")
		return c.Spec.CanaryAnalysis, "spec.canaryAnalysis"
	}
	if !c.Spec.SkipAnalysis {
		r.fail("spec.analysis", "required: give an interval, a threshold and a stepWeight (or stepWeights, or iterations), or set skipAnalysis: true")
	}
	return nil, ""
}

// validateInterval checks analysis.interval. Unset is allowed (60s), as
// Fledge's CRD allows it; Flagger's CRD requires it.
func validateInterval(r *report, a *CanaryAnalysis, path string) {
	p := path + ".interval"
	if a.Interval == "" {
		r.warn(p, "unset: the analysis runs every %.0fs; Flagger's CRD requires an interval, so set one such as 30s or 1m",
			DefaultAnalysisInterval.Seconds())
		return
	}
	d, err := time.ParseDuration(a.Interval)
	switch {
	case err != nil || d <= 0:
		r.fail(p, "must be a duration such as 30s or 1m, got %q", a.Interval)
	case d < MinAnalysisInterval:
		r.warn(p, "%s is raised to %s, the shortest interval", a.Interval, MinAnalysisInterval)
	}
}

// effectiveInterval is the analysis interval as GetAnalysisInterval computes
// it, and whether the spec gives a valid one.
func effectiveInterval(a *CanaryAnalysis) (time.Duration, bool) {
	d, err := time.ParseDuration(a.Interval)
	if err != nil || d <= 0 {
		return DefaultAnalysisInterval, a.Interval == ""
	}
	return max(d, MinAnalysisInterval), true
}

// validateStrategy checks that exactly one of stepWeight, stepWeights and
// iterations selects the strategy.
func validateStrategy(r *report, a *CanaryAnalysis, path string, skip bool) {
	step, steps, iter := a.StepWeight != 0, len(a.StepWeights) > 0, a.Iterations > 0
	if step && steps {
		r.fail(path+".stepWeights", "mutually exclusive with stepWeight: set one of them (Flagger's CRD rejects both)")
	}
	if (step || steps) && iter {
		r.fail(path+".iterations", "mutually exclusive with stepWeight and stepWeights: iterations selects blue/green, "+
			"the weights the canary strategy; set one (Flagger runs blue/green and ignores the weights)")
	}
	if !step && !steps && a.Iterations == 0 && !skip {
		r.fail(path, "set stepWeight, stepWeights or iterations; with none the canary never advances")
	}
}

// validateWeights checks the traffic weights, all percentages.
func validateWeights(r *report, a *CanaryAnalysis, path string) {
	if a.StepWeight != 0 && !inPercentRange(a.StepWeight, 1) {
		r.fail(path+".stepWeight", "must be between 1 and 100 (percent of traffic per step), got %d", a.StepWeight)
	}
	p := path + ".maxWeight"
	switch {
	case a.MaxWeight < 0:
		r.fail(p, "must be between 1 and 100, got %d (leave it unset for 100)", a.MaxWeight)
	case a.MaxWeight > percentMax:
		r.fail(p, "must be at most 100; above 100 Flagger never promotes, the weight sticks at 100")
	case a.MaxWeight > 0 && len(a.StepWeights) > 0:
		r.warn(p, "ignored with stepWeights: the last step, %d, is the maximum weight", a.StepWeights[len(a.StepWeights)-1])
	}
	for i, w := range a.StepWeights {
		if !inPercentRange(w, 1) {
			r.fail(fmt.Sprintf("%s.stepWeights[%d]", path, i), "must be between 1 and 100, got %d", w)
		}
	}
	for i := 1; i < len(a.StepWeights); i++ {
		if a.StepWeights[i] <= a.StepWeights[i-1] {
			r.fail(path+".stepWeights", "must be increasing, but stepWeights[%d] (%d) is not above stepWeights[%d] (%d)",
				i, a.StepWeights[i], i-1, a.StepWeights[i-1])
			break
		}
	}
	if !inPercentRange(a.StepWeightPromotion, 0) {
		r.fail(path+".stepWeightPromotion", "must be between 0 and 100 (0 gives all traffic back to the primary at once), got %d",
			a.StepWeightPromotion)
	}
}

// validateCounters checks the thresholds and the iteration count.
func validateCounters(r *report, a *CanaryAnalysis, path string) {
	if a.Threshold < 0 {
		r.fail(path+".threshold", "must be 0 or more, got %d (0 or unset means %d: roll back at the first failed check)",
			a.Threshold, DefaultThreshold)
	}
	if a.Iterations < 0 {
		r.fail(path+".iterations", "must be 0 or more, got %d", a.Iterations)
	}
	if t := a.PrimaryReadyThreshold; t != nil && !inPercentRange(*t, 0) {
		r.fail(path+".primaryReadyThreshold", "must be between 0 and 100 (percent of updated replicas available), got %d", *t)
	}
	if t := a.CanaryReadyThreshold; t != nil && !inPercentRange(*t, 0) {
		r.fail(path+".canaryReadyThreshold", "must be between 0 and 100 (percent of updated replicas available), got %d", *t)
	}
}

// validateRouting rejects what SMI TrafficSplit cannot do: mirroring and
// header matches. Session affinity is only ignored.
func validateRouting(r *report, a *CanaryAnalysis, path, provider string) {
	if routesBeyondOSM(provider) {
		validateProviderRouting(r, a, path, provider)
		return
	}
	if a.Mirror {
		r.fail(path+".mirror", "OSM cannot mirror traffic: remove it (Flagger repeats a weight-0 mirror step forever and never analyses)")
	}
	if len(a.Match) > 0 {
		flagger := "Flagger ignores it"
		if a.Iterations > 0 {
			flagger = "Flagger would send 100% of traffic to the canary"
		}
		r.fail(path+".match", "OSM cannot route by header: remove it and use iterations without match for blue/green (%s)", flagger)
	}
	sa := a.SessionAffinity
	if sa == nil {
		return
	}
	p := path + ".sessionAffinity"
	r.warn(p, "ignored: the OSM router cannot pin sessions (Istio and Gateway API only)")
	validateCookieNames(r, p, sa)
}

// validateCookieNames checks the cookie names of a session affinity.
func validateCookieNames(r *report, p string, sa *SessionAffinity) {
	switch sa.CookieName {
	case "":
		r.fail(p+".cookieName", "required")
	case sa.PrimaryCookieName:
		r.fail(p+".primaryCookieName", "must differ from cookieName %q (Flagger rejects equal cookie names)", sa.CookieName)
	}
}

// validateMetrics checks each metric: its name, what it queries and the
// range it is held to.
func (c *Canary) validateMetrics(r *report, a *CanaryAnalysis, path string, opts ValidationOptions) {
	seen := map[string]int{}
	for i, m := range a.Metrics {
		p := fmt.Sprintf("%s.metrics[%d]", path, i)
		uniqueName(r, p, "metric", m.Name, i, seen)
		validateMetricSource(r, p, m)
		if m.TemplateRef != nil {
			c.validateTemplateRef(r, p, m, opts)
		}
		validateMetricThreshold(r, p, m)
	}
}

// validateMetricSource checks what the metric queries: a builtin, an inline
// query or a template, and the interval it queries over.
func validateMetricSource(r *report, p string, m CanaryMetric) {
	hasQuery, hasTemplate := m.Query != "", m.TemplateRef != nil
	builtinName := m.Name == BuiltinSuccessRate || m.Name == BuiltinDuration
	switch {
	case hasQuery && hasTemplate:
		r.fail(p+".query", "set either query or templateRef, not both")
	case !hasQuery && !hasTemplate && !builtinName && m.Name != "":
		r.fail(p+".name", "%q is not a builtin metric (%s, %s): give it a query or a templateRef",
			m.Name, BuiltinSuccessRate, BuiltinDuration)
	case builtinName && hasTemplate:
		r.warn(p+".name", "is a builtin name but has a templateRef: Fledge runs the template only, "+
			"Flagger runs both the builtin query and the template; rename the metric")
	}
	if m.Interval != "" && !validMetricInterval(m.Interval) {
		r.fail(p+".interval", "must be a duration such as 30s, 1m or 1m30s (whole h, m, s or ms, as PromQL reads it), got %q", m.Interval)
	}
	if hasQuery {
		if err := query.Check(m.Query); err != nil {
			r.fail(p+".query", "%v", err)
		}
	}
}

// promDurationRE matches the durations that both time.ParseDuration and
// PromQL's range selectors read: whole numbers of h, m, s and ms, in order.
var promDurationRE = regexp.MustCompile(`^([0-9]+h)?([0-9]+m)?([0-9]+s)?([0-9]+ms)?$`)

// validMetricInterval reports whether s can be a query's range: a duration
// PromQL reads, longer than zero.
func validMetricInterval(s string) bool {
	d, err := time.ParseDuration(s)
	return err == nil && d > 0 && promDurationRE.MatchString(s)
}

// validateTemplateRef checks a metric's reference to a MetricTemplate.
func (c *Canary) validateTemplateRef(r *report, p string, m CanaryMetric, opts ValidationOptions) {
	if m.TemplateRef.Name == "" {
		r.fail(p+".templateRef.name", "required: the name of a MetricTemplate")
	}
	c.checkNamespace(r, p+".templateRef.namespace", *m.TemplateRef, "metric template", opts)
	if m.Interval == "" {
		r.warn(p+".interval", "unset: {{ interval }} renders as %s (Flagger renders an empty range [] and the query fails)",
			DefaultMetricInterval)
	}
}

// checkNamespace enforces NoCrossNamespaceRefs on a reference to a kind
// ("metric template", "alert provider"), in Flagger's words.
func (c *Canary) checkNamespace(r *report, p string, ref CrossNamespaceObjectReference, kind string, opts ValidationOptions) {
	if opts.NoCrossNamespaceRefs && ref.Namespace != "" && ref.Namespace != c.Namespace {
		r.fail(p, "can't access %s %s.%s, cross-namespace references are blocked", kind, ref.Name, ref.Namespace)
	}
}

// validateMetricThreshold checks the bounds a metric's value is held to.
func validateMetricThreshold(r *report, p string, m CanaryMetric) {
	successRate := m.IsBuiltin() && m.Name == BuiltinSuccessRate
	tr := m.ThresholdRange
	if tr == nil {
		switch {
		case m.Threshold == 0:
			r.fail(p+".thresholdRange", "set thresholdRange (or threshold); with neither, %s", noThresholdBehaviour(m))
		case successRate:
			checkPercent(r, p+".threshold", &m.Threshold)
		}
		return
	}
	if m.Threshold != 0 {
		r.fail(p+".threshold", "set either threshold or thresholdRange, not both: threshold is ignored")
	}
	switch {
	case tr.Min == nil && tr.Max == nil:
		r.fail(p+".thresholdRange", "set min, max or both; an empty range passes every value")
	case tr.Min != nil && tr.Max != nil && *tr.Min > *tr.Max:
		r.fail(p+".thresholdRange", "min %g is above max %g", *tr.Min, *tr.Max)
	}
	if successRate {
		checkPercent(r, p+".thresholdRange.min", tr.Min)
		checkPercent(r, p+".thresholdRange.max", tr.Max)
	}
}

// checkPercent rejects a bound of request-success-rate outside 0..100.
func checkPercent(r *report, p string, v *float64) {
	if v != nil && !(0 <= *v && *v <= percentMax) {
		r.fail(p, "must be between 0 and 100: %s is a percentage", BuiltinSuccessRate)
	}
}

// noThresholdBehaviour says what Flagger does with a metric that has
// neither threshold nor thresholdRange: it holds it to a legacy threshold of 0.
func noThresholdBehaviour(m CanaryMetric) string {
	switch {
	case m.IsBuiltin() && m.Name == BuiltinSuccessRate:
		return BuiltinSuccessRate + " always passes (e.g. thresholdRange.min: 99)"
	case m.IsBuiltin() && m.Name == BuiltinDuration:
		return BuiltinDuration + " always fails (e.g. thresholdRange.max: 500)"
	}
	return "the check fails on any positive value (write thresholdRange.max: 0 if you mean none at all)"
}

// validateWebhooks checks each webhook, and warns when the rollout hooks can
// outlast the analysis interval.
// uniqueName requires the name of the i-th metric or webhook at path p and
// refuses one already used; seen maps names to their first index.
func uniqueName(r *report, p, kind, name string, i int, seen map[string]int) {
	switch first, dup := seen[name]; {
	case name == "":
		r.fail(p+".name", "required")
	case dup:
		r.fail(p+".name", "%q is also the name of %ss[%d]: give each %s its own name", name, kind, first, kind)
	default:
		seen[name] = i
	}
}

func validateWebhooks(r *report, a *CanaryAnalysis, path string) {
	seen := map[string]int{}
	var rolloutWorst time.Duration
	for i, w := range a.Webhooks {
		p := fmt.Sprintf("%s.webhooks[%d]", path, i)
		uniqueName(r, p, "webhook", w.Name, i, seen)
		validateWebhook(r, p, w)
		if w.EffectiveType() == RolloutHook {
			attempts := 1
			if w.Retries != nil && *w.Retries > 0 {
				attempts += min(*w.Retries, 1000)
			}
			rolloutWorst += w.GetTimeout() * time.Duration(attempts)
		}
	}
	if interval, ok := effectiveInterval(a); ok && rolloutWorst >= interval {
		r.warn(path+".webhooks", "the rollout hooks can take %s per tick (timeouts × attempts), not less than the %s interval: "+
			"shorten their timeouts or lengthen the interval (Flagger drops the ticks that a slow tick overlaps)", rolloutWorst, interval)
	}
}

// validateWebhook checks one webhook's url, type, timeout and retries.
func validateWebhook(r *report, p string, w CanaryWebhook) {
	if w.URL == "" {
		r.fail(p+".url", "required: the http(s) address Fledge POSTs to")
	} else if reason := httpURLProblem(w.URL, "http://flagger-loadtester.test/"); reason != "" {
		r.fail(p+".url", "%s", reason)
	}
	switch w.Type {
	case "", ConfirmRolloutHook, PreRolloutHook, RolloutHook, ConfirmTrafficIncreaseHook,
		ConfirmPromotionHook, PostRolloutHook, RollbackHook, EventHook:
	default:
		r.fail(p+".type", "%q is not a webhook type: use %s", w.Type, hookTypesValid)
	}
	if w.Timeout != "" {
		if d, err := time.ParseDuration(w.Timeout); err != nil || d <= 0 {
			r.fail(p+".timeout", "must be a duration such as 10s or 1m, got %q", w.Timeout)
		}
	}
	if w.Retries != nil && *w.Retries < 0 {
		r.fail(p+".retries", "must be 0 or more, got %d", *w.Retries)
	}
}

// validateAlerts checks each alert's severity and provider.
func (c *Canary) validateAlerts(r *report, a *CanaryAnalysis, path string, opts ValidationOptions) {
	for i, al := range a.Alerts {
		p := fmt.Sprintf("%s.alerts[%d]", path, i)
		if al.Name == "" {
			r.fail(p+".name", "required")
		}
		switch al.Severity {
		case "info", "warn", "error":
		case "":
			r.warn(p+".severity", "unset: Flagger sends nothing for an empty severity; Fledge treats it as info")
		default:
			r.fail(p+".severity", "%q is not a severity: use info, warn or error", al.Severity)
		}
		if al.ProviderRef.Name == "" {
			r.fail(p+".providerRef.name", "required: the name of an AlertProvider")
		}
		c.checkNamespace(r, p+".providerRef.namespace", al.ProviderRef, "alert provider", opts)
	}
}

// Validate checks the MetricTemplate as Fledge will query it and reports
// every problem at once.
func (t *MetricTemplate) Validate() (errs FieldErrors) {
	r := &report{}
	if t.Name == "" {
		r.fail("metadata.name", "required")
	}
	switch pt := t.Spec.Provider.Type; pt {
	case "prometheus":
	case "":
		r.fail("spec.provider.type", "required: set prometheus (Fledge queries Prometheus only)")
	default:
		r.fail("spec.provider.type", "%q is not supported: Fledge queries Prometheus only", pt)
	}
	if addr := t.Spec.Provider.Address; addr != "" {
		if reason := httpURLProblem(addr, "http://prometheus.monitoring:9090"); reason != "" {
			r.fail("spec.provider.address", "%s", reason)
		}
	}
	if t.Spec.Query == "" {
		r.fail("spec.query", "required: a PromQL query template")
	} else if err := query.Check(t.Spec.Query); err != nil {
		r.fail("spec.query", "%v", err)
	}
	return r.errs
}

// httpURLProblem says why s is not an absolute http or https URL, or is empty.
func httpURLProblem(s, example string) string {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Sprintf("must be an absolute http or https URL such as %s, got %q", example, s)
	}
	return ""
}

// inPercentRange reports whether lo <= v <= 100.
func inPercentRange(v, lo int) bool { return lo <= v && v <= percentMax }
