package tsdb

import (
	"slices"
	"sync"

	"github.com/prometheus/prometheus/promql/parser"
)

// maxCachedQueries bounds the parse cache: a simulation asks the same few
// queries at every tick; a process that renders many more (one per
// canary and tick) stops caching new ones at this count.
const maxCachedQueries = 4096

// cachingParser parses each query text once: the PromQL engine asks its
// parser for a fresh tree at every query (it rewrites the tree while
// preparing and evaluating it), so the cache keeps the tree of the first
// parse untouched and hands out copies of it, which cost a fraction of
// a parse. Only successful parses are kept; a tree with a node type the
// copy does not know is parsed every time.
type cachingParser struct {
	parser.Parser
	mu    sync.RWMutex
	trees map[string]parser.Expr
}

func newCachingParser(p parser.Parser) *cachingParser {
	return &cachingParser{Parser: p, trees: map[string]parser.Expr{}}
}

// ParseExpr returns a tree of input that no other caller holds.
func (c *cachingParser) ParseExpr(input string) (parser.Expr, error) {
	c.mu.RLock()
	tree, ok := c.trees[input]
	c.mu.RUnlock()
	if ok {
		if cp, ok := cloneExpr(tree); ok {
			return cp, nil
		}
	}
	tree, err := c.Parser.ParseExpr(input)
	if err != nil {
		return tree, err
	}
	kept, ok := cloneExpr(tree)
	if !ok {
		return tree, nil
	}
	c.mu.Lock()
	if len(c.trees) < maxCachedQueries {
		c.trees[input] = kept
	}
	c.mu.Unlock()
	return tree, nil
}

// cloneExpr copies a parsed tree: every node the engine may rewrite, and
// the slices it may sort or replace, are new; the label matchers and the
// function descriptions, which nothing changes, are shared. ok is false
// for a node type it does not know.
func cloneExpr(e parser.Expr) (out parser.Expr, ok bool) {
	switch n := e.(type) {
	case nil:
		return nil, true
	case *parser.NumberLiteral:
		c := *n
		return &c, true
	case *parser.StringLiteral:
		c := *n
		return &c, true
	case *parser.VectorSelector:
		return cloneVectorSelector(n)
	case *parser.MatrixSelector:
		return cloneMatrixSelector(n)
	case *parser.AggregateExpr:
		return cloneAggregate(n)
	case *parser.BinaryExpr:
		return cloneBinary(n)
	case *parser.Call:
		return cloneCall(n)
	case *parser.ParenExpr:
		c := *n
		c.Expr, ok = cloneExpr(n.Expr)
		return &c, ok
	case *parser.UnaryExpr:
		c := *n
		c.Expr, ok = cloneExpr(n.Expr)
		return &c, ok
	case *parser.SubqueryExpr:
		return cloneSubquery(n)
	case *parser.DurationExpr:
		return cloneDuration(n)
	}
	return nil, false
}

func cloneVectorSelector(n *parser.VectorSelector) (parser.Expr, bool) {
	c := *n
	c.Timestamp = cloneInt64(n.Timestamp)
	c.LabelMatchers = slices.Clone(n.LabelMatchers)
	c.UnexpandedSeriesSet, c.Series = nil, nil
	var ok bool
	c.OriginalOffsetExpr, ok = cloneDurationExpr(n.OriginalOffsetExpr)
	return &c, ok
}

func cloneMatrixSelector(n *parser.MatrixSelector) (parser.Expr, bool) {
	c := *n
	vs, ok := cloneExpr(n.VectorSelector)
	if !ok {
		return nil, false
	}
	c.VectorSelector = vs
	c.RangeExpr, ok = cloneDurationExpr(n.RangeExpr)
	return &c, ok
}

func cloneAggregate(n *parser.AggregateExpr) (parser.Expr, bool) {
	c := *n
	c.Grouping = slices.Clone(n.Grouping)
	var ok1, ok2 bool
	c.Expr, ok1 = cloneExpr(n.Expr)
	c.Param, ok2 = cloneExpr(n.Param)
	return &c, ok1 && ok2
}

func cloneBinary(n *parser.BinaryExpr) (parser.Expr, bool) {
	c := *n
	if n.VectorMatching != nil {
		vm := *n.VectorMatching
		vm.MatchingLabels = slices.Clone(vm.MatchingLabels)
		vm.Include = slices.Clone(vm.Include)
		c.VectorMatching = &vm
	}
	var ok1, ok2 bool
	c.LHS, ok1 = cloneExpr(n.LHS)
	c.RHS, ok2 = cloneExpr(n.RHS)
	return &c, ok1 && ok2
}

func cloneCall(n *parser.Call) (parser.Expr, bool) {
	c := *n
	c.Args = make(parser.Expressions, len(n.Args))
	for i, a := range n.Args {
		var ok bool
		if c.Args[i], ok = cloneExpr(a); !ok {
			return nil, false
		}
	}
	return &c, true
}

func cloneSubquery(n *parser.SubqueryExpr) (parser.Expr, bool) {
	c := *n
	c.Timestamp = cloneInt64(n.Timestamp)
	var ok [4]bool
	c.Expr, ok[0] = cloneExpr(n.Expr)
	c.RangeExpr, ok[1] = cloneDurationExpr(n.RangeExpr)
	c.OriginalOffsetExpr, ok[2] = cloneDurationExpr(n.OriginalOffsetExpr)
	c.StepExpr, ok[3] = cloneDurationExpr(n.StepExpr)
	return &c, ok == [4]bool{true, true, true, true}
}

func cloneDuration(n *parser.DurationExpr) (parser.Expr, bool) {
	c, ok := cloneDurationExpr(n)
	return c, ok
}

func cloneDurationExpr(n *parser.DurationExpr) (*parser.DurationExpr, bool) {
	if n == nil {
		return nil, true
	}
	c := *n
	var ok1, ok2 bool
	c.LHS, ok1 = cloneExpr(n.LHS)
	c.RHS, ok2 = cloneExpr(n.RHS)
	return &c, ok1 && ok2
}

func cloneInt64(p *int64) *int64 {
	if p == nil {
		return nil
	}
	v := *p
	return &v
}
