package sim

import (
	"strings"

	"github.com/fledge-canary/fledge/core/engine"
)

// alertsOf are the alerts of the ticks, in order.
func alertsOf(records []engine.Record) []engine.Alert {
	var out []engine.Alert
	for _, r := range records {
		out = append(out, r.Alerts...)
	}
	return out
}

// AlertLine is an alert as the output and expect.alerts write it:
// "[SEVERITY] MESSAGE -> RECEIVERS", the receivers being the names of the
// canary's analysis.alerts entries that take it, or "global notifier".
// The fields are left out: they are the same on every run of a spec.
func AlertLine(a engine.Alert) string {
	to := "global notifier"
	if !a.Global {
		names := make([]string, len(a.Receivers))
		for i, r := range a.Receivers {
			names[i] = r.Name
		}
		to = strings.Join(names, ", ")
	}
	return "[" + a.Severity + "] " + a.Message + " -> " + to
}

// AlertLines are the run's alerts as AlertLine writes them.
func (res *Result) AlertLines() []string {
	out := make([]string, len(res.Alerts))
	for i, a := range res.Alerts {
		out[i] = AlertLine(a)
	}
	return out
}
