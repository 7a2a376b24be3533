package replay

import (
	"context"
	"fmt"
	"math"
	"time"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"

	"github.com/fledge-canary/fledge/sim/tsdb"
)

// Recording is recorded Prometheus data: the series a replay's queries
// read, in the simulator's in-memory store.
type Recording struct {
	// Source says where the data came from, for messages.
	Source string
	// Store holds the series.
	Store *tsdb.Store
}

// Window bounds the samples copied from a source, in Unix milliseconds
// (inclusive); the zero Window is everything.
type Window struct {
	MinT, MaxT int64
}

// All is the Window of every sample.
var All = Window{MinT: math.MinInt64, MaxT: math.MaxInt64}

// WindowOf is the Window from start to end.
func WindowOf(start, end time.Time) Window {
	return Window{MinT: start.UnixMilli(), MaxT: end.UnixMilli()}
}

// Copy reads the series that any of selectors matches, within w, from q
// into a Recording. Each series is read once, however many selectors match
// it.
func Copy(ctx context.Context, source string, q storage.Queryable, selectors [][]*labels.Matcher, w Window) (*Recording, error) {
	querier, err := q.Querier(w.MinT, w.MaxT)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", source, err)
	}
	defer querier.Close()
	store := tsdb.NewStore()
	seen := map[uint64]bool{}
	for _, sel := range selectors {
		set := querier.Select(ctx, false, &storage.SelectHints{Start: w.MinT, End: w.MaxT}, sel...)
		if err := copySet(set, store, seen); err != nil {
			return nil, fmt.Errorf("%s: reading %s: %w", source, selectorText(sel), err)
		}
	}
	return &Recording{Source: source, Store: store}, nil
}

func copySet(set storage.SeriesSet, store *tsdb.Store, seen map[uint64]bool) error {
	var it chunkenc.Iterator
	for set.Next() {
		s := set.At()
		lset := s.Labels()
		h := lset.Hash()
		if seen[h] {
			continue
		}
		seen[h] = true
		it = s.Iterator(it)
		for typ := it.Next(); typ != chunkenc.ValNone; typ = it.Next() {
			if typ != chunkenc.ValFloat {
				return fmt.Errorf("%s holds native histograms, which replay does not support", lset)
			}
			t, v := it.At()
			if err := store.Append(lset, time.UnixMilli(t), v); err != nil {
				return err
			}
		}
		if err := it.Err(); err != nil {
			return fmt.Errorf("%s: %w", lset, err)
		}
	}
	return set.Err()
}

// selectorText writes matchers as PromQL: name{label="value",...}.
func selectorText(matchers []*labels.Matcher) string {
	name, rest := "", ""
	for _, m := range matchers {
		if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
			name = m.Value
			continue
		}
		if rest != "" {
			rest += ","
		}
		rest += m.String()
	}
	if rest == "" && name != "" {
		return name
	}
	return name + "{" + rest + "}"
}

// span returns the first and last sample time of the series matching any
// of selectors, and whether there is one.
func (r *Recording) span(ctx context.Context, selectors [][]*labels.Matcher, w Window) (first, last time.Time, ok bool) {
	querier, _ := r.Store.Querier(w.MinT, w.MaxT) // never fails
	defer querier.Close()
	lo, hi := int64(math.MaxInt64), int64(math.MinInt64)
	var it chunkenc.Iterator
	for _, sel := range selectors {
		set := querier.Select(ctx, false, nil, sel...)
		for set.Next() {
			it = set.At().Iterator(it)
			for it.Next() != chunkenc.ValNone {
				t := it.AtT()
				lo, hi = min(lo, t), max(hi, t)
			}
		}
	}
	if lo > hi {
		return time.Time{}, time.Time{}, false
	}
	return time.UnixMilli(lo).UTC(), time.UnixMilli(hi).UTC(), true
}

// has reports whether a series matches sel.
func (r *Recording) has(ctx context.Context, sel []*labels.Matcher) bool {
	querier, _ := r.Store.Querier(math.MinInt64, math.MaxInt64)
	defer querier.Close()
	return querier.Select(ctx, false, nil, sel...).Next()
}
