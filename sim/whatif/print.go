package whatif

import (
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
	"time"
)

// Print writes the report as a table with the arithmetic's check under it.
func (r *Report) Print(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "What if %s ships: interval %v, threshold %d, %s; checks: %s\n",
		r.Spec.Canary, r.Spec.Interval, r.Spec.Threshold, weightsText(r.Spec.Weights, r.Spec.MaxWeight),
		strings.Join(r.Spec.Metrics, ", "))
	p := r.Profile
	fmt.Fprintf(&b, "Traffic: %g rps of users, %g%% 5xx, %g%% 404, p50 %v, p99 %v, rollouts ready in %v; %d runs per case, seed %d\n\n",
		p.RPS, p.ErrorRate, p.NotFoundRate, p.P50, p.P99, p.ReadyAfter, r.Runs, r.Seed)
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(CaseColumns(), "\t")+"\t")
	for _, c := range r.Cases {
		fmt.Fprintln(tw, strings.Join(c.Cells(), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n")
	b.WriteString(r.findings())
	_, err := io.WriteString(w, b.String())
	return err
}

// CaseColumns are the headings of the table of cases; [CaseResult.Cells]
// are its rows.
func CaseColumns() []string {
	return []string{"CASE", "PROMOTED", "ROLLED BACK (95% CI)", "PROMOTED IN p50/p90/max",
		"ROLLED BACK IN p50/p90/max", "FAILED USER REQUESTS p50/p90"}
}

// Cells are the case's row of the table of cases, as Print writes it.
func (c CaseResult) Cells() []string {
	return []string{c.Name, percent(c.Promoted.P), rateText(c.RolledBack),
		timesText(c.TimeToPromote), timesText(c.TimeToRollback),
		fmt.Sprintf("%.0f / %.0f", c.BlastRadius.P50, c.BlastRadius.P90)}
}

// Findings are the sentences Print writes under the table, one a line.
func (r *Report) Findings() []string {
	var out []string
	for _, line := range strings.Split(r.findings(), "\n") {
		if line = strings.TrimSpace(line); line != "" {
			out = append(out, line)
		}
	}
	return out
}

// findings are the sentences under the table.
func (r *Report) findings() string {
	var b strings.Builder
	b.WriteString(r.arithmeticFinding())
	if h, ok := r.Healthy(); ok {
		fmt.Fprintf(&b, "False rollbacks of a healthy canary: %s.\n", rateText(h.RolledBack))
	}
	b.WriteString(r.undecidedFinding())
	b.WriteString(r.missedFinding())
	return b.String()
}

// arithmeticFinding compares the healthy runs with the spec's arithmetic,
// or says why there is none.
func (r *Report) arithmeticFinding() string {
	ar := r.Arithmetic
	h, ok := r.Healthy()
	switch {
	case ar.Error != "":
		return fmt.Sprintf("Arithmetic: not computed: %s.\n", ar.Error)
	case !ok:
		return ""
	}
	s := fmt.Sprintf("Arithmetic: %d ticks of %v = %v from the change to the promotion with rollouts ready in %v (Flagger's interval × weights counts %v of it).\n",
		int(ar.Promotion/ar.Interval), ar.Interval, ar.Promotion, r.Profile.ReadyAfter, ar.Analysis)
	switch {
	case h.TimeToPromote.N == 0:
		s += "  No healthy run promoted.\n"
	case ar.Holds:
		s += "  Every healthy run that promoted took exactly that.\n"
	default:
		s += fmt.Sprintf("  Healthy runs took %v to %v: checks that failed on noise held some back.\n",
			seconds(h.TimeToPromote.Min), seconds(h.TimeToPromote.Max))
	}
	if t := ar.Scenarios; t != nil {
		s += fmt.Sprintf("  fledge sim's tutorial scenarios roll out in %v (their cluster.readyAfter), which makes it %v: --ready-after %v studies that.\n",
			seconds(t.ReadyAfterSeconds), seconds(t.PromotionSeconds), seconds(t.ReadyAfterSeconds))
	}
	return s
}

// undecidedFinding names the cases with runs that neither promoted nor
// rolled back before the run's end.
func (r *Report) undecidedFinding() string {
	var cases []string
	for _, c := range r.Cases {
		if c.Undecided > 0 {
			cases = append(cases, fmt.Sprintf("%s %d of %d", c.Name, c.Undecided, c.Runs))
		}
	}
	if len(cases) == 0 {
		return ""
	}
	return fmt.Sprintf("Undecided after %v (neither promoted nor rolled back): %s.\n",
		seconds(r.RunLengthSeconds), strings.Join(cases, ", "))
}

// missedFinding names the regressions rolled back in fewer than half the
// runs that decided; undecided runs are counted apart.
func (r *Report) missedFinding() string {
	var missed []string
	for _, c := range r.Cases {
		decided := c.Decided()
		if c.Kind == Healthy || decided == 0 || 2*c.RolledBack.Count >= decided {
			continue
		}
		if c.Undecided == 0 {
			missed = append(missed, fmt.Sprintf("%s (%s)", c.Name, percent(c.RolledBack.P)))
			continue
		}
		missed = append(missed, fmt.Sprintf("%s (%d of %d decided runs, %d undecided)", c.Name, c.RolledBack.Count, decided, c.Undecided))
	}
	if len(missed) == 0 {
		return ""
	}
	return fmt.Sprintf("Caught in fewer than half the runs: %s.\n", strings.Join(missed, ", "))
}

func weightsText(ws []int, maxWeight int) string {
	if len(ws) == 0 {
		return fmt.Sprintf("max weight %d", maxWeight)
	}
	parts := make([]string, len(ws))
	for i, w := range ws {
		parts[i] = fmt.Sprint(w)
	}
	return "weights " + strings.Join(parts, ",")
}

func percent(p float64) string { return fmt.Sprintf("%.1f%%", 100*p) }

func rateText(r Rate) string {
	return fmt.Sprintf("%s (%.1f–%.1f%%)", percent(r.P), 100*r.Low, 100*r.High)
}

func timesText(s Spread) string {
	if s.N == 0 {
		return "-"
	}
	return seconds(s.P50).String() + " / " + seconds(s.P90).String() + " / " + seconds(s.Max).String()
}

func seconds(s float64) time.Duration { return time.Duration(s * float64(time.Second)) }

// Print writes one line per setting, the frontier marked, best time first
// among equals in grid order.
func (s *SweepReport) Print(w io.Writer) error {
	var b strings.Builder
	tw := tabwriter.NewWriter(&b, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, strings.Join(PointColumns(), "\t")+"\t")
	for _, p := range s.Points {
		fmt.Fprintln(tw, strings.Join(p.Cells(), "\t")+"\t")
	}
	if err := tw.Flush(); err != nil {
		return err
	}
	b.WriteString("\n" + s.FrontierNote() + "\n")
	for _, p := range s.Points {
		if p.Report == nil {
			continue
		}
		if u := p.Report.undecidedFinding(); u != "" {
			b.WriteString(p.Setting.String() + ": " + u)
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// PointColumns are the headings of a sweep's table; [Point.Cells] are its
// rows.
func PointColumns() []string {
	return []string{"SETTING", "PROMOTED IN p50", "FALSE ROLLBACKS", "MEAN FAILED USER REQUESTS", "DETECTION", "FRONTIER"}
}

// Cells are the point's row of a sweep's table, as Print writes it: "*"
// marks the frontier.
func (p Point) Cells() []string {
	mark := ""
	if p.Frontier {
		mark = "*"
	}
	promote := "-"
	if p.TimeToPromote > 0 {
		promote = seconds(p.TimeToPromote).String()
	}
	blast, detection := "-", "-"
	if p.StudiedRegressions() {
		blast, detection = fmt.Sprintf("%.1f", p.BlastRadius), percent(p.Detection)
	}
	return []string{p.Setting.String(), promote, percent(p.FalseRollback), blast, detection, mark}
}
