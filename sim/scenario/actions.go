package scenario

import (
	"fmt"
	"strings"
)

// Parse reads a reply: pass, fail, or "fail: BODY" (the body is the error
// the webhook returns).
func (r Reply) Parse() (pass bool, body string, err error) {
	s := strings.TrimSpace(string(r))
	switch {
	case s == "pass":
		return true, "", nil
	case s == "fail":
		return false, "Forbidden", nil
	case strings.HasPrefix(s, "fail:"):
		return false, strings.TrimSpace(strings.TrimPrefix(s, "fail:")), nil
	}
	return false, "", fmt.Errorf("%q: want pass, fail or \"fail: BODY\"", s)
}

// Verbs counts the verbs set on an action.
func (a Action) verbs() []string {
	var v []string
	for name, set := range map[string]bool{
		"run": a.Run != "", "stop": a.Stop != "", "setImage": a.SetImage != "", "traffic": a.Traffic != nil,
		"webhook": a.Webhook != nil, "metric": a.Metric != nil, "stall": a.Stall != "",
		"apply": a.Apply != nil, "delete": a.Delete != "",
	} {
		if set {
			v = append(v, name)
		}
	}
	return v
}

func (c *checker) checkAction(l *Loaded, i int, sources map[string]bool) {
	a := &l.Actions[i]
	path := []any{"actions", i}
	field := fieldName(path)
	fail := func(sub, msg string) {
		c.fail(c.line(append(append([]any{}, path...), sub)...), field+"."+sub, msg)
	}
	if a.At < 0 {
		fail("at", "must not be negative")
	}
	if v := a.verbs(); len(v) != 1 {
		c.fail(c.line(path...), field, fmt.Sprintf("want exactly one of run, stop, setImage, traffic, webhook, metric, stall, apply, delete; found %d", len(v)))
		return
	}
	switch {
	case a.Run != "":
		c.checkRun(l, a.Run, fail, sources)
	case a.Traffic != nil:
		c.checkTraffic(a.Traffic, append(path, "traffic"), sources)
	case a.Metric != nil:
		c.checkMetric(l, a.Metric, fail)
	default:
		if sub, msg := simpleVerbProblem(a, sources); msg != "" {
			fail(sub, msg)
		}
	}
}

// simpleVerbProblem checks the verbs that need no more than their value:
// stop, setImage, webhook and stall.
func simpleVerbProblem(a *Action, sources map[string]bool) (sub, msg string) {
	switch {
	case a.Stop != "" && !sources[a.Stop]:
		return "stop", fmt.Sprintf("%q is not a traffic source or command started before", a.Stop)
	case a.SetImage != "":
		if ctr, img, ok := strings.Cut(a.SetImage, "="); !ok || ctr == "" || img == "" {
			return "setImage", "want CONTAINER=IMAGE"
		}
	case a.Webhook != nil:
		if _, _, err := a.Webhook.Reply.Parse(); err != nil {
			return "webhook", err.Error()
		}
	case a.Stall != "" && a.Stall != TargetCanary && a.Stall != TargetPrimary:
		return "stall", fmt.Sprintf("%q: want canary or primary", a.Stall)
	case a.Delete != "" && a.Delete != "canary":
		return "delete", fmt.Sprintf("%q: want canary (the one object a scenario deletes)", a.Delete)
	}
	return "", ""
}

func (c *checker) checkRun(l *Loaded, run string, fail func(string, string), sources map[string]bool) {
	cmd, err := ParseCommand(run)
	if err != nil {
		fail("run", err.Error())
		return
	}
	if cmd.Kind == "traffic" {
		sources[run] = true
		if l.Canary != nil && l.TargetOf(cmd.Service) == "" {
			names := l.Canary.GetServiceNames()
			fail("run", fmt.Sprintf("host %q is none of the canary's services %s, %s, %s", cmd.Service, names.Apex, names.Canary, names.Primary))
		}
	}
}

func (c *checker) checkMetric(l *Loaded, m *MetricValue, fail func(string, string)) {
	set := 0
	for _, b := range []bool{m.Value != nil, m.NoData, m.Model} {
		if b {
			set++
		}
	}
	if set != 1 {
		fail("metric", "want exactly one of value, noData, model")
	}
	if l.Canary == nil {
		return
	}
	for _, cm := range l.Canary.GetAnalysis().Metrics {
		if cm.Name == m.Name {
			return
		}
	}
	fail("metric", fmt.Sprintf("%q is not a metric of the canary", m.Name))
}

// TargetOf maps a Service name to the traffic target it reaches: apex,
// canary or primary; "" for another Service.
func (l *Loaded) TargetOf(service string) string {
	names := l.Canary.GetServiceNames()
	switch service {
	case names.Apex:
		return TargetApex
	case names.Canary:
		return TargetCanary
	case names.Primary:
		return TargetPrimary
	}
	return ""
}
