package tsdb

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"sort"
	"sync"
	"time"

	"github.com/prometheus/common/model"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/storage"
)

// Store is an in-memory, append-only store of float samples. It is safe for
// concurrent use: appends take a write lock, queries read a snapshot of the
// samples appended before they started.
type Store struct {
	mu     sync.RWMutex
	byHash map[uint64][]*series // labels' hash -> series with that hash
	byName map[string][]*series // metric name -> series, sorted by labels
	all    []*series            // every series, sorted by labels
	// spare holds emptied sample arrays of a Reset store, handed to its
	// new series so that a reused store appends without growing them.
	spare []points
	// epoch counts the Resets that dropped the series, after which
	// AppendFunc's handles look their series up again.
	epoch uint64
	// selections remember the series selectors matched (see Select).
	selections selections
}

// series holds one series' samples in ascending time. The slice is only
// appended to, so a reader holding an older slice header never sees a write.
type series struct {
	lset    labels.Labels
	samples points
}

var _ storage.Queryable = (*Store)(nil)

// NewStore returns an empty store.
func NewStore() *Store {
	return &Store{byHash: map[uint64][]*series{}, byName: map[string][]*series{}}
}

// Append adds the sample (t, v) to the series lset, creating the series on
// its first sample. Samples of a series must come in time order: an older
// timestamp is storage.ErrOutOfOrderSample; the same timestamp is ignored
// with the same value and storage.ErrDuplicateSampleForTimestamp otherwise,
// as in Prometheus' head block.
func (s *Store) Append(lset labels.Labels, t time.Time, v float64) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.appendTo(s.getOrCreate(lset), t, v)
}

// AppendFunc returns a function that appends to the series lset as Append
// does, without finding the series by its labels at every sample (the
// traffic model appends to the same series at every scrape). The series
// is created with its first sample; after a Reset that dropped it, the
// handle creates it again.
func (s *Store) AppendFunc(lset labels.Labels) func(t time.Time, v float64) error {
	return (&appendHandle{s: s, lset: lset}).append
}

// appendHandle is AppendFunc's handle on one series: the series once
// found, and the epoch it was found in.
type appendHandle struct {
	s     *Store
	lset  labels.Labels
	sr    *series
	epoch uint64
}

func (h *appendHandle) append(t time.Time, v float64) error {
	s := h.s
	s.mu.Lock()
	defer s.mu.Unlock()
	if h.sr == nil || h.epoch != s.epoch {
		h.sr, h.epoch = s.getOrCreate(h.lset), s.epoch
	}
	return s.appendTo(h.sr, t, v)
}

// appendTo adds (t, v) to sr. The caller holds the write lock.
func (s *Store) appendTo(sr *series, t time.Time, v float64) error {
	ms := t.UnixMilli()
	lset := sr.lset
	if n := len(sr.samples); n > 0 && ms <= sr.samples[n-1].t {
		last := sr.samples[n-1]
		if ms < last.t {
			return fmt.Errorf("append %s at %d: %w", lset, ms, storage.ErrOutOfOrderSample)
		}
		if math.Float64bits(last.f) == math.Float64bits(v) {
			return nil
		}
		return fmt.Errorf("append %s at %d: %w", lset, ms, storage.ErrDuplicateSampleForTimestamp)
	}
	sr.samples = append(sr.samples, point{t: ms, f: v})
	return nil
}

// getOrCreate finds the series of lset, adding it to the indexes when new.
// The caller holds the write lock.
func (s *Store) getOrCreate(lset labels.Labels) *series {
	h := lset.Hash()
	for _, sr := range s.byHash[h] {
		if labels.Equal(sr.lset, lset) {
			return sr
		}
	}
	sr := &series{lset: lset.Copy()}
	if n := len(s.spare); n > 0 {
		sr.samples, s.spare = s.spare[n-1], s.spare[:n-1]
	}
	s.byHash[h] = append(s.byHash[h], sr)
	name := lset.Get(model.MetricNameLabel)
	s.byName[name] = insertSorted(s.byName[name], sr)
	s.all = insertSorted(s.all, sr)
	return sr
}

func insertSorted(list []*series, sr *series) []*series {
	i := sort.Search(len(list), func(i int) bool { return labels.Compare(list[i].lset, sr.lset) >= 0 })
	return slices.Insert(list, i, sr)
}

// maxKeptSeries bounds the series a Reset keeps indexed (empty) for the
// next use of the store; beyond it, Reset drops them all.
const maxKeptSeries = 10_000

// Reset empties the store for reuse. It keeps its series indexed, with no
// samples (a series without samples is no series: queries, label lookups
// and Stats skip it), so that a store reused for a run that appends the
// same series, as a what-if study's runs do, neither builds nor sorts them
// again; their sample arrays are written again from the start. Nothing may
// read the store, or hold a querier or a result that shares its samples,
// from the call on.
func (s *Store) Reset() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.all) > maxKeptSeries {
		for _, sr := range s.all {
			s.spare = append(s.spare, sr.samples[:0])
		}
		clear(s.byHash)
		clear(s.byName)
		clear(s.all)
		s.all = s.all[:0]
		s.epoch++
		return
	}
	for _, sr := range s.all {
		sr.samples = sr.samples[:0]
	}
}

// Stats reports the number of series and samples held.
func (s *Store) Stats() (seriesCount, sampleCount int) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, sr := range s.all {
		if len(sr.samples) > 0 {
			seriesCount++
			sampleCount += len(sr.samples)
		}
	}
	return seriesCount, sampleCount
}

// Querier returns a querier over the samples in [mint, maxt], inclusive
// bounds in milliseconds.
func (s *Store) Querier(mint, maxt int64) (storage.Querier, error) {
	return &querier{s: s, mint: mint, maxt: maxt}, nil
}

// candidates returns the series a selection must look at, in label order:
// those of one metric name when a matcher fixes it, else all of them. The
// caller holds the read lock; the returned slice must not be modified.
func (s *Store) candidates(matchers []*labels.Matcher) []*series {
	for _, m := range matchers {
		if m.Name == model.MetricNameLabel && m.Type == labels.MatchEqual {
			return s.byName[m.Value]
		}
	}
	return s.all
}

// window returns the samples of sr within [mint, maxt]. The caller holds the
// read lock; the result shares sr's array, capped so that it cannot grow
// into samples appended later.
func (sr *series) window(mint, maxt int64) points {
	lo, _ := slices.BinarySearchFunc(sr.samples, mint, cmpTime)
	hi, found := slices.BinarySearchFunc(sr.samples, maxt, cmpTime)
	if found {
		hi++
	}
	if lo >= hi {
		return nil
	}
	return sr.samples[lo:hi:hi]
}

func cmpTime(p point, t int64) int { return cmp.Compare(p.t, t) }

func matchAll(lset labels.Labels, matchers []*labels.Matcher) bool {
	for _, m := range matchers {
		if !m.Matches(lset.Get(m.Name)) {
			return false
		}
	}
	return true
}
