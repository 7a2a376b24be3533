package tsdb

import (
	"context"
	"slices"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
	"github.com/prometheus/prometheus/util/annotations"
)

// querier reads a Store over [mint, maxt].
type querier struct {
	s          *Store
	mint, maxt int64
}

// Select returns the series matching every matcher that have samples in the
// querier's range, narrowed by the hints' Start and End. Series always come
// sorted by labels (the indexes are kept sorted), whatever sortSeries says.
func (q *querier) Select(_ context.Context, _ bool, hints *storage.SelectHints, matchers ...*labels.Matcher) storage.SeriesSet {
	mint, maxt := q.mint, q.maxt
	if hints != nil {
		mint, maxt = max(mint, hints.Start), min(maxt, hints.End)
	}
	q.s.mu.RLock()
	defer q.s.mu.RUnlock()
	var out []storage.Series
	for _, sr := range q.s.candidates(matchers) {
		if !matchAll(sr.lset, matchers) {
			continue
		}
		ps := sr.window(mint, maxt)
		if len(ps) == 0 {
			continue
		}
		out = append(out, newListSeries(sr.lset, ps))
		if hints != nil && hints.Limit > 0 && len(out) == hints.Limit {
			break
		}
	}
	return &seriesSet{list: out, i: -1}
}

// LabelValues returns the sorted values of the label name among the series
// that match and have samples in range.
func (q *querier) LabelValues(_ context.Context, name string, hints *storage.LabelHints, matchers ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	var values []string
	q.each(matchers, func(lset labels.Labels) {
		if v := lset.Get(name); v != "" {
			values = append(values, v)
		}
	})
	return sortedUnique(values, hints), nil, nil
}

// LabelNames returns the sorted label names of the series that match and
// have samples in range.
func (q *querier) LabelNames(_ context.Context, hints *storage.LabelHints, matchers ...*labels.Matcher) ([]string, annotations.Annotations, error) {
	var names []string
	q.each(matchers, func(lset labels.Labels) {
		lset.Range(func(l labels.Label) { names = append(names, l.Name) })
	})
	return sortedUnique(names, hints), nil, nil
}

// Close releases nothing: a querier holds no resources.
func (*querier) Close() error { return nil }

// each calls f with the labels of every series that matches and has samples
// in the querier's range.
func (q *querier) each(matchers []*labels.Matcher, f func(labels.Labels)) {
	q.s.mu.RLock()
	defer q.s.mu.RUnlock()
	for _, sr := range q.s.candidates(matchers) {
		if len(sr.window(q.mint, q.maxt)) > 0 && matchAll(sr.lset, matchers) {
			f(sr.lset)
		}
	}
}

func sortedUnique(ss []string, hints *storage.LabelHints) []string {
	slices.Sort(ss)
	ss = slices.Compact(ss)
	if hints != nil && hints.Limit > 0 && len(ss) > hints.Limit {
		ss = ss[:hints.Limit]
	}
	return ss
}

// seriesSet iterates a slice of series.
type seriesSet struct {
	list []storage.Series
	i    int
}

func (s *seriesSet) Next() bool                      { s.i++; return s.i < len(s.list) }
func (s *seriesSet) At() storage.Series              { return s.list[s.i] }
func (*seriesSet) Err() error                        { return nil }
func (*seriesSet) Warnings() annotations.Annotations { return nil }

// newListSeries returns a storage.Series over stored points, iterated by
// Prometheus' own list iterator. (storage.NewListSeries would box every
// sample into a []chunks.Sample; points hands out pointers instead.)
func newListSeries(lset labels.Labels, ps points) storage.Series {
	return &storage.SeriesEntry{
		Lset: lset,
		SampleIteratorFn: func(chunkenc.Iterator) chunkenc.Iterator {
			return storage.NewListSeriesIterator(ps)
		},
	}
}
