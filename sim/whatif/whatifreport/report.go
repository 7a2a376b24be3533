package whatifreport

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// Write renders a study as one self-contained HTML page. Nothing is
// written when the report cannot be rendered.
func Write(w io.Writer, rep *whatif.Report) error {
	if rep == nil {
		return errors.New("render what-if report: no report")
	}
	return render(w, "study", studyPageOf(rep))
}

// WriteSweep renders a sweep as one self-contained HTML page.
func WriteSweep(w io.Writer, rep *whatif.SweepReport) error {
	if rep == nil {
		return errors.New("render what-if sweep report: no report")
	}
	for i, p := range rep.Points {
		if p.Report == nil {
			return fmt.Errorf("render what-if sweep report: setting %d (%s) has no report", i, p.Setting)
		}
	}
	return render(w, "sweep", sweepPageOf(rep))
}

func render(w io.Writer, name string, data any) error {
	var buf bytes.Buffer
	if err := pageTemplate.ExecuteTemplate(&buf, name, data); err != nil {
		return fmt.Errorf("render what-if report: %w", err)
	}
	_, err := w.Write(buf.Bytes())
	return err
}

// studyPage is what the "study" template renders.
type studyPage struct {
	Study                     studyView
	Detection, Promote, Blast *chart
}

// studyView is a study's facts: its spec, its traffic, the table of
// cases and the findings under it.
type studyView struct {
	Spec, Traffic []field
	Cases         table
	Findings      []string
}

// field is a labelled value; Key is its class.
type field struct{ Key, Label, Value string }

// table is a table with a heading per column and a row per case or point.
type table struct {
	ID      string
	Columns []string
	Rows    []row
}

// row is a table's row; Key names it (data-key) and its first cell is
// its heading.
type row struct {
	Key, Class string
	Cells      []string
}

func studyPageOf(rep *whatif.Report) *studyPage {
	return &studyPage{
		Study:     studyViewOf(rep, "cases-table"),
		Detection: detectionChart(rep.Cases),
		Promote:   promoteChart(rep),
		Blast:     blastChart(rep.Cases),
	}
}

func studyViewOf(rep *whatif.Report, tableID string) studyView {
	v := studyView{Spec: specFields(rep), Traffic: trafficFields(rep), Findings: rep.Findings(),
		Cases: table{ID: tableID, Columns: whatif.CaseColumns()}}
	for _, c := range rep.Cases {
		v.Cases.Rows = append(v.Cases.Rows, row{Key: c.Name, Class: "case-row " + kindClass(c.Kind), Cells: c.Cells()})
	}
	return v
}

func specFields(rep *whatif.Report) []field {
	s := rep.Spec
	weights := "up to " + strconv.Itoa(s.MaxWeight)
	if len(s.Weights) > 0 {
		parts := make([]string, len(s.Weights))
		for i, w := range s.Weights {
			parts[i] = strconv.Itoa(w)
		}
		weights = strings.Join(parts, ", ")
	}
	promotion := "not computed: " + rep.Arithmetic.Error
	if rep.Arithmetic.Error == "" {
		promotion = fmt.Sprintf("%v (%s), of which Flagger's interval × weights counts %v",
			rep.Arithmetic.Promotion, svgfmt.Clock(rep.Arithmetic.Promotion), rep.Arithmetic.Analysis)
	}
	return []field{
		{"canary", "Canary", s.Canary},
		{"interval", "Interval", s.Interval.String()},
		{"threshold", "Threshold", strconv.Itoa(s.Threshold) + " failed checks"},
		{"weights", "Canary weights (%)", weights},
		{"checks", "Checks", strings.Join(s.Metrics, ", ")},
		{"arithmetic", "Promotion by the arithmetic", promotion},
	}
}

func trafficFields(rep *whatif.Report) []field {
	p := rep.Profile
	g := func(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }
	return []field{
		{"rps", "Users' requests", g(p.RPS) + " per second"},
		{"error-rate", "Primary's 5xx", g(p.ErrorRate) + "%"},
		{"not-found-rate", "Primary's 404s", g(p.NotFoundRate) + "%"},
		{"latency", "Primary's latency", "p50 " + p.P50.String() + ", p99 " + p.P99.String()},
		{"ready-after", "Rollouts ready in", p.ReadyAfter.String()},
		{"runs", "Runs per case", strconv.Itoa(rep.Runs)},
		{"seed", "Seed", strconv.FormatUint(rep.Seed, 10)},
	}
}

// sweepPage is what the "sweep" template renders.
type sweepPage struct {
	Canary        string
	FrontierNote  string
	Axes, Traffic []field
	Points        table
	Frontier      *chart
	Unplotted     []string
	Settings      []settingView
}

// settingView is one setting's study, folded under the sweep.
type settingView struct {
	Name     string
	Frontier bool
	Study    studyView
}

func sweepPageOf(rep *whatif.SweepReport) *sweepPage {
	p := &sweepPage{FrontierNote: rep.FrontierNote(), Points: table{ID: "points-table", Columns: whatif.PointColumns()}}
	for _, ax := range rep.Axes {
		p.Axes = append(p.Axes, field{Key: "axis", Label: ax.Key, Value: strings.Join(ax.Values, ", ")})
	}
	if len(rep.Points) > 0 {
		p.Canary, p.Traffic = rep.Points[0].Report.Spec.Canary, trafficFields(rep.Points[0].Report)
	}
	for i, pt := range rep.Points {
		class := "point-row"
		if pt.Frontier {
			class += " frontier"
		}
		name := pt.Setting.String()
		p.Points.Rows = append(p.Points.Rows, row{Key: name, Class: class, Cells: pt.Cells()})
		p.Settings = append(p.Settings, settingView{Name: name, Frontier: pt.Frontier,
			Study: studyViewOf(pt.Report, fmt.Sprintf("cases-table-%d", i+1))})
	}
	p.Frontier, p.Unplotted = frontierChart(rep.Points)
	return p
}
