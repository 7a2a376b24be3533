package metrics

import (
	"context"
	"fmt"
	"math"

	"github.com/prometheus/prometheus/promql"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/tsdb"
)

// Embedded evaluates queries with the simulator's PromQL engine.
type Embedded struct {
	eng *tsdb.Engine
}

var _ engine.Metrics = (*Embedded)(nil)

// New returns metrics answered by eng.
func New(eng *tsdb.Engine) *Embedded { return &Embedded{eng: eng} }

// Query evaluates q.PromQL at q.At, whatever q.Source names, and returns its
// single value (see the package documentation for the rules).
func (e *Embedded) Query(ctx context.Context, q engine.Query) (float64, error) {
	v, _, err := e.eng.Instant(ctx, q.PromQL, q.At)
	if err != nil {
		return 0, err
	}
	switch v := v.(type) {
	case promql.Scalar:
		return value(v.V)
	case promql.Vector:
		return single(v)
	}
	return 0, fmt.Errorf("query %q returned a %s, expected one value", q.PromQL, v.Type())
}

func single(v promql.Vector) (float64, error) {
	switch {
	case len(v) == 0:
		return 0, engine.ErrNoValues
	case len(v) > 1:
		return 0, fmt.Errorf("query returned %d series, expected one", len(v))
	case v[0].H != nil:
		return 0, fmt.Errorf("query returned a histogram sample, expected a float")
	}
	return value(v[0].F)
}

func value(f float64) (float64, error) {
	if math.IsNaN(f) {
		return 0, engine.ErrNoValues
	}
	return f, nil
}

// Available succeeds for every source: the embedded engine is always up.
func (*Embedded) Available(context.Context, engine.Source) error { return nil }
