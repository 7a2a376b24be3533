package tsdb

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/util/annotations"
)

// Limits of one query, as a Prometheus server would set them.
const (
	maxSamplesPerQuery = 50_000_000      // Prometheus' --query.max-samples default
	queryTimeout       = 2 * time.Minute // Prometheus' --query.timeout default
	lookbackDelta      = 5 * time.Minute // Prometheus' --query.lookback-delta default
)

// Engine evaluates PromQL against a Queryable at times the caller gives.
type Engine struct {
	ng     *promql.Engine
	q      storage.Queryable
	parser parser.Parser
}

// NewEngine returns an engine over q with Prometheus' default limits and
// lookback delta, and the @ modifier and negative offsets enabled as in a
// Prometheus server. It tracks no active queries and logs nothing. Every
// Engine shares one PromQL engine, safe for concurrent queries as a
// Prometheus server's is: building one allocates its metrics (summaries),
// which cost a what-if study of many runs an eighth of its allocations.
// Its parser parses each query text once (see cachingParser).
func NewEngine(q storage.Queryable) *Engine {
	ng, p := sharedEngine()
	return &Engine{ng: ng, q: q, parser: p}
}

var sharedEngine = sync.OnceValues(func() (*promql.Engine, parser.Parser) {
	var p parser.Parser = newCachingParser(parser.NewParser(parser.Options{}))
	return promql.NewEngine(promql.EngineOpts{
		MaxSamples:           maxSamplesPerQuery,
		Timeout:              queryTimeout,
		LookbackDelta:        lookbackDelta,
		EnableAtModifier:     true,
		EnableNegativeOffset: true,
		Parser:               p,
	}), p
})

// Parse reports whether qs is valid PromQL, so that a scenario can reject a
// bad query before it runs.
func (e *Engine) Parse(qs string) error {
	if _, err := e.parser.ParseExpr(qs); err != nil {
		return fmt.Errorf("invalid query %q: %w", qs, err)
	}
	return nil
}

// Instant evaluates qs at the instant at, as GET /api/v1/query?time=at does.
// The value is one of promql.Vector, promql.Scalar, promql.Matrix (for a
// range-vector expression) or promql.String; it stays valid after the call.
// Warnings are the engine's annotations (e.g. histogram_quantile on buckets
// without le). A query that does not parse fails with an error naming it.
func (e *Engine) Instant(ctx context.Context, qs string, at time.Time) (parser.Value, annotations.Annotations, error) {
	qry, err := e.ng.NewInstantQuery(ctx, e.q, nil, qs, at)
	if err != nil {
		return nil, nil, fmt.Errorf("invalid query %q: %w", qs, err)
	}
	defer qry.Close()
	res := qry.Exec(ctx)
	if res.Err != nil {
		return nil, res.Warnings, fmt.Errorf("query %q at %s: %w", qs, at.UTC().Format(time.RFC3339Nano), res.Err)
	}
	return detach(res.Value), res.Warnings, nil
}

// detach copies a matrix out of the engine's pools, which Close recycles.
// Vectors, scalars and strings are not pooled.
func detach(v parser.Value) parser.Value {
	m, ok := v.(promql.Matrix)
	if !ok {
		return v
	}
	out := make(promql.Matrix, len(m))
	for i, s := range m {
		out[i] = promql.Series{
			Metric:     s.Metric,
			Floats:     append([]promql.FPoint(nil), s.Floats...),
			Histograms: append([]promql.HPoint(nil), s.Histograms...),
		}
	}
	return out
}
