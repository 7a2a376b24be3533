package tsdb

import (
	"context"
	"errors"
	"math"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/model/value"
	"github.com/prometheus/prometheus/storage"
	"github.com/prometheus/prometheus/tsdb/chunkenc"
)

var epoch = time.Unix(0, 0).UTC()

func at(sec int) time.Time { return epoch.Add(time.Duration(sec) * time.Second) }

func TestAppendOrder(t *testing.T) {
	s := NewStore()
	ls := labels.FromStrings("__name__", "x")
	tests := []struct {
		name    string
		sec     int
		v       float64
		wantErr error
	}{
		{name: "first", sec: 10, v: 1},
		{name: "later", sec: 20, v: 2},
		{name: "same time same value", sec: 20, v: 2},
		{name: "same time other value", sec: 20, v: 3, wantErr: storage.ErrDuplicateSampleForTimestamp},
		{name: "older", sec: 15, v: 3, wantErr: storage.ErrOutOfOrderSample},
		{name: "stale marker", sec: 30, v: math.Float64frombits(value.StaleNaN)},
		{name: "stale marker again", sec: 30, v: math.Float64frombits(value.StaleNaN)},
	}
	for _, tc := range tests {
		err := s.Append(ls, at(tc.sec), tc.v)
		if !errors.Is(err, tc.wantErr) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.wantErr)
		}
	}
	if n, samples := s.Stats(); n != 1 || samples != 3 {
		t.Errorf("Stats() = %d series, %d samples; want 1, 3", n, samples)
	}
}

// fill appends the same three samples (at 0s, 10s, 20s) to each series.
func fill(t *testing.T, s *Store, series ...labels.Labels) {
	t.Helper()
	for _, ls := range series {
		for i := range 3 {
			if err := s.Append(ls, at(10*i), float64(i)); err != nil {
				t.Fatal(err)
			}
		}
	}
}

func TestSelect(t *testing.T) {
	s := NewStore()
	b := labels.FromStrings("__name__", "req", "code", "500", "dst", "b")
	a := labels.FromStrings("__name__", "req", "code", "200", "dst", "a")
	c := labels.FromStrings("__name__", "other", "dst", "a")
	fill(t, s, b, a, c)
	tests := []struct {
		name       string
		mint, maxt int64
		hints      *storage.SelectHints
		matchers   []*labels.Matcher
		want       []string
		wantT      []int64 // timestamps of the first series
	}{
		{name: "by name, sorted", mint: 0, maxt: 20_000,
			matchers: []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "req")},
			want:     []string{a.String(), b.String()}, wantT: []int64{0, 10_000, 20_000}},
		{name: "regexp and range", mint: 5_000, maxt: 10_000,
			matchers: []*labels.Matcher{labels.MustNewMatcher(labels.MatchNotRegexp, "code", "5.*")},
			want:     []string{c.String(), a.String()}, wantT: []int64{10_000}},
		{name: "hints narrow the range", mint: 0, maxt: 20_000, hints: &storage.SelectHints{Start: 11_000, End: 30_000},
			matchers: []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "dst", "b")},
			want:     []string{b.String()}, wantT: []int64{20_000}},
		{name: "no samples in range", mint: 21_000, maxt: 30_000,
			matchers: []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "dst", "a")}},
		{name: "unknown name", mint: 0, maxt: 20_000,
			matchers: []*labels.Matcher{labels.MustNewMatcher(labels.MatchEqual, "__name__", "nope")}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			q, _ := s.Querier(tc.mint, tc.maxt)
			got, firstT := collect(t, q.Select(context.Background(), true, tc.hints, tc.matchers...))
			if !slices.Equal(got, tc.want) {
				t.Errorf("series = %v, want %v", got, tc.want)
			}
			if !slices.Equal(firstT, tc.wantT) {
				t.Errorf("timestamps = %v, want %v", firstT, tc.wantT)
			}
		})
	}
}

func collect(t *testing.T, set storage.SeriesSet) (names []string, firstT []int64) {
	t.Helper()
	var it chunkenc.Iterator
	for set.Next() {
		sr := set.At()
		names = append(names, sr.Labels().String())
		it = sr.Iterator(it)
		for it.Next() == chunkenc.ValFloat {
			if len(names) == 1 {
				firstT = append(firstT, it.AtT())
			}
		}
	}
	if set.Err() != nil {
		t.Fatal(set.Err())
	}
	return names, firstT
}

func TestSeek(t *testing.T) {
	s := NewStore()
	ls := labels.FromStrings("__name__", "x")
	fill(t, s, ls)
	q, _ := s.Querier(0, 20_000)
	set := q.Select(context.Background(), false, nil)
	set.Next()
	it := set.At().Iterator(nil)
	if vt := it.Seek(5_000); vt != chunkenc.ValFloat {
		t.Fatalf("Seek(5000) = %v", vt)
	}
	if ts, v := it.At(); ts != 10_000 || v != 1 {
		t.Errorf("At() = %d, %v; want 10000, 1", ts, v)
	}
	if vt := it.Seek(25_000); vt != chunkenc.ValNone {
		t.Errorf("Seek past the end = %v, want none", vt)
	}
}

func TestLabelNamesAndValues(t *testing.T) {
	s := NewStore()
	fill(t, s,
		labels.FromStrings("__name__", "req", "code", "500"),
		labels.FromStrings("__name__", "req", "code", "200", "pod", "p"),
		labels.FromStrings("__name__", "other", "code", "404"))
	q, _ := s.Querier(0, 20_000)
	ctx := context.Background()
	vals, _, _ := q.LabelValues(ctx, "code", nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "req"))
	if want := []string{"200", "500"}; !slices.Equal(vals, want) {
		t.Errorf("LabelValues = %v, want %v", vals, want)
	}
	names, _, _ := q.LabelNames(ctx, nil)
	if want := []string{"__name__", "code", "pod"}; !slices.Equal(names, want) {
		t.Errorf("LabelNames = %v, want %v", names, want)
	}
	vals, _, _ = q.LabelValues(ctx, "code", &storage.LabelHints{Limit: 1})
	if want := []string{"200"}; !slices.Equal(vals, want) {
		t.Errorf("LabelValues with limit = %v, want %v", vals, want)
	}
}

// TestAppendFuncAndReset appends through handles as through Append, and
// keeps appending after a Reset, which empties the store.
func TestAppendFuncAndReset(t *testing.T) {
	s := NewStore()
	a, b := labels.FromStrings("__name__", "x", "k", "a"), labels.FromStrings("__name__", "x", "k", "b")
	appendA := s.AppendFunc(a)
	steps := []struct {
		name        string
		do          func() error
		wantErr     error
		wantSeries  int
		wantSamples int
	}{
		{name: "handle creates its series", do: func() error { return appendA(at(10), 1) }, wantSeries: 1, wantSamples: 1},
		{name: "Append to the same series", do: func() error { return s.Append(a, at(20), 2) }, wantSeries: 1, wantSamples: 2},
		{name: "handle after Append", do: func() error { return appendA(at(30), 3) }, wantSeries: 1, wantSamples: 3},
		{name: "handle out of order", do: func() error { return appendA(at(15), 4) }, wantErr: storage.ErrOutOfOrderSample, wantSeries: 1, wantSamples: 3},
		{name: "another series", do: func() error { return s.Append(b, at(10), 1) }, wantSeries: 2, wantSamples: 4},
		{name: "reset", do: func() error { s.Reset(); return nil }},
		{name: "handle after reset, earlier time", do: func() error { return appendA(at(5), 7) }, wantSeries: 1, wantSamples: 1},
		{name: "Append after reset", do: func() error { return s.Append(b, at(5), 8) }, wantSeries: 2, wantSamples: 2},
	}
	for _, st := range steps {
		if err := st.do(); !errors.Is(err, st.wantErr) {
			t.Fatalf("%s: error %v, want %v", st.name, err, st.wantErr)
		}
		if series, samples := s.Stats(); series != st.wantSeries || samples != st.wantSamples {
			t.Fatalf("%s: %d series, %d samples; want %d, %d", st.name, series, samples, st.wantSeries, st.wantSamples)
		}
	}
	q, _ := s.Querier(0, math.MaxInt64)
	ss := q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchEqual, "k", "a"))
	var got []float64
	for ss.Next() {
		it := ss.At().Iterator(nil)
		for it.Next() == chunkenc.ValFloat {
			_, v := it.At()
			got = append(got, v)
		}
	}
	if !slices.Equal(got, []float64{7}) {
		t.Errorf("series a after the reset holds %v, want [7]", got)
	}
}

// TestIteratorReuse reads two series through one iterator, as the engine
// does when it hands the last one back.
func TestIteratorReuse(t *testing.T) {
	s := NewStore()
	for i, k := range []string{"a", "b"} {
		for sec := 10; sec <= 30; sec += 10 {
			if err := s.Append(labels.FromStrings("__name__", "x", "k", k), at(sec), float64(100*i+sec)); err != nil {
				t.Fatal(err)
			}
		}
	}
	q, _ := s.Querier(0, math.MaxInt64)
	ss := q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "x"))
	var it chunkenc.Iterator
	var got [][]float64
	for ss.Next() {
		it = ss.At().Iterator(it)
		var vs []float64
		if it.Seek(20000) == chunkenc.ValFloat {
			_, v := it.At()
			vs = append(vs, v)
		}
		for it.Next() == chunkenc.ValFloat {
			_, v := it.At()
			vs = append(vs, v)
		}
		got = append(got, vs)
	}
	want := [][]float64{{20, 30}, {120, 130}}
	if !slices.EqualFunc(got, want, slices.Equal[[]float64]) {
		t.Errorf("read %v through one iterator, want %v", got, want)
	}
}

// TestResetKeepsOrDropsSeries: a Reset keeps the series indexed but empty
// (invisible to queries and Stats) up to maxKeptSeries, beyond which it
// drops them; handles append again either way.
func TestResetKeepsOrDropsSeries(t *testing.T) {
	for _, tc := range []struct {
		name     string
		series   int
		wantKept int
	}{
		{name: "kept", series: 3, wantKept: 3},
		{name: "dropped", series: maxKeptSeries + 1, wantKept: 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := NewStore()
			first := s.AppendFunc(labels.FromStrings("__name__", "x", "i", "0"))
			if err := first(at(10), 1); err != nil {
				t.Fatal(err)
			}
			for i := 1; i < tc.series; i++ {
				if err := s.Append(labels.FromStrings("__name__", "x", "i", strconv.Itoa(i)), at(10), 1); err != nil {
					t.Fatal(err)
				}
			}
			s.Reset()
			if got := len(s.all); got != tc.wantKept {
				t.Errorf("%d series indexed after the reset, want %d", got, tc.wantKept)
			}
			if series, samples := s.Stats(); series != 0 || samples != 0 {
				t.Errorf("Stats after the reset: %d series, %d samples; want none", series, samples)
			}
			q, _ := s.Querier(0, math.MaxInt64)
			if ss := q.Select(context.Background(), true, nil, labels.MustNewMatcher(labels.MatchEqual, "__name__", "x")); ss.Next() {
				t.Errorf("an empty series was selected: %s", ss.At().Labels())
			}
			if err := first(at(5), 2); err != nil {
				t.Fatal(err)
			}
			if series, samples := s.Stats(); series != 1 || samples != 1 {
				t.Errorf("after appending through the old handle: %d series, %d samples; want 1, 1", series, samples)
			}
		})
	}
}
