package whatifreport_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/report/reporttest"
	"github.com/fledge-canary/fledge/sim/whatif"
	"github.com/fledge-canary/fledge/sim/whatif/whatifreport"
)

const evil = `<script>alert("x")</script> & "co"`

// caseOf is a case of 5 runs: rolled back ones take 210 s, promoted ones
// the times given; failed are the runs' failed user requests.
func caseOf(c whatif.Case, rolled int, low, high float64, promoted []float64, failed ...uint64) whatif.CaseResult {
	r := whatif.CaseResult{Case: c, Name: c.Name(), Runs: 5,
		RolledBack: whatif.Rate{Count: rolled, Of: 5, P: float64(rolled) / 5, Low: low, High: high},
		Promoted:   whatif.Rate{Count: len(promoted), Of: 5, P: float64(len(promoted)) / 5}}
	var fs []float64
	for i, f := range failed {
		s := whatif.Sample{Seconds: 210, Failed: f, Phase: v1.PhaseFailed}
		if i < len(promoted) {
			s = whatif.Sample{Seconds: promoted[i], Failed: f, Phase: v1.PhaseSucceeded}
		}
		r.Samples = append(r.Samples, s)
		fs = append(fs, float64(f))
	}
	slices.Sort(fs)
	r.BlastRadius = whatif.Spread{N: len(fs), P50: fs[2], P90: fs[4], Max: fs[4]}
	if len(promoted) > 0 {
		r.TimeToPromote = whatif.Spread{N: len(promoted), P50: promoted[0], P90: slices.Max(promoted), Max: slices.Max(promoted)}
	}
	return r
}

// study is a report of five cases over the tutorial's timing: healthy runs
// promote on the arithmetic's 6:30 but for one held back to 7:00.
func study() *whatif.Report {
	return &whatif.Report{
		Spec: whatif.SpecSummary{Canary: "test/" + evil, Interval: 30 * time.Second, Threshold: 5, MaxWeight: 50,
			Weights: []int{10, 20, 30, 40, 50}, Metrics: []string{"request-success-rate"}},
		Profile: whatif.DefaultProfile(), Runs: 5, Seed: 7,
		Arithmetic: whatif.ArithmeticCheck{Arithmetic: whatif.Arithmetic{Interval: 30 * time.Second,
			Weights: []int{10, 20, 30, 40, 50}, ReadyTicks: 1, Analysis: 150 * time.Second, Promotion: 390 * time.Second}},
		Cases: []whatif.CaseResult{
			caseOf(whatif.Case{Kind: whatif.Healthy}, 0, 0, 0.434, []float64{390, 390, 420, 390, 390}, 1, 2, 3, 2, 2),
			caseOf(whatif.Case{Kind: whatif.Errors, Size: 2}, 3, 0.231, 0.882, []float64{390, 390}, 4, 9, 12, 10, 9),
			caseOf(whatif.Case{Kind: whatif.Errors, Size: 20}, 5, 0.566, 1, nil, 30, 40, 47, 41, 44),
			caseOf(whatif.Case{Kind: whatif.Latency, Size: 500}, 5, 0.566, 1, nil, 0, 0, 0, 0, 0),
			caseOf(whatif.Case{Kind: whatif.NotFound, Size: 5}, 1, 0.036, 0.624, []float64{390, 390, 390, 390}, 6, 8, 9, 7, 8),
		},
	}
}

func render(t *testing.T, rep *whatif.Report) (*reporttest.Doc, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := whatifreport.Write(&buf, rep); err != nil {
		t.Fatal(err)
	}
	return parse(t, buf.String()), buf.String()
}

func parse(t *testing.T, page string) *reporttest.Doc {
	t.Helper()
	doc, err := reporttest.Parse(strings.NewReader(page))
	if err != nil {
		t.Fatal(err)
	}
	return doc
}

func chart(t *testing.T, doc *reporttest.Doc, id string) *reporttest.Chart {
	t.Helper()
	c, err := doc.Chart(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// near compares a value read back from pixels (rounded to 0.1 px).
func near(got, want, span float64) bool { return math.Abs(got-want) <= span/1000+1e-9 }

func TestDetectionChartHasAPointPerCaseAtItsRate(t *testing.T) {
	rep := study()
	doc, _ := render(t, rep)
	c := chart(t, doc, "detection-chart")
	points := c.Marks("circle", "point")
	if len(points) != len(rep.Cases) {
		t.Fatalf("%d points, want one per case (%d)", len(points), len(rep.Cases))
	}
	for i, tc := range []struct {
		name, kind string
		wantY      float64 // percent of runs rolled back
		low, high  string
	}{
		{"healthy", "healthy", 0, "0", "0.434"},
		{"+2% 5xx", "5xx", 60, "0.231", "0.882"},
		{"+20% 5xx", "5xx", 100, "0.566", "1"},
		{"+500ms", "latency", 100, "0.566", "1"},
		{"+5% 404", "404", 20, "0.036", "0.624"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n := points[i]
			if got := reporttest.Attr(n, "data-case"); got != tc.name {
				t.Fatalf("point %d is %q, want %q", i, got, tc.name)
			}
			if !reporttest.HasClass(n, "kind-"+tc.kind) || reporttest.Attr(n, "data-kind") != tc.kind {
				t.Errorf("point %s: class %q data-kind %q, want kind %s", tc.name, reporttest.Attr(n, "class"), reporttest.Attr(n, "data-kind"), tc.kind)
			}
			if p := reporttest.Attr(n, "data-value"); p != strconv.FormatFloat(tc.wantY/100, 'f', -1, 64) {
				t.Errorf("point %s data-value %q, want %v", tc.name, p, tc.wantY/100)
			}
			if reporttest.Attr(n, "data-low") != tc.low || reporttest.Attr(n, "data-high") != tc.high {
				t.Errorf("point %s interval %s–%s, want %s–%s", tc.name, reporttest.Attr(n, "data-low"), reporttest.Attr(n, "data-high"), tc.low, tc.high)
			}
			_, y, err := c.Circle(n)
			if err != nil || !near(y, tc.wantY, c.YMax-c.YMin) {
				t.Errorf("point %s plotted at %v%%, want %v%% (%v)", tc.name, y, tc.wantY, err)
			}
		})
	}
	if n := len(c.Marks("path", "ci")); n != len(rep.Cases) {
		t.Errorf("%d error bars, want %d", n, len(rep.Cases))
	}
	// Only the 5xx family has two sizes to join.
	lines := c.Marks("polyline", "series")
	if len(lines) != 1 || reporttest.Attr(lines[0], "data-kind") != "5xx" {
		t.Errorf("%d series lines, want the 5xx one only", len(lines))
	}
	var groups []string
	for _, g := range reporttest.All(c.SVG, "text", "group-label") {
		groups = append(groups, reporttest.Text(g))
	}
	want := []string{"healthy", "5xx (percentage points)", "latency (added to every answer)", "404 (percentage points)"}
	if !slices.Equal(groups, want) {
		t.Errorf("family labels %q, want %q", groups, want)
	}
}

func TestErrorBarSpansTheInterval(t *testing.T) {
	doc, _ := render(t, study())
	c := chart(t, doc, "detection-chart")
	bar := c.Marks("path", "ci")[1] // +2% 5xx: 23.1% to 88.2%
	var ys []float64
	for _, f := range strings.FieldsFunc(reporttest.Attr(bar, "d"), func(r rune) bool { return strings.ContainsRune("MHV ", r) }) {
		v, err := strconv.ParseFloat(f, 64)
		if err != nil {
			t.Fatalf("error bar path %q: %v", reporttest.Attr(bar, "d"), err)
		}
		ys = append(ys, v)
	}
	// M x lo H x' M x lo V hi M x hi H x'
	_, lo := c.Value(0, ys[1])
	_, hi := c.Value(0, ys[5])
	if !near(lo, 23.1, 100) || !near(hi, 88.2, 100) {
		t.Errorf("error bar from %v%% to %v%%, want 23.1%% to 88.2%%", lo, hi)
	}
}

func TestPromoteChartIsAHistogramOfHealthyRunsWithTheArithmetic(t *testing.T) {
	doc, _ := render(t, study())
	c := chart(t, doc, "promote-chart")
	bins := c.Marks("rect", "bin")
	type bin struct {
		from, to string
		count    string
	}
	var got []bin
	total := 0
	for _, b := range bins {
		got = append(got, bin{reporttest.Attr(b, "data-from"), reporttest.Attr(b, "data-to"), reporttest.Attr(b, "data-value")})
		n, _ := strconv.Atoi(reporttest.Attr(b, "data-value"))
		total += n
		// The bar stands as high as its count, centred on its bin.
		x, _ := reporttest.Float(b, "x")
		w, _ := reporttest.Float(b, "width")
		y, _ := reporttest.Float(b, "y")
		mid, top := c.Value(x+w/2, y)
		from, _ := strconv.ParseFloat(reporttest.Attr(b, "data-from"), 64)
		if !near(mid, from+15, c.XMax-c.XMin) || !near(top, float64(n), c.YMax-c.YMin) {
			t.Errorf("bin %s: bar centred at %v s, %v high; want %v s, %d high", reporttest.Attr(b, "data-from"), mid, top, from+15, n)
		}
	}
	want := []bin{{"375", "405", "4"}, {"405", "435", "1"}}
	if !slices.Equal(got, want) {
		t.Errorf("bins %v, want %v", got, want)
	}
	if total != 5 {
		t.Errorf("the bins count %d runs, want the 5 healthy runs that promoted", total)
	}
	rules := c.Marks("line", "arithmetic")
	if len(rules) != 1 || reporttest.Attr(rules[0], "data-seconds") != "390" {
		t.Fatalf("want one arithmetic line at 390 s, got %d", len(rules))
	}
	x, _ := reporttest.Float(rules[0], "x1")
	if at, _ := c.Value(x, 0); !near(at, 390, c.XMax-c.XMin) {
		t.Errorf("the arithmetic line is drawn at %v s, want 390", at)
	}
}

func TestHistogram(t *testing.T) {
	for _, tc := range []struct {
		name     string
		interval time.Duration
		xs       []float64
		want     string
	}{
		{"one bin", 30 * time.Second, []float64{390, 390}, "[375,405)=2"},
		{"ticks apart", 30 * time.Second, []float64{420, 390, 450, 390}, "[375,405)=2 [405,435)=1 [435,465)=1"},
		{"a gap is no bin", 30 * time.Second, []float64{30, 90}, "[15,45)=1 [75,105)=1"},
		{"wide bins past the limit", time.Second, []float64{10, 100}, "[10,14)=1 [98,102)=1"},
		{"no interval", 0, []float64{2}, "[1.5,2.5)=1"},
		{"none", time.Minute, nil, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			most := 0.0
			for _, x := range tc.xs {
				most = max(most, x)
			}
			var parts []string
			for _, b := range whatifreport.Histogram(tc.xs, whatifreport.BinWidth(tc.interval, most)) {
				parts = append(parts, fmt.Sprintf("[%v,%v)=%d", b.From, b.To, b.Count))
			}
			if got := strings.Join(parts, " "); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestBlastChartHasP50AndP90BarsPerCase(t *testing.T) {
	rep := study()
	doc, _ := render(t, rep)
	c := chart(t, doc, "blast-chart")
	for _, q := range []string{"p50", "p90"} {
		bars := c.Marks("rect", "bar", q)
		if len(bars) != len(rep.Cases) {
			t.Fatalf("%d %s bars, want one per case", len(bars), q)
		}
		for i, b := range bars {
			cr := rep.Cases[i]
			want := cr.BlastRadius.P50
			if q == "p90" {
				want = cr.BlastRadius.P90
			}
			y, _ := reporttest.Float(b, "y")
			_, top := c.Value(0, y)
			if reporttest.Attr(b, "data-case") != cr.Name || reporttest.Attr(b, "data-value") != strconv.FormatFloat(want, 'f', -1, 64) ||
				!near(top, want, c.YMax-c.YMin) {
				t.Errorf("%s bar %d: case %q value %q top %v; want %q %v", q, i, reporttest.Attr(b, "data-case"),
					reporttest.Attr(b, "data-value"), top, cr.Name, want)
			}
		}
	}
}

func TestCasesTableIsTheTerminalTable(t *testing.T) {
	rep := study()
	doc, _ := render(t, rep)
	table := doc.ByID("cases-table")
	if table == nil {
		t.Fatal("no cases table")
	}
	var heads []string
	for _, th := range reporttest.All(table, "th") {
		if reporttest.Attr(th, "scope") == "col" {
			heads = append(heads, reporttest.Text(th))
		}
	}
	if !slices.Equal(heads, whatif.CaseColumns()) {
		t.Errorf("headings %q, want %q", heads, whatif.CaseColumns())
	}
	rows := reporttest.All(table, "tr", "case-row")
	if len(rows) != len(rep.Cases) {
		t.Fatalf("%d rows, want %d", len(rows), len(rep.Cases))
	}
	for i, r := range rows {
		want := rep.Cases[i].Cells()
		if got := cells(r); !slices.Equal(got, want) {
			t.Errorf("row %d: %q, want %q", i, got, want)
		}
	}
	if got := cells(rows[1]); got[2] != "60.0% (23.1–88.2%)" {
		t.Errorf("the +2%% 5xx row says rolled back %q, want 60.0%% (23.1–88.2%%)", got[2])
	}
}

// cells are the texts of a row's cells.
func cells(tr *html.Node) []string {
	var out []string
	for _, n := range reporttest.All(tr, "") {
		if n.Data == "td" || n.Data == "th" {
			out = append(out, reporttest.Text(n))
		}
	}
	return out
}

func TestChartsAreLabelled(t *testing.T) {
	doc, _ := render(t, study())
	for _, tc := range []struct{ id, title, x, y string }{
		{"detection-chart", "Detection probability against regression size", "regression size, by family", "runs rolled back (%)"},
		{"promote-chart", "Time to promote a healthy canary", "time from the change to the promotion (m:ss)", "healthy runs"},
		{"blast-chart", "Blast radius per case", "case: regression size, by family", "failed user requests per run"},
	} {
		t.Run(tc.id, func(t *testing.T) {
			checkLabels(t, doc, tc.id, tc.title, tc.x, tc.y)
		})
	}
}

func checkLabels(t *testing.T, doc *reporttest.Doc, id, title, x, y string) {
	t.Helper()
	svg := chart(t, doc, id).SVG
	if reporttest.Attr(svg, "role") != "img" || reporttest.Attr(svg, "aria-label") != title {
		t.Errorf("role %q aria-label %q, want img %q", reporttest.Attr(svg, "role"), reporttest.Attr(svg, "aria-label"), title)
	}
	titles := reporttest.All(svg, "title")
	if len(titles) == 0 || titles[0].Parent != svg || reporttest.Text(titles[0]) != title {
		t.Errorf("the chart's first <title> is not its own %q", title)
	}
	if d := doc.ByID(reporttest.Attr(svg, "aria-describedby")); d == nil || reporttest.Text(d) == "" {
		t.Errorf("aria-describedby %q names no description", reporttest.Attr(svg, "aria-describedby"))
	}
	var labels []string
	for _, n := range reporttest.All(svg, "text", "axis-label") {
		labels = append(labels, reporttest.Text(n))
	}
	if !slices.Equal(labels, []string{y, x}) {
		t.Errorf("axis labels %q, want y %q and x %q", labels, y, x)
	}
}

func TestPageIsSelfContainedAndEscaped(t *testing.T) {
	doc, page := render(t, study())
	if n := len(reporttest.All(doc.Root, "script")); n != 0 || strings.Contains(page, "<script") {
		t.Fatalf("%d <script> elements in the page, want none", n)
	}
	for _, n := range reporttest.All(doc.Root, "") {
		if n.Data == "link" || n.Data == "iframe" || n.Data == "img" || reporttest.Attr(n, "src") != "" || reporttest.Attr(n, "href") != "" {
			t.Errorf("<%s> refers to something outside the page", n.Data)
		}
	}
	if c := reporttest.All(doc.Root, "span", "canary"); len(c) != 1 || reporttest.Text(c[0]) != "test/"+evil {
		t.Errorf("the canary's name is not shown as text")
	}
}

func TestStudyWithoutHealthyCaseHasNoHistogram(t *testing.T) {
	rep := study()
	rep.Cases = rep.Cases[1:]
	doc, _ := render(t, rep)
	if doc.ByID("promote-chart") != nil || doc.ByID("promote-chart-missing") == nil {
		t.Error("without a healthy case, want no time-to-promote chart and a note saying why")
	}
	if n := len(chart(t, doc, "detection-chart").Marks("circle", "point")); n != 4 {
		t.Errorf("%d detection points, want 4", n)
	}
}

func TestNoHealthyRunPromoted(t *testing.T) {
	rep := study()
	rep.Cases[0] = caseOf(whatif.Case{Kind: whatif.Healthy}, 5, 0.566, 1, nil, 1, 1, 1, 1, 1)
	rep.Arithmetic.Error = "the arithmetic does not model skipAnalysis"
	doc, _ := render(t, rep)
	c := chart(t, doc, "promote-chart")
	if len(c.Marks("rect", "bin")) != 0 || len(c.Marks("line", "arithmetic")) != 0 {
		t.Error("want no bins and no arithmetic line")
	}
	if n := c.Marks("text", "note"); len(n) != 1 || reporttest.Text(n[0]) != "No healthy run promoted." {
		t.Error("want the empty plot to say no healthy run promoted")
	}
}

func sweep() *whatif.SweepReport {
	point := func(v string, secs, blast float64, frontier bool) whatif.Point {
		return whatif.Point{Setting: whatif.Setting{{Key: "stepWeight", Value: v}}, TimeToPromote: secs,
			BlastRadius: blast, Detection: 0.9, Frontier: frontier, Report: study()}
	}
	return &whatif.SweepReport{
		Axes: []whatif.Axis{{Key: "stepWeight", Values: []string{"5", "10", "20", "50"}}},
		Points: []whatif.Point{
			point("5", 600, 20, true), point("10", 390, 30.5, true), point("20", 420, 60, false), point("50", 0, 80, false),
		},
	}
}

func TestSweepMarksTheFrontier(t *testing.T) {
	rep := sweep()
	var buf bytes.Buffer
	if err := whatifreport.WriteSweep(&buf, rep); err != nil {
		t.Fatal(err)
	}
	doc := parse(t, buf.String())
	rows := reporttest.All(doc.ByID("points-table"), "tr", "point-row")
	if len(rows) != len(rep.Points) {
		t.Fatalf("%d rows, want %d", len(rows), len(rep.Points))
	}
	for i, r := range rows {
		p := rep.Points[i]
		if got := cells(r); !slices.Equal(got, p.Cells()) || reporttest.HasClass(r, "frontier") != p.Frontier {
			t.Errorf("row %d: %q frontier=%v, want %q frontier=%v", i, got, reporttest.HasClass(r, "frontier"), p.Cells(), p.Frontier)
		}
	}
	c := chart(t, doc, "frontier-chart")
	var plotted, frontier, labels []string
	for _, n := range c.Marks("circle", "point") {
		plotted = append(plotted, reporttest.Attr(n, "data-setting"))
		if reporttest.HasClass(n, "frontier") {
			frontier = append(frontier, reporttest.Attr(n, "data-setting"))
		}
		x, y, _ := c.Circle(n)
		secs, _ := strconv.ParseFloat(reporttest.Attr(n, "data-seconds"), 64)
		blast, _ := strconv.ParseFloat(reporttest.Attr(n, "data-value"), 64)
		if !near(x, secs, c.XMax-c.XMin) || !near(y, blast, c.YMax-c.YMin) {
			t.Errorf("%s plotted at (%v, %v), want (%v, %v)", reporttest.Attr(n, "data-setting"), x, y, secs, blast)
		}
	}
	for _, n := range c.Marks("text", "point-label") {
		labels = append(labels, strings.Split(reporttest.Attr(n, "data-setting"), "; ")...)
	}
	var key []string
	for _, n := range reporttest.All(doc.Root, "span", "key-item") {
		key = append(key, reporttest.Text(n))
	}
	if want := []string{"1 stepWeight=5", "2 stepWeight=10"}; !slices.Equal(key, want) {
		t.Errorf("the key under the chart is %q, want %q", key, want)
	}
	if want := []string{"stepWeight=5", "stepWeight=10", "stepWeight=20"}; !slices.Equal(plotted, want) {
		t.Errorf("plotted %q, want %q (a setting that never promoted has no place)", plotted, want)
	}
	if want := []string{"stepWeight=5", "stepWeight=10"}; !slices.Equal(frontier, want) || !slices.Equal(labels, want) {
		t.Errorf("frontier points %q labelled %q, want %q", frontier, labels, want)
	}
	if n := reporttest.All(doc.Root, "p", "unplotted"); len(n) != 1 || !strings.Contains(reporttest.Text(n[0]), "stepWeight=50") {
		t.Error("the setting that never promoted is not named under the chart")
	}
	if n := reporttest.All(doc.Root, "p", "frontier-note"); len(n) != 1 || reporttest.Text(n[0]) != rep.FrontierNote() ||
		!strings.Contains(rep.FrontierNote(), "detection") {
		t.Errorf("the frontier's note under the table is not the terminal's %q", rep.FrontierNote())
	}
	if n := len(reporttest.All(doc.Root, "details", "setting")); n != 4 {
		t.Errorf("%d settings' studies folded under the sweep, want 4", n)
	}
	checkLabels(t, doc, "frontier-chart", "Time to promote against blast radius, per setting",
		"healthy canary's median time to promote (m:ss)", "mean failed user requests per run")
}

func TestNothingToRender(t *testing.T) {
	var buf bytes.Buffer
	bad := sweep()
	bad.Points[1].Report = nil
	for name, err := range map[string]error{
		"nil study":           whatifreport.Write(&buf, nil),
		"nil sweep":           whatifreport.WriteSweep(&buf, nil),
		"point with no study": whatifreport.WriteSweep(&buf, bad),
	} {
		if err == nil {
			t.Errorf("%s: want an error", name)
		}
	}
	if buf.Len() != 0 {
		t.Errorf("%d bytes written for reports that cannot be rendered", buf.Len())
	}
}

// TestUndecidedRunsAreSaid: a case whose runs neither promoted nor rolled
// back is named among the findings, as in the terminal.
func TestUndecidedRunsAreSaid(t *testing.T) {
	rep := study()
	rep.RunLengthSeconds = 1770
	c := &rep.Cases[2]
	c.Undecided, c.RolledBack = 5, whatif.Rate{Of: 5, High: 0.434}
	doc, _ := render(t, rep)
	var findings []string
	for _, li := range reporttest.All(doc.Root, "li") {
		findings = append(findings, reporttest.Text(li))
	}
	want := "Undecided after 29m30s (neither promoted nor rolled back): +20% 5xx 5 of 5."
	if !slices.Contains(findings, want) || !slices.Equal(findings, rep.Findings()) {
		t.Errorf("findings %q, want the terminal's %q with %q", findings, rep.Findings(), want)
	}
}

// TestSweepWithoutRegressionsChartsFalseRollbacks: a sweep that studied no
// regression measured no blast radius; its chart does not draw it as 0
// but places the settings by their false rollbacks, and says why.
func TestSweepWithoutRegressionsChartsFalseRollbacks(t *testing.T) {
	rep := sweep()
	healthy := study()
	healthy.Cases = healthy.Cases[:1]
	for i := range rep.Points {
		rep.Points[i].Report, rep.Points[i].BlastRadius, rep.Points[i].Detection = healthy, 0, 0
		rep.Points[i].FalseRollback = 0.1 * float64(i)
	}
	var buf bytes.Buffer
	if err := whatifreport.WriteSweep(&buf, rep); err != nil {
		t.Fatal(err)
	}
	doc := parse(t, buf.String())
	checkLabels(t, doc, "frontier-chart", "Time to promote against false rollbacks, per setting",
		"healthy canary's median time to promote (m:ss)", "false rollbacks of a healthy canary (%)")
	c := chart(t, doc, "frontier-chart")
	points := c.Marks("circle", "point")
	if len(points) != 3 {
		t.Fatalf("%d points, want the 3 settings that promoted", len(points))
	}
	for i, n := range points {
		_, y, _ := c.Circle(n)
		if want := 10 * float64(i); reporttest.Attr(n, "data-value") != strconv.FormatFloat(want, 'f', -1, 64) || !near(y, want, c.YMax-c.YMin) {
			t.Errorf("%s at %v%% (data-value %s), want %v%% false rollbacks", reporttest.Attr(n, "data-setting"), y,
				reporttest.Attr(n, "data-value"), want)
		}
	}
	if desc := reporttest.Text(doc.ByID("frontier-chart-desc")); !strings.Contains(desc, "the blast radius was not measured") {
		t.Errorf("the chart's description %q does not say the blast radius was not measured", desc)
	}
}

// TestFrontierLabelsShareASpot: settings on the same spot share one
// numbered label, and every frontier setting is in the key.
func TestFrontierLabelsShareASpot(t *testing.T) {
	rep := sweep()
	same := rep.Points[1]
	same.Setting = whatif.Setting{{Key: "stepWeight", Value: "11"}}
	rep.Points = append(rep.Points, same)
	rep.Axes[0].Values = append(rep.Axes[0].Values, "11")
	var buf bytes.Buffer
	if err := whatifreport.WriteSweep(&buf, rep); err != nil {
		t.Fatal(err)
	}
	doc := parse(t, buf.String())
	c := chart(t, doc, "frontier-chart")
	var labels []string
	for _, n := range c.Marks("text", "point-label") {
		labels = append(labels, reporttest.Text(n)+" "+reporttest.Attr(n, "data-setting"))
	}
	if want := []string{"1 stepWeight=5", "2,3 stepWeight=10; stepWeight=11"}; !slices.Equal(labels, want) {
		t.Errorf("labels %q, want %q", labels, want)
	}
	var key []string
	for _, n := range reporttest.All(doc.Root, "span", "key-item") {
		key = append(key, reporttest.Text(n))
	}
	if want := []string{"1 stepWeight=5", "2 stepWeight=10", "3 stepWeight=11"}; !slices.Equal(key, want) {
		t.Errorf("key %q, want %q", key, want)
	}
}
