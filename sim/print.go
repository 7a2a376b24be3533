package sim

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fledge-canary/fledge/core/engine"
)

// Print writes a run as the tutorial shows it: the event lines with their
// virtual time (from the start of the scenario) and type, then a `kubectl
// describe canary`-like Status block.
func Print(w io.Writer, res *Result, withBootstrap bool) {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTYPE\tMESSAGE")
	if withBootstrap {
		printEvents(tw, res.Start, res.Bootstrap)
	}
	printEvents(tw, res.Start, res.Events)
	_ = tw.Flush()
	fmt.Fprintf(w, "\nStatus:\n  Canary Weight:  %d\n  Failed Checks:  %d\n  Phase:          %s\nEvents:\n",
		res.Status.CanaryWeight, res.Status.FailedChecks, res.Status.Phase)
	for _, e := range res.Events {
		fmt.Fprintf(w, " %s\n", e.Message)
	}
	printAlerts(w, res)
}

// printAlerts lists the alerts sent, with their virtual time and fields.
func printAlerts(w io.Writer, res *Result) {
	if len(res.Alerts) == 0 {
		return
	}
	fmt.Fprintln(w, "Alerts:")
	for _, a := range res.Alerts {
		fmt.Fprintf(w, "  %s  %s\n", clock(a.Time.Sub(res.Start)), AlertLine(a))
		for _, f := range a.Fields {
			fmt.Fprintf(w, "          %s: %s\n", f.Name, f.Value)
		}
	}
}

func printEvents(w io.Writer, start time.Time, events []engine.Event) {
	for _, e := range events {
		fmt.Fprintf(w, "%s\t%s\t%s\n", clock(e.Time.Sub(start)), e.Type, e.Message)
	}
}

// clock formats a virtual time as m:ss, negative before the start.
func clock(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%s%d:%02d", sign, int(d.Minutes()), int(d.Seconds())%60)
}

// Summary is a one-line verdict of a run against its expectations: PASS,
// FAIL with every failure on a line of its own, or DONE for a run that
// expected nothing, which can pass nothing.
func Summary(name string, res *Result, failures []Failure, expected bool) string {
	var b strings.Builder
	switch {
	case !expected:
		fmt.Fprintf(&b, "DONE %s: %s after %s (no expectations), weights %v, %d events",
			name, res.Status.Phase, clock(res.Duration()), res.Weights(), len(res.Events))
	case len(failures) == 0:
		fmt.Fprintf(&b, "PASS %s: %s after %s, weights %v, %d events",
			name, res.Status.Phase, clock(res.Duration()), res.Weights(), len(res.Events))
	default:
		fmt.Fprintf(&b, "FAIL %s:", name)
		for _, f := range failures {
			fmt.Fprintf(&b, "\n  %s", f)
		}
	}
	return b.String()
}
