package replay

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql/parser"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/query"
)

// lookback is Prometheus' default --query.lookback-delta: how far back an
// instant selector looks for a sample.
const lookback = 5 * time.Minute

// canaryQuery is one metric check's PromQL, rendered as the engine renders
// it.
type canaryQuery struct {
	Metric string
	PromQL string
	expr   parser.Expr
}

// Queries is what a replay of a canary reads: the rendered queries of its
// metric checks and of the recorded canary share.
type Queries struct {
	checks []canaryQuery
	share  canaryQuery
}

// QueriesOf renders the canary's metric queries (builtin, inline and from
// templates) as the engine will, and the query of the recorded canary
// share. A query that does not parse is an error naming its metric. A
// Canary without a namespace is in "default", as Run replays it.
func QueriesOf(cd *v1.Canary, templates []v1.MetricTemplate) (*Queries, error) {
	if cd.Namespace == "" {
		cd = cd.DeepCopy()
		cd.Namespace = "default"
	}
	qs := &Queries{}
	for _, m := range cd.GetAnalysis().Metrics {
		text, err := renderMetric(cd, m, templates)
		if err != nil {
			return nil, fmt.Errorf("metric %q: %w", m.Name, err)
		}
		if text == "" {
			continue // a builtin Fledge does not serve: the engine reports it
		}
		q, err := parsed(m.Name, text)
		if err != nil {
			return nil, err
		}
		qs.checks = append(qs.checks, q)
	}
	share, err := parsed("recorded canary share", shareQuery(cd))
	if err != nil {
		return nil, err
	}
	qs.share = share
	return qs, nil
}

func parsed(metric, text string) (canaryQuery, error) {
	expr, err := parser.NewParser(parser.Options{}).ParseExpr(text)
	if err != nil {
		return canaryQuery{}, fmt.Errorf("metric %q: query does not parse: %w", metric, err)
	}
	return canaryQuery{Metric: metric, PromQL: text, expr: expr}, nil
}

func renderMetric(cd *v1.Canary, m v1.CanaryMetric, templates []v1.MetricTemplate) (string, error) {
	model := query.Model{
		Name: cd.Name, Namespace: cd.Namespace, Target: cd.Spec.TargetRef.Name, Service: cd.GetServiceNames().Apex,
		Ingress: cd.Spec.TargetRef.Name, Route: cd.Spec.TargetRef.Name, Interval: m.GetMetricInterval(),
		Variables: m.TemplateVariables,
	}
	switch {
	case m.TemplateRef != nil:
		t, err := templateOf(cd, m.TemplateRef, templates)
		if err != nil {
			return "", err
		}
		return query.Render(t.Spec.Query, model)
	case m.Query != "":
		return query.Render(m.Query, model)
	case m.Name == v1.BuiltinSuccessRate:
		return query.SuccessRate(model)
	case m.Name == v1.BuiltinDuration:
		return query.Duration(model)
	}
	return "", nil
}

func templateOf(cd *v1.Canary, ref *v1.CrossNamespaceObjectReference, templates []v1.MetricTemplate) (*v1.MetricTemplate, error) {
	ns := ref.Namespace
	if ns == "" {
		ns = cd.Namespace
	}
	for i := range templates {
		t := &templates[i]
		tns := t.Namespace
		if tns == "" {
			tns = cd.Namespace
		}
		if t.Name == ref.Name && tns == ns {
			return t, nil
		}
	}
	return nil, fmt.Errorf("metrictemplate.flagger.app %q not found (give it with --template)", ref.Name)
}

// shareQuery is the percentage of the requests to the target and its
// primary that the target (the canary) received over the last minute, as
// OSM's series record them.
func shareQuery(cd *v1.Canary) string {
	sel := func(names string) string {
		return fmt.Sprintf(`osm_request_total{destination_namespace=%q,destination_kind="Deployment",destination_name=~%q}`,
			cd.Namespace, names)
	}
	target := cd.Spec.TargetRef.Name
	return fmt.Sprintf(`sum(rate(%s[1m])) / sum(rate(%s[1m])) * 100`,
		sel(target), sel(target+"|"+cd.GetPrimaryName()))
}

// Selectors are the series selectors of every query, for copying only what
// a replay reads from a large source.
func (qs *Queries) Selectors() [][]*labels.Matcher {
	var out [][]*labels.Matcher
	seen := map[string]bool{}
	for _, q := range append(append([]canaryQuery(nil), qs.checks...), qs.share) {
		for _, sel := range parser.ExtractSelectors(q.expr) {
			key := selectorText(sel)
			if !seen[key] {
				seen[key] = true
				out = append(out, sel)
			}
		}
	}
	return out
}

// Margin is how far before a tick the queries read: their longest range
// and offset, plus the lookback of instant selectors.
func (qs *Queries) Margin() time.Duration {
	longest := time.Duration(0)
	for _, q := range append(append([]canaryQuery(nil), qs.checks...), qs.share) {
		parser.Inspect(q.expr, func(n parser.Node, _ []parser.Node) error {
			switch n := n.(type) {
			case *parser.MatrixSelector:
				longest = max(longest, n.Range+n.VectorSelector.(*parser.VectorSelector).OriginalOffset)
			case *parser.SubqueryExpr:
				longest = max(longest, n.Range+n.OriginalOffset)
			}
			return nil
		})
	}
	return longest + lookback
}

// missing names the checks' selectors that match no series of rec, each
// reduced to its metric name and equality matchers (a selector of 5xx
// answers may rightly match nothing in a healthy recording).
func (qs *Queries) missing(ctx context.Context, rec *Recording) []string {
	var out []string
	seen := map[string]bool{}
	for _, q := range qs.checks {
		for _, sel := range parser.ExtractSelectors(q.expr) {
			var required []*labels.Matcher
			for _, m := range sel {
				if m.Type == labels.MatchEqual && (m.Value != "" || m.Name == model.MetricNameLabel) {
					required = append(required, m)
				}
			}
			key := selectorText(required)
			if seen[key] || rec.has(ctx, required) {
				continue
			}
			seen[key] = true
			out = append(out, fmt.Sprintf("%s (metric %s)", key, q.Metric))
		}
	}
	return out
}

// checkSeries fails when rec lacks a series the checks read.
func (qs *Queries) checkSeries(ctx context.Context, rec *Recording) error {
	if miss := qs.missing(ctx, rec); len(miss) > 0 {
		return fmt.Errorf("%s has no series for the canary's queries: %s", rec.Source, strings.Join(miss, "; "))
	}
	return nil
}
