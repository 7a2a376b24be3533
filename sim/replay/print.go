package replay

import (
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/fledge-canary/fledge/core/decide"
)

// Print writes a replay for a person: what was replayed, the outcome, the
// events with their time from the start, every check, the spec's weight
// beside the recorded share, and what the replay assumed.
func Print(w io.Writer, res *Result) {
	fmt.Fprintf(w, "# replay of %s over %s\n", res.Canary, res.Source)
	fmt.Fprintf(w, "Recorded samples of the canary's series: %s to %s; ticks from %s (new revision detected) to %s.\n",
		stamp(res.DataFrom), stamp(res.DataTo), stamp(res.Start), stamp(res.End))
	fmt.Fprintf(w, "Outcome: %s\n\n", res.OutcomeLine())
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tTYPE\tMESSAGE")
	for _, e := range res.Run.Events {
		fmt.Fprintf(tw, "%s\t%s\t%s\n", clock(e.Time.Sub(res.Start)), e.Type, e.Message)
	}
	_ = tw.Flush()
	printChecks(w, res)
	printShares(w, res)
	fmt.Fprintln(w, "\nWhat a replay cannot know:")
	for _, a := range res.Assumptions {
		fmt.Fprintf(w, "  - %s\n", a)
	}
}

// OutcomeLine says what the replay decided and when.
func (res *Result) OutcomeLine() string {
	if res.DecidedAt == nil {
		return fmt.Sprintf("undecided: the recording ended at %s before the analysis did (phase %s, weight %d, %d failed checks)",
			stamp(res.End), res.Run.Status.Phase, res.Run.Status.CanaryWeight, res.Run.Status.FailedChecks)
	}
	return fmt.Sprintf("%s at %s (%s after the new revision was detected, tick %d)",
		res.Outcome, stamp(*res.DecidedAt), clock(res.DecidedAt.Sub(res.Start)), res.tickIndex(*res.DecidedAt)+1)
}

func (res *Result) tickIndex(t time.Time) int {
	for i, rec := range res.Run.Ticks {
		if rec.Time.Equal(t) {
			return i
		}
	}
	return -1
}

func printChecks(w io.Writer, res *Result) {
	checks := res.Checks()
	if len(checks) == 0 {
		fmt.Fprintln(w, "\nNo metric checks ran.")
		return
	}
	fmt.Fprintln(w, "\nQueries (rendered as the engine rendered them):")
	seen := map[string]bool{}
	for _, c := range checks {
		if !seen[c.Metric] && c.Query != "" {
			seen[c.Metric] = true
			fmt.Fprintf(w, "  %s: %s\n", c.Metric, oneLine(c.Query))
		}
	}
	fmt.Fprintln(w, "\nChecks:")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tMETRIC\tVALUE\tBOUNDS\tVERDICT")
	for _, c := range checks {
		verdict := string(c.Outcome)
		if c.Message != "" {
			verdict += ": " + c.Message
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\n", clock(c.Time.Sub(res.Start)), c.Metric, value(c.Verdict), bounds(c.Verdict), verdict)
	}
	_ = tw.Flush()
}

func printShares(w io.Writer, res *Result) {
	fmt.Fprintln(w, "\nCanary weight: the spec's after each tick, and the canary's recorded share of the requests (last minute):")
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TIME\tSPEC WEIGHT\tRECORDED SHARE")
	for _, s := range res.Shares {
		share := "no requests"
		if s.RecordedShare != nil {
			share = strconv.FormatFloat(*s.RecordedShare, 'f', 1, 64) + "%"
		}
		fmt.Fprintf(tw, "%s\t%d%%\t%s\n", clock(s.Time.Sub(res.Start)), s.SpecWeight, share)
	}
	_ = tw.Flush()
}

func value(v decide.Verdict) string {
	if !v.HasValue {
		return "-"
	}
	return strconv.FormatFloat(v.Value, 'g', 6, 64)
}

func bounds(v decide.Verdict) string {
	f := func(p *float64) string {
		if p == nil {
			return ""
		}
		return strconv.FormatFloat(*p, 'g', -1, 64)
	}
	switch {
	case v.Min != nil && v.Max != nil:
		return "[" + f(v.Min) + ", " + f(v.Max) + "]"
	case v.Min != nil:
		return ">= " + f(v.Min)
	case v.Max != nil:
		return "<= " + f(v.Max)
	}
	return "-"
}

// oneLine collapses a query's whitespace.
func oneLine(q string) string { return strings.Join(strings.Fields(q), " ") }

// clock formats a time from the start as m:ss, negative before it.
func clock(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	d = d.Round(time.Second)
	return fmt.Sprintf("%s%d:%02d", sign, int(d.Minutes()), int(d.Seconds())%60)
}
