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
	matched := q.s.matching(matchers)
	found := make([]pointSeries, 0, len(matched))
	for _, sr := range matched {
		ps := sr.window(mint, maxt)
		if len(ps) == 0 {
			continue
		}
		found = append(found, pointSeries{lset: sr.lset, ps: ps})
		if hints != nil && hints.Limit > 0 && len(found) == hints.Limit {
			break
		}
	}
	return &seriesSet{list: found, i: -1}
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
	list []pointSeries
	i    int
}

func (s *seriesSet) Next() bool                      { s.i++; return s.i < len(s.list) }
func (s *seriesSet) At() storage.Series              { return &s.list[s.i] }
func (*seriesSet) Err() error                        { return nil }
func (*seriesSet) Warnings() annotations.Annotations { return nil }

// pointSeries is a storage.Series over stored points: a Select makes all
// of them in one slice, and their iterators are reused by the engine.
type pointSeries struct {
	lset labels.Labels
	ps   points
}

func (s *pointSeries) Labels() labels.Labels { return s.lset }

// Iterator iterates the points with Prometheus' list iterator, resetting
// it when the engine hands one back for reuse.
func (s *pointSeries) Iterator(it chunkenc.Iterator) chunkenc.Iterator {
	if r, ok := it.(samplesIterator); ok {
		r.Reset(&s.ps)
		return it
	}
	return storage.NewListSeriesIterator(&s.ps)
}

// samplesIterator is Prometheus' list iterator, which can start over on
// other samples.
type samplesIterator interface {
	chunkenc.Iterator
	Reset(storage.Samples)
}
