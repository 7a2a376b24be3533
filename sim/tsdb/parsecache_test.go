package tsdb

import (
	"context"
	"sync"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
	"github.com/prometheus/prometheus/promql/parser"
)

// cacheQueries cover every node type the tree copy knows, and the parts
// of a tree the engine rewrites: @ start()/end(), offsets, grouping,
// vector matching, subqueries, duration expressions, parentheses.
var cacheQueries = []struct{ name, q string }{
	{"selector", `req_total{code="200"}`},
	{"offset", `req_total{code="200"} offset 1m`},
	{"at end", `req_total{code="200"} @ end()`},
	{"at start range", `rate(req_total{code="500"}[1m] @ start())`},
	{"success rate", `sum(rate(req_total{code!~"5.*"}[1m])) / sum(rate(req_total[1m])) * 100`},
	{"grouping", `sum by (code, __name__) (rate(req_total[2m]))`},
	{"without", `sum without (code) (req_total)`},
	{"topk param", `topk(1, req_total)`},
	{"matching", `req_total / on (code) group_left () req_total`},
	{"bool", `req_total > bool 100`},
	{"unary paren", `-(req_total{code="500"})`},
	{"subquery", `max_over_time(rate(req_total[1m])[5m:30s])`},
	{"subquery at", `max_over_time(rate(req_total[1m])[5m:30s] @ end() offset 10s)`},
	{"duration expr", `rate(req_total[2m - 1m])`},
	{"quantile", `histogram_quantile(0.99, sum(rate(req_total[1m])) by (le))`},
	{"string", `label_replace(req_total, "x", "$1", "code", "(.*)")`},
	{"scalar", `scalar(vector(2)) + 1`},
}

// TestParseCacheSameResults evaluates each query three times through the
// caching parser, at three times, and compares with an engine that parses
// every query afresh; the cached tree must not change.
func TestParseCacheSameResults(t *testing.T) {
	s := NewStore()
	load(t, s, labels.FromStrings("__name__", "req_total", "code", "200"), 60)
	load(t, s, labels.FromStrings("__name__", "req_total", "code", "500"), 60)
	plain := parser.NewParser(parser.Options{})
	fresh := &Engine{q: s, parser: plain, ng: promql.NewEngine(promql.EngineOpts{MaxSamples: maxSamplesPerQuery,
		Timeout: queryTimeout, LookbackDelta: lookbackDelta, EnableAtModifier: true, EnableNegativeOffset: true, Parser: plain})}
	cached := NewEngine(s)
	cache := cached.parser.(*cachingParser)
	for _, tc := range cacheQueries {
		t.Run(tc.name, func(t *testing.T) {
			for _, sec := range []int{300, 420, 600} {
				want, _, err := fresh.Instant(context.Background(), tc.q, at(sec))
				if err != nil {
					t.Fatal(err)
				}
				got, _, err := cached.Instant(context.Background(), tc.q, at(sec))
				if err != nil {
					t.Fatal(err)
				}
				if got.String() != want.String() {
					t.Errorf("at %ds: cached %q, fresh %q", sec, got, want)
				}
			}
			cache.mu.RLock()
			tree, ok := cache.trees[tc.q]
			cache.mu.RUnlock()
			if !ok {
				t.Fatalf("%q was not cached", tc.q)
			}
			pristine, err := plain.ParseExpr(tc.q)
			if err != nil {
				t.Fatal(err)
			}
			if tree.String() != pristine.String() {
				t.Errorf("cached tree changed by evaluation: %q, want %q", tree, pristine)
			}
		})
	}
}

func TestParseCacheErrors(t *testing.T) {
	p := newCachingParser(parser.NewParser(parser.Options{}))
	for range 2 {
		if _, err := p.ParseExpr(`sum(rate(x[1m])`); err == nil {
			t.Fatal("want a parse error for an unclosed parenthesis")
		}
	}
	if len(p.trees) != 0 {
		t.Errorf("a failed parse was cached: %v", p.trees)
	}
}

// TestParseCacheConcurrent runs one cached query from several goroutines,
// as what-if's workers do (the race detector checks the copies share
// nothing the engine writes).
func TestParseCacheConcurrent(t *testing.T) {
	s := NewStore()
	load(t, s, labels.FromStrings("__name__", "req_total", "code", "200"), 30)
	e := NewEngine(s)
	q := `sum by (code) (rate(req_total{code!~"5.*"}[1m] @ end())) / on (code) sum by (code) (rate(req_total[1m]))`
	want, _, err := e.Instant(context.Background(), q, at(300))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan string, 40)
	for range 4 {
		wg.Go(func() {
			for range 10 {
				got, _, err := e.Instant(context.Background(), q, at(300))
				if err != nil {
					errs <- err.Error()
				} else if got.String() != want.String() {
					errs <- got.String()
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for e := range errs {
		t.Errorf("concurrent query: got %s, want %s", e, want)
	}
}
