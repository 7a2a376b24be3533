package tsdb

import (
	"context"
	"errors"
	"math"
	"slices"
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
