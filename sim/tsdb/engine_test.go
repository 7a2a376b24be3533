package tsdb

import (
	"context"
	"strings"
	"testing"

	"github.com/prometheus/prometheus/model/labels"
	"github.com/prometheus/prometheus/promql"
)

// load appends one sample a series every 10s from 0s: the counter 0, 10, 20...
// (one request a second), as promqltest's "load 10s x 0+10x<n>" does.
func load(t *testing.T, s *Store, ls labels.Labels, n int) {
	t.Helper()
	for i := range n + 1 {
		if err := s.Append(ls, at(10*i), float64(10*i)); err != nil {
			t.Fatal(err)
		}
	}
}

func TestInstant(t *testing.T) {
	s := NewStore()
	load(t, s, labels.FromStrings("__name__", "req_total", "code", "200"), 30)
	load(t, s, labels.FromStrings("__name__", "req_total", "code", "500"), 30)
	e := NewEngine(s)
	ctx := context.Background()
	tests := []struct {
		name, q string
		want    string
	}{
		{name: "rate", q: `sum(rate(req_total{code!~"5.*"}[1m]))`, want: "{} => 1 @[300000]"},
		{name: "ratio", q: `sum(rate(req_total{code!~"5.*"}[1m])) / sum(rate(req_total[1m])) * 100`, want: "{} => 50 @[300000]"},
		{name: "scalar", q: `scalar(vector(2))`, want: "scalar: 2 @[300000]"},
		{name: "empty", q: `req_total{code="404"}`, want: ""},
		{name: "lookback", q: `req_total{code="200"} offset 6m`, want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			v, _, err := e.Instant(ctx, tc.q, at(300))
			if err != nil {
				t.Fatal(err)
			}
			if got := v.String(); got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestInstantMatrixSurvivesClose(t *testing.T) {
	s := NewStore()
	load(t, s, labels.FromStrings("__name__", "req_total"), 6)
	e := NewEngine(s)
	v, _, err := e.Instant(context.Background(), `req_total[30s]`, at(60))
	if err != nil {
		t.Fatal(err)
	}
	// Run more queries so that a recycled slice would be overwritten.
	for range 3 {
		_, _, _ = e.Instant(context.Background(), `req_total[1m]`, at(50))
	}
	m := v.(promql.Matrix)
	if len(m) != 1 || len(m[0].Floats) != 3 || m[0].Floats[2].F != 60 {
		t.Errorf("matrix = %v", m)
	}
}

func TestParse(t *testing.T) {
	e := NewEngine(NewStore())
	if err := e.Parse(`sum(rate(x[1m]))`); err != nil {
		t.Errorf("valid query rejected: %v", err)
	}
	err := e.Parse(`sum(rate(x[1m])`)
	if err == nil || !strings.Contains(err.Error(), `sum(rate(x[1m])`) {
		t.Errorf("Parse error = %v, want one naming the query", err)
	}
	if _, _, err := e.Instant(context.Background(), `rate(`, at(0)); err == nil || !strings.Contains(err.Error(), "rate(") {
		t.Errorf("Instant error = %v, want one naming the query", err)
	}
}

func TestConcurrentAppendAndQuery(t *testing.T) {
	s := NewStore()
	e := NewEngine(s)
	ls := labels.FromStrings("__name__", "req_total")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 500 {
			_ = s.Append(ls, at(i), float64(i))
		}
	}()
	for i := range 50 {
		if _, _, err := e.Instant(context.Background(), `rate(req_total[1m])`, at(10*i)); err != nil {
			t.Fatal(err)
		}
	}
	<-done
}
