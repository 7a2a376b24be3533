package query

import (
	"fmt"
	"strings"
	"sync"
)

// Model holds the values a query template can read.
type Model struct {
	Name      string            // the Canary's name
	Namespace string            // the Canary's namespace
	Target    string            // targetRef.name
	Service   string            // service.name, else targetRef.name
	Ingress   string            // ingressRef.name, else targetRef.name
	Route     string            // routeRef.name, else targetRef.name
	Interval  string            // the metric's range window, e.g. "1m"
	Variables map[string]string // templateVariables
}

// values are what the template's functions return: {{ name }} is the
// Canary's name, {{ variables.KEY }} one of its templateVariables.
func (m Model) values() map[string]any {
	return map[string]any{
		"name":      m.Name,
		"namespace": m.Namespace,
		"target":    m.Target,
		"service":   m.Service,
		"ingress":   m.Ingress,
		"route":     m.Route,
		"interval":  m.Interval,
		"variables": m.Variables,
	}
}

// Render executes a query template against the model and collapses the
// result to one line. A model without variables renders a text the same
// way every time: the result is remembered (see memo).
func Render(text string, m Model) (string, error) {
	if len(m.Variables) > 0 {
		return render(text, m)
	}
	key := memoKey{text: text, name: m.Name, namespace: m.Namespace, target: m.Target, service: m.Service,
		ingress: m.Ingress, route: m.Route, interval: m.Interval}
	if q, ok := memo.get(key); ok {
		return q, nil
	}
	q, err := render(text, m)
	if err == nil {
		memo.put(key, q)
	}
	return q, err
}

func render(text string, m Model) (string, error) {
	tree, err := parseQuery(text)
	if err != nil {
		return "", fmt.Errorf("template parsing failed: %w", err)
	}
	var out strings.Builder
	s := &state{tree: tree, values: m.values(), out: &out}
	if err := s.walk(nil, tree.Root); err != nil {
		return "", fmt.Errorf("template execution failed: %w", err)
	}
	return Collapse(out.String()), nil
}

// Check parses a query template without executing it, so that a spec with
// a broken template is rejected before it runs.
func Check(text string) error {
	if _, err := parseQuery(text); err != nil {
		return fmt.Errorf("template parsing failed: %w", err)
	}
	return nil
}

// Collapse replaces every run of white space (spaces, tabs, newlines,
// carriage returns, form feeds) with a single space, as Flagger's
// Prometheus provider does before it sends a query: a leading or trailing
// run is kept as one space.
func Collapse(q string) string {
	var b strings.Builder
	b.Grow(len(q))
	inSpace := false
	for _, r := range q {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' {
			inSpace = true
			continue
		}
		if inSpace {
			b.WriteByte(' ')
			inSpace = false
		}
		b.WriteRune(r)
	}
	if inSpace {
		b.WriteByte(' ')
	}
	return b.String()
}

// maxMemo bounds the remembered renderings: a canary's checks render a
// few texts with its one model at every tick; the memo starts afresh once
// it holds this many (as many canaries as that, or a template per tick).
const maxMemo = 1024

// memo remembers the queries Render produced, so that the template of a
// check is parsed and executed once per canary instead of at every tick.
var memo = &renderMemo{queries: map[memoKey]string{}}

// memoKey is a query text with every field of a Model but its Variables.
type memoKey struct {
	text, name, namespace, target, service, ingress, route, interval string
}

type renderMemo struct {
	mu      sync.Mutex
	queries map[memoKey]string
}

func (r *renderMemo) get(k memoKey) (string, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	q, ok := r.queries[k]
	return q, ok
}

func (r *renderMemo) put(k memoKey, q string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.queries) >= maxMemo {
		clear(r.queries)
	}
	r.queries[k] = q
}
