package report

import (
	"bytes"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"

	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim"
)

// Run is one replay to report: the scenario's name, its file and seed, what
// the simulator produced, and the expectations the result broke.
type Run struct {
	Name     string
	File     string
	Seed     uint64
	Result   *sim.Result
	Failures []sim.Failure
	// NoExpectations marks a run that asserted nothing: it is DONE,
	// neither passed nor failed.
	NoExpectations bool
	// Actions are the scenario's timeline, drawn on every chart.
	Actions []Action
	// Replay, when set, marks a replay of recorded data (fledge replay)
	// and says its outcome: it has no expectations and no seed, and its
	// times are real ones from the new revision's detection.
	Replay string
}

// Write renders runs as one self-contained HTML page. Nothing is written
// when a run cannot be rendered.
func Write(w io.Writer, runs []Run) error {
	p, err := buildPage(runs)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	if err := pageTemplate.Execute(&buf, p); err != nil {
		return fmt.Errorf("render report: %w", err)
	}
	_, err = w.Write(buf.Bytes())
	return err
}

// page is what the template renders.
type page struct {
	Runs                 []runView
	Passed, Failed, Done int
	Replays              int
}

// runView is one run as the page shows it.
type runView struct {
	ID, Name, File string
	Seed           uint64
	Pass           bool
	NoExpectations bool
	Replay         string
	Failures       []sim.Failure
	Duration       string
	Status         statusView
	Weight         *chart
	Metrics        []*chart
	Events         []eventRow
	Notes          []eventRow
	Actions        []eventRow
}

// Verdict is PASS, FAIL, or DONE for a run without expectations.
func (v runView) Verdict() string {
	switch {
	case v.Replay != "":
		return "REPLAY"
	case v.NoExpectations:
		return "DONE"
	case v.Pass:
		return "PASS"
	}
	return "FAIL"
}

// VerdictClass is the verdict's CSS class.
func (v runView) VerdictClass() string { return strings.ToLower(v.Verdict()) }

// statusView is the canary's status when the run stopped.
type statusView struct {
	Phase           string
	Weight          int
	FailedChecks    int
	MaxFailedChecks int
	Condition       string
}

// eventRow is a line of the event (or note) table.
type eventRow struct {
	Time, Type, Phase, Message string
	Warning                    bool
}

func buildPage(runs []Run) (*page, error) {
	p := &page{}
	ids := map[string]int{}
	for i, r := range runs {
		if r.Result == nil {
			return nil, fmt.Errorf("run %d (%s) has no result", i, r.Name)
		}
		id := slug(r.Name)
		if ids[id]++; ids[id] > 1 {
			id = fmt.Sprintf("%s-%d", id, ids[id])
		}
		v := buildRun(id, r)
		switch {
		case v.Replay != "":
			p.Replays++
		case v.NoExpectations:
			p.Done++
		case v.Pass:
			p.Passed++
		default:
			p.Failed++
		}
		p.Runs = append(p.Runs, v)
	}
	return p, nil
}

func buildRun(id string, r Run) runView {
	res := r.Result
	v := runView{
		ID: id, Name: r.Name, File: r.File, Seed: r.Seed,
		Pass: len(r.Failures) == 0, NoExpectations: r.NoExpectations, Failures: r.Failures,
		Duration: svgfmt.Clock(res.Duration()),
		Status:   buildStatus(res),
	}
	span := timeSpan(res)
	v.Weight = weightChart(id, res, span)
	v.Metrics = metricCharts(id, res, span)
	for _, c := range append([]*chart{v.Weight}, v.Metrics...) {
		c.actionMarks(r.Actions)
	}
	for i, a := range r.Actions {
		v.Actions = append(v.Actions, eventRow{Time: svgfmt.Clock(a.At), Type: fmt.Sprintf("A%d", i+1), Message: a.Text})
	}
	if r.Replay != "" {
		v.Replay = r.Replay
		for _, c := range append([]*chart{v.Weight}, v.Metrics...) {
			c.XLabel = "time since the new revision was detected (m:ss)"
		}
	}
	for _, e := range res.Events {
		v.Events = append(v.Events, eventRow{
			Time: svgfmt.Clock(e.Time.Sub(res.Start)), Type: string(e.Type), Phase: string(e.Phase),
			Message: e.Message, Warning: e.Type == engine.Warning,
		})
	}
	for _, n := range res.Notes {
		v.Notes = append(v.Notes, eventRow{Time: svgfmt.Clock(n.Time.Sub(res.Start)), Message: n.Text})
	}
	return v
}

func buildStatus(res *sim.Result) statusView {
	st := res.Status
	s := statusView{
		Phase: string(st.Phase), Weight: st.CanaryWeight, FailedChecks: st.FailedChecks,
		MaxFailedChecks: res.MaxFailedChecks(),
	}
	if n := len(st.Conditions); n > 0 {
		c := st.Conditions[n-1]
		s.Condition = fmt.Sprintf("%s=%s (%s): %s", c.Type, c.Status, c.Reason, c.Message)
	}
	return s
}

// timeSpan is the length of the charts' x axis: the run's duration, or
// later when something was recorded after the end; never zero.
func timeSpan(res *sim.Result) time.Duration {
	end := res.End
	for _, e := range res.Events {
		if e.Time.After(end) {
			end = e.Time
		}
	}
	for _, w := range res.Routes {
		if w.Time.After(end) {
			end = w.Time
		}
	}
	for _, t := range res.Ticks {
		if t.Time.After(end) {
			end = t.Time
		}
	}
	if d := end.Sub(res.Start); d > 0 {
		return d
	}
	return time.Minute
}
