package query

import (
	"fmt"
	"testing"
)

// TestRenderMemo renders through the memo in the orders that could mix
// its entries up: each rendering must be the model's, whatever came before.
func TestRenderMemo(t *testing.T) {
	const text = `up{namespace="{{ namespace }}",target="{{ target }}"}[{{ interval }}]`
	a := Model{Namespace: "a", Target: "app", Interval: "1m"}
	b := Model{Namespace: "b", Target: "app", Interval: "1m"}
	withVars := Model{Namespace: "a", Target: "app", Interval: "1m", Variables: map[string]string{"k": "v"}}
	tests := []struct {
		name  string
		text  string
		model Model
		want  string
		err   bool
	}{
		{name: "first", text: text, model: a, want: `up{namespace="a",target="app"}[1m]`},
		{name: "again", text: text, model: a, want: `up{namespace="a",target="app"}[1m]`},
		{name: "other namespace", text: text, model: b, want: `up{namespace="b",target="app"}[1m]`},
		{name: "other interval", text: text, model: Model{Namespace: "a", Target: "app", Interval: "5m"}, want: `up{namespace="a",target="app"}[5m]`},
		{name: "variables, not remembered", text: `x{k="{{ variables.k }}"}`, model: withVars, want: `x{k="v"}`},
		{name: "variables changed", text: `x{k="{{ variables.k }}"}`, model: Model{Variables: map[string]string{"k": "w"}}, want: `x{k="w"}`},
		{name: "missing variable", text: `x{k="{{ variables.k }}"}`, model: a, err: true},
		{name: "missing variable again", text: `x{k="{{ variables.k }}"}`, model: a, err: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.text, tc.model)
			if (err != nil) != tc.err {
				t.Fatalf("error %v, want error %v", err, tc.err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

// TestRenderMemoBounded renders more distinct models than the memo keeps:
// it starts afresh and every rendering stays right.
func TestRenderMemoBounded(t *testing.T) {
	for i := range maxMemo + 10 {
		ns := fmt.Sprintf("ns-%d", i)
		got, err := Render(`{{ namespace }}`, Model{Namespace: ns})
		if err != nil || got != ns {
			t.Fatalf("render %d: %q, %v; want %q", i, got, err, ns)
		}
	}
	memo.mu.Lock()
	n := len(memo.queries)
	memo.mu.Unlock()
	if n > maxMemo {
		t.Errorf("memo holds %d renderings, want at most %d", n, maxMemo)
	}
}
