package engine

import (
	"context"
	"errors"
	"fmt"
	"math"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/query"
)

// checkProviders probes every metrics server the analysis uses, on each
// initialising tick. A failure is reported but does not block.
func (t *tick) checkProviders(ctx context.Context) {
	if err := t.probeProviders(ctx); err != nil {
		t.errorf("Error checking metric providers: %v", err)
		return
	}
	t.normal("all the metrics providers are available!")
}

func (t *tick) probeProviders(ctx context.Context) error {
	for _, m := range t.a.Metrics {
		switch {
		case m.TemplateRef != nil:
			tmpl, ns, err := t.template(ctx, m)
			if err != nil {
				return fmt.Errorf("metric template %s.%s error: %w", m.TemplateRef.Name, ns, err)
			}
			if err := t.e.Metrics.Available(ctx, Source{Template: tmpl}); err != nil {
				return fmt.Errorf("%v in metric template %s.%s not available: %w", tmpl.Spec.Provider.Type, tmpl.Name, ns, err)
			}
		case m.IsBuiltin(): // once per builtin metric, as Flagger probes them
			if err := t.e.Metrics.Available(ctx, t.builtinSource()); err != nil {
				return fmt.Errorf("prometheus not available: %w", err)
			}
		}
	}
	return nil
}

func (t *tick) builtinSource() Source {
	if t.cd.Spec.MetricsServer != "" {
		return Source{Address: t.cd.Spec.MetricsServer}
	}
	return Source{Address: t.e.Config.MetricsServer}
}

func (t *tick) template(ctx context.Context, m v1.CanaryMetric) (*v1.MetricTemplate, string, error) {
	ns := m.TemplateRef.Namespace
	if ns == "" {
		ns = t.ns()
	}
	tmpl, err := t.e.Templates.Get(ctx, ns, m.TemplateRef.Name)
	return tmpl, ns, err
}

// runChecks evaluates the metrics in Flagger's order, builtin and inline
// queries first, then templates, and stops at the first that does not pass.
func (t *tick) runChecks(ctx context.Context) (decide.Verdict, bool) {
	for _, pass := range []func(context.Context, v1.CanaryMetric) (decide.Verdict, bool){t.builtinCheck, t.templateCheck} {
		for _, m := range t.a.Metrics {
			vd, ran := pass(ctx, m)
			if !ran {
				continue
			}
			t.rec.Checks = append(t.rec.Checks, vd)
			if !vd.Passed() {
				if vd.Outcome == decide.OutcomeError {
					t.errorf("%s", vd.Message)
				} else {
					t.warning("%s", vd.Message)
				}
				return vd, false
			}
		}
	}
	return decide.Verdict{}, true
}

// builtinCheck runs the metrics of the first pass: the builtins of the
// canary's observer and inline queries.
func (t *tick) builtinCheck(ctx context.Context, m v1.CanaryMetric) (decide.Verdict, bool) {
	model := ModelOf(t.cd, m)
	observer := query.ObserverFor(t.metricsProvider())
	switch {
	case m.TemplateRef != nil:
		return decide.Verdict{}, false
	case m.Query != "":
		return t.inlineCheck(ctx, m, model), true
	case m.Name == v1.BuiltinSuccessRate:
		return t.observerCheck(ctx, m, observer.SuccessRate, model, decide.JudgeSuccessRate, ": %v"), true
	case m.Name == v1.BuiltinDuration:
		return t.observerCheck(ctx, m, observer.Duration, model, decide.JudgeDuration, ""), true
	}
	return decide.Verdict{}, false
}

// metricsProvider is the provider named in no-values messages and whose
// observer renders the builtin queries (query.MetricsProvider).
func (t *tick) metricsProvider() string {
	return query.MetricsProvider(t.cd.Spec.Provider, t.e.Config.MeshProvider)
}

type judgeFunc func(decide.Subject, v1.CanaryMetric, float64) decide.Verdict

// observerCheck runs one builtin query. noValuesSuffix is ": %v" where
// Flagger's no-values message carries the error, "" where it does not.
func (t *tick) observerCheck(ctx context.Context, m v1.CanaryMetric, render func(query.Model) (string, error),
	model query.Model, judge judgeFunc, noValuesSuffix string) decide.Verdict {
	q, err := render(model)
	if err != nil {
		return errored(m, q, fmt.Sprintf("Prometheus query failed: %v", err))
	}
	v, err := t.evaluate(ctx, m.Name, t.builtinSource(), q)
	if err != nil {
		err = fmt.Errorf("running query failed: %w", err)
		if errors.Is(err, ErrNoValues) {
			msg := fmt.Sprintf("Halt advancement no values found for %s metric %s probably %s.%s is not receiving traffic",
				t.metricsProvider(), m.Name, t.targetName(), t.ns())
			if noValuesSuffix != "" {
				msg += fmt.Sprintf(noValuesSuffix, err)
			}
			return noData(m, q, msg)
		}
		return errored(m, q, fmt.Sprintf("Prometheus query failed: %v", err))
	}
	vd := judge(t.subject(), m, v)
	vd.Query = q
	return vd
}

func (t *tick) inlineCheck(ctx context.Context, m v1.CanaryMetric, model query.Model) decide.Verdict {
	q, err := query.Render(m.Query, model)
	if err != nil {
		return errored(m, q, fmt.Sprintf("Prometheus query failed for %s: %v", m.Name, err))
	}
	v, err := t.evaluate(ctx, m.Name, t.builtinSource(), q)
	switch {
	case errors.Is(err, ErrNoValues):
		return noData(m, q, fmt.Sprintf("Halt advancement no values found for metric: %s", m.Name))
	case err != nil:
		return errored(m, q, fmt.Sprintf("Prometheus query failed for %s: %v", m.Name, err))
	}
	vd := decide.JudgeCustom(t.subject(), m, v)
	vd.Query = q
	return vd
}

// templateCheck runs the metrics of the second pass: MetricTemplates. A
// template metric without interval renders {{ interval }} as 1m, where
// Flagger renders an empty range.
func (t *tick) templateCheck(ctx context.Context, m v1.CanaryMetric) (decide.Verdict, bool) {
	if m.TemplateRef == nil {
		if m.Query == "" && !m.IsBuiltin() {
			return errored(m, "", "Metric query failed for no usable metrics template and query were configured"), true
		}
		return decide.Verdict{}, false
	}
	tmpl, ns, err := t.template(ctx, m)
	if err != nil {
		return errored(m, "", fmt.Sprintf("Metric template %s.%s error: %v", m.TemplateRef.Name, ns, err)), true
	}
	q, err := query.Render(tmpl.Spec.Query, ModelOf(t.cd, m))
	if err != nil {
		return errored(m, "", fmt.Sprintf("Metric template %s.%s query render error: %v", m.TemplateRef.Name, ns, err)), true
	}
	v, err := t.evaluate(ctx, m.Name, Source{Template: tmpl}, q)
	switch {
	case errors.Is(err, ErrNoValues):
		return noData(m, q, fmt.Sprintf("Halt advancement no values found for custom metric: %s: %v", m.Name, err)), true
	case err != nil:
		return errored(m, q, fmt.Sprintf("Metric query failed for %s: %v", m.Name, err)), true
	}
	vd := decide.JudgeCustom(t.subject(), m, v)
	vd.Query = q
	return vd, true
}

// evaluate runs a query at the tick's time; NaN counts as no values.
func (t *tick) evaluate(ctx context.Context, metric string, src Source, promql string) (float64, error) {
	v, err := t.e.Metrics.Query(ctx, Query{Source: src, Metric: metric, Namespace: t.ns(), PromQL: promql, At: t.now})
	if err == nil && math.IsNaN(v) {
		return 0, ErrNoValues
	}
	return v, err
}

func noData(m v1.CanaryMetric, q, msg string) decide.Verdict {
	return decide.Verdict{Metric: m.Name, Query: q, Outcome: decide.OutcomeNoData, Message: msg}
}

func errored(m v1.CanaryMetric, q, msg string) decide.Verdict {
	return decide.Verdict{Metric: m.Name, Query: q, Outcome: decide.OutcomeError, Message: msg}
}

// ModelOf is the query model of a canary's metric: what its query (inline or
// from a MetricTemplate) is rendered with. Fledge's Canary has no
// ingressRef or routeRef, so ingress and route are the target's name, as
// Flagger's are when those are not set.
func ModelOf(cd *v1.Canary, m v1.CanaryMetric) query.Model {
	target := cd.Spec.TargetRef.Name
	return query.Model{
		Name: cd.Name, Namespace: cd.Namespace, Target: target,
		Service: cd.GetServiceNames().Apex, Ingress: target, Route: target,
		Interval: m.GetMetricInterval(), Variables: m.TemplateVariables,
	}
}
