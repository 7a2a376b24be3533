package tsdb

import (
	"context"
	"math"
	"slices"
	"strconv"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
)

// TestSelectionsFollowTheSeries selects with the same matchers (the same
// pointers, as the queries of one cached parse tree) while the store
// changes: the memo must answer as running the matchers would, after new
// series, after a Reset that keeps the series and after one that drops
// them.
func TestSelectionsFollowTheSeries(t *testing.T) {
	s := NewStore()
	matchers := []*labels.Matcher{
		labels.MustNewMatcher(labels.MatchEqual, "__name__", "req"),
		labels.MustNewMatcher(labels.MatchNotRegexp, "code", "5.*"),
	}
	series := func(code string) labels.Labels { return labels.FromStrings("__name__", "req", "code", code) }
	steps := []struct {
		name   string
		change func(t *testing.T)
		want   []string
	}{
		{name: "first", change: func(t *testing.T) { fill(t, s, series("200"), series("500")) }, want: []string{"200"}},
		{name: "again", want: []string{"200"}},
		{name: "a new series", change: func(t *testing.T) { fill(t, s, series("404"), series("503")) }, want: []string{"200", "404"}},
		{name: "reset, kept", change: func(t *testing.T) {
			s.Reset()
			fill(t, s, series("404"))
		}, want: []string{"404"}},
		{name: "reset, dropped", change: func(t *testing.T) {
			for i := range maxKeptSeries {
				fill(t, s, labels.FromStrings("__name__", "other", "i", strconv.Itoa(i)))
			}
			s.Reset()
			fill(t, s, series("201"))
		}, want: []string{"201"}},
	}
	for _, st := range steps {
		if st.change != nil {
			st.change(t)
		}
		q, _ := s.Querier(0, math.MaxInt64)
		names, _ := collect(t, q.Select(context.Background(), true, nil, matchers...))
		var want []string
		for _, code := range st.want {
			want = append(want, series(code).String())
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s: selected %v, want %v", st.name, names, want)
		}
	}
}
