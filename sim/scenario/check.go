package scenario

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// checker collects the problems of a scenario with their lines.
type checker struct {
	s    *Scenario
	errs Errors
}

func (c *checker) fail(line int, field, msg string) {
	c.errs = append(c.errs, Error{File: c.s.File, Line: line, Field: field, Msg: msg})
}

// line finds the line of a field path such as "actions", 2, "run" in the
// scenario's YAML, or of the nearest parent that exists: the line of its
// key, where a block mapping or sequence starts on the next line.
func (c *checker) line(path ...any) int {
	n := c.s.root
	if n == nil {
		return 0
	}
	if n.Kind == yaml.DocumentNode && len(n.Content) > 0 {
		n = n.Content[0]
	}
	line := max(n.Line, 1) // an empty file's problems are on its first line
	for _, p := range path {
		next := child(n, p)
		if next == nil {
			break
		}
		line = next.Line
		if key, ok := p.(string); ok {
			for i := 0; i+1 < len(n.Content); i += 2 {
				if n.Content[i].Value == key {
					line = n.Content[i].Line
					break
				}
			}
		}
		n = next
	}
	return line
}

func child(n *yaml.Node, p any) *yaml.Node {
	switch key := p.(type) {
	case string:
		if n.Kind != yaml.MappingNode {
			return nil
		}
		for i := 0; i+1 < len(n.Content); i += 2 {
			if n.Content[i].Value == key {
				return n.Content[i+1]
			}
		}
	case int:
		if n.Kind == yaml.SequenceNode && key < len(n.Content) {
			return n.Content[key]
		}
	}
	return nil
}

func (c *checker) check(l *Loaded) {
	if l.Version == "" {
		c.fail(c.line("version"), "version", fmt.Sprintf("required: write %q", Version))
	} else if l.Version != Version {
		c.fail(c.line("version"), "version", fmt.Sprintf("%q is not a version this Fledge reads: write %q", l.Version, Version))
	}
	if l.Canary != nil {
		errs, _ := l.Canary.Validate(v1.ValidationOptions{})
		for _, e := range errs {
			if l.Scenario.Canary.Inline == nil {
				c.fail(c.line("canary"), "canary", e.Error())
				continue
			}
			// An inline Canary's problems are at their own line.
			c.fail(c.line(append([]any{"canary"}, splitField(e.Path)...)...), "canary."+e.Path, e.Reason)
		}
	}
	for i := range l.Templates {
		for _, e := range l.Templates[i].Validate() {
			c.fail(c.line("metricTemplates"), "metricTemplates", fmt.Sprintf("%s: %s", l.Templates[i].Name, e.Error()))
		}
	}
	c.checkCluster()
	c.checkRegression()
	names := map[string]bool{}
	for i := range l.Traffic {
		c.checkTraffic(&l.Traffic[i], []any{"traffic", i}, names)
	}
	for _, name := range slices.Sorted(maps.Keys(l.Webhooks)) { // in a stable order
		if _, _, err := l.Webhooks[name].Parse(); err != nil {
			c.fail(c.line("webhooks", name), "webhooks."+name, err.Error())
		}
	}
	for i := range l.Actions {
		c.checkAction(l, i, names)
	}
	c.checkExpect()
}

func (c *checker) checkCluster() {
	if c.s.Cluster.Replicas < 0 {
		c.fail(c.line("cluster", "replicas"), "cluster.replicas", "must not be negative")
	}
	if c.s.Cluster.ReadyAfter < 0 {
		c.fail(c.line("cluster", "readyAfter"), "cluster.readyAfter", "must not be negative")
	}
}

func (c *checker) checkRegression() {
	reg := c.s.Regression
	total := 0.0
	for _, code := range slices.Sorted(maps.Keys(reg.Codes)) { // in a stable order
		share := reg.Codes[code]
		if code < 100 || code > 599 || !(share >= 0 && share <= 1) {
			c.fail(c.line("regression", "codes"), "regression.codes",
				fmt.Sprintf("%d: %v: want an HTTP status 100..599 with a share from 0 to 1", code, share))
		}
		total += share
	}
	if total > 1 {
		c.fail(c.line("regression", "codes"), "regression.codes", fmt.Sprintf("the shares add up to %v, more than 1", total))
	}
	if reg.Delay < 0 {
		c.fail(c.line("regression", "delay"), "regression.delay", "must not be negative")
	}
}

func (c *checker) checkTraffic(t *Traffic, path []any, names map[string]bool) {
	field := fieldName(path)
	for _, p := range trafficProblems(t, names) {
		c.fail(c.line(append(append([]any{}, path...), p.sub)...), field+"."+p.sub, p.msg)
	}
	names[t.Name] = true
}

// problem is what is wrong with a sub-field.
type problem struct{ sub, msg string }

// trafficProblems checks a traffic source, names holding the sources
// named before it.
func trafficProblems(t *Traffic, names map[string]bool) []problem {
	var ps []problem
	add := func(sub, msg string) { ps = append(ps, problem{sub, msg}) }
	switch {
	case t.Name == "":
		add("name", "required")
	case names[t.Name]:
		add("name", fmt.Sprintf("%q is used twice", t.Name))
	}
	switch t.Target {
	case TargetApex, TargetCanary, TargetPrimary:
	default:
		add("target", fmt.Sprintf("%q: want apex, canary or primary", t.Target))
	}
	if !(t.RPS > 0) || math.IsInf(t.RPS, 0) { // .nan and .inf too
		add("rps", "must be a finite number above 0")
	}
	for _, msg := range codesProblems(t.Codes) {
		add("codes", msg)
	}
	if msg := latencyProblem(t.Latency); msg != "" {
		add("latency", msg)
	}
	if t.Until != 0 && t.Until <= t.From {
		add("until", "must be after from")
	}
	return ps
}

// shareTolerance absorbs the rounding of shares that add up to 1.
const shareTolerance = 1e-9

func codesProblems(codes map[int]float64) []string {
	var msgs []string
	total := 0.0
	for _, code := range slices.Sorted(maps.Keys(codes)) { // in a stable order
		share := codes[code]
		if code < 100 || code > 599 || !(share >= 0 && share <= 1) {
			msgs = append(msgs, fmt.Sprintf("%d: %v: want an HTTP status 100..599 with a share from 0 to 1", code, share))
		}
		total += share
	}
	switch {
	case len(codes) > 0 && total <= 0:
		msgs = append(msgs, "the shares add up to 0")
	case total > 1+shareTolerance:
		msgs = append(msgs, fmt.Sprintf("the shares add up to %v, more than 1: give each code its share of the answers (the rest are 200s)", total))
	}
	return msgs
}

func latencyProblem(lat Latency) string {
	switch {
	case lat.P50 < 0 || lat.P99 < 0 || lat.Delay < 0:
		return "must not be negative"
	case lat.P99 < lat.P50:
		return "p99 is below p50"
	case lat.P50 == 0 && lat.P99 > 0:
		return "p99 without p50"
	}
	return ""
}

// splitField is the inverse of fieldName: "spec.metrics[0].name" is
// "spec", "metrics", 0, "name".
func splitField(field string) []any {
	var path []any
	for _, part := range strings.Split(field, ".") {
		name, idx, _ := strings.Cut(part, "[")
		path = append(path, name)
		for idx != "" {
			var n string
			n, idx, _ = strings.Cut(idx, "]")
			if i, err := strconv.Atoi(n); err == nil {
				path = append(path, i)
			}
			idx = strings.TrimPrefix(idx, "[")
		}
	}
	return path
}

func fieldName(path []any) string {
	var b strings.Builder
	for _, p := range path {
		switch v := p.(type) {
		case string:
			if b.Len() > 0 {
				b.WriteByte('.')
			}
			b.WriteString(v)
		case int:
			b.WriteString("[" + strconv.Itoa(v) + "]")
		}
	}
	return b.String()
}

func (c *checker) checkExpect() {
	e := c.s.Expect
	if e.Phase != "" && !knownPhase(v1.CanaryPhase(e.Phase)) {
		c.fail(c.line("expect", "phase"), "expect.phase", fmt.Sprintf("%q is not a Canary phase", e.Phase))
	}
	if e.Match != "exact" && e.Match != "subsequence" {
		c.fail(c.line("expect", "match"), "expect.match", fmt.Sprintf("%q: want exact or subsequence", e.Match))
	}
}

func knownPhase(p v1.CanaryPhase) bool {
	switch p {
	case v1.PhaseInitializing, v1.PhaseInitialized, v1.PhaseWaiting, v1.PhaseProgressing, v1.PhaseWaitingPromotion,
		v1.PhasePromoting, v1.PhaseFinalising, v1.PhaseSucceeded, v1.PhaseFailed, v1.PhaseTerminating, v1.PhaseTerminated:
		return true
	}
	return false
}
