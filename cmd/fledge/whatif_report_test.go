//go:build unix

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	"github.com/fledge-canary/fledge/sim/report/reporttest"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// runFledge runs the command line and returns its standard output.
func runFledge(t *testing.T, args ...string) []byte {
	t.Helper()
	cmd := newRootCommand()
	var out, errs bytes.Buffer
	cmd.SetOut(&out)
	cmd.SetErr(&errs)
	cmd.SetArgs(args)
	began := time.Now()
	if err := cmd.ExecuteContext(t.Context()); err != nil {
		t.Fatalf("fledge %s: %v\n%s", strings.Join(args, " "), err, errs.String())
	}
	t.Logf("fledge %s took %v", args[0], time.Since(began).Round(time.Millisecond))
	return out.Bytes()
}

// openInChromium loads the page in headless Chromium and parses the DOM
// it built.
func openInChromium(t *testing.T, page string) *reporttest.Doc {
	t.Helper()
	chromium := chromiumPath(t)
	began := time.Now()
	dom := headless(t, chromium, filepath.Dir(page), "--dump-dom", (&url.URL{Scheme: "file", Path: page}).String())
	t.Logf("chromium took %v", time.Since(began).Round(time.Millisecond))
	doc, err := reporttest.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatalf("parse the DOM chromium dumped: %v", err)
	}
	return doc
}

// TestWhatifReportInChromium runs a small study with --json and --report,
// opens the page in headless Chromium and checks that the DOM it built
// shows the study's numbers as --json gave them.
func TestWhatifReportInChromium(t *testing.T) {
	page := filepath.Join(t.TempDir(), "whatif.html")
	out := runFledge(t, "whatif", "--runs", "5", "--errors", "2,20", "--latency", "500ms", "--not-found", "",
		"--json", "-q", "--report", page)
	var rep whatif.Report
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if names := caseNames(rep.Cases); !slices.Equal(names, []string{"healthy", "+2% 5xx", "+20% 5xx", "+500ms"}) {
		t.Fatalf("the study's cases are %q", names)
	}
	doc := openInChromium(t, page)
	for id, title := range map[string]string{
		"detection-chart": "Detection probability against regression size",
		"promote-chart":   "Time to promote a healthy canary",
		"blast-chart":     "Blast radius per case",
	} {
		c, err := doc.Chart(id)
		if err != nil {
			t.Fatalf("%s: %v", id, err)
		}
		if reporttest.Attr(c.SVG, "aria-label") != title {
			t.Errorf("%s: aria-label %q, want %q", id, reporttest.Attr(c.SVG, "aria-label"), title)
		}
	}
	checkCaseRows(t, doc, rep.Cases)
	checkDetectionPoints(t, doc, rep.Cases)
	checkPromoteBins(t, doc, &rep)
	checkBlastBars(t, doc, rep.Cases)
}

func caseNames(cs []whatif.CaseResult) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Name)
	}
	return out
}

// checkCaseRows wants a row per case whose cells say what the JSON says,
// formatted as the terminal table formats it.
func checkCaseRows(t *testing.T, doc *reporttest.Doc, cases []whatif.CaseResult) {
	t.Helper()
	table := doc.ByID("cases-table")
	if table == nil {
		t.Fatal("no table of cases")
	}
	rows := reporttest.All(table, "tr", "case-row")
	if len(rows) != len(cases) {
		t.Fatalf("%d rows in the table of cases, want %d", len(rows), len(cases))
	}
	pct := func(p float64) string { return fmt.Sprintf("%.1f%%", 100*p) }
	times := func(s whatif.Spread) string {
		if s.N == 0 {
			return "-"
		}
		d := func(v float64) string { return time.Duration(v * float64(time.Second)).String() }
		return d(s.P50) + " / " + d(s.P90) + " / " + d(s.Max)
	}
	for i, c := range cases {
		want := []string{c.Name, pct(c.Promoted.P),
			fmt.Sprintf("%s (%.1f–%.1f%%)", pct(c.RolledBack.P), 100*c.RolledBack.Low, 100*c.RolledBack.High),
			times(c.TimeToPromote), times(c.TimeToRollback), fmt.Sprintf("%.0f / %.0f", c.BlastRadius.P50, c.BlastRadius.P90)}
		if got := rowCells(rows[i]); !slices.Equal(got, want) {
			t.Errorf("row %d: %q, want %q", i, got, want)
		}
	}
}

func rowCells(tr *html.Node) []string {
	var out []string
	for _, n := range reporttest.All(tr, "") {
		if n.Data == "td" || n.Data == "th" {
			out = append(out, reporttest.Text(n))
		}
	}
	return out
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

// checkDetectionPoints wants a point per case at its rollback rate.
func checkDetectionPoints(t *testing.T, doc *reporttest.Doc, cases []whatif.CaseResult) {
	t.Helper()
	c, _ := doc.Chart("detection-chart")
	points := c.Marks("circle", "point")
	if len(points) != len(cases) {
		t.Fatalf("%d detection points, want one per case (%d)", len(points), len(cases))
	}
	for i, cr := range cases {
		n := points[i]
		_, y, err := c.Circle(n)
		if reporttest.Attr(n, "data-case") != cr.Name || reporttest.Attr(n, "data-value") != num(cr.RolledBack.P) ||
			reporttest.Attr(n, "data-low") != num(cr.RolledBack.Low) || reporttest.Attr(n, "data-high") != num(cr.RolledBack.High) ||
			err != nil || y < 100*cr.RolledBack.P-0.1 || y > 100*cr.RolledBack.P+0.1 {
			t.Errorf("detection point %d: case %q p %q [%q, %q] at %v%%; want %q %v [%v, %v]", i,
				reporttest.Attr(n, "data-case"), reporttest.Attr(n, "data-value"), reporttest.Attr(n, "data-low"),
				reporttest.Attr(n, "data-high"), y, cr.Name, cr.RolledBack.P, cr.RolledBack.Low, cr.RolledBack.High)
		}
	}
}

// checkPromoteBins wants the histogram to count every healthy promotion
// and the arithmetic's time marked.
func checkPromoteBins(t *testing.T, doc *reporttest.Doc, rep *whatif.Report) {
	t.Helper()
	c, _ := doc.Chart("promote-chart")
	h, _ := rep.Healthy()
	total := 0
	for _, b := range c.Marks("rect", "bin") {
		n, err := strconv.Atoi(reporttest.Attr(b, "data-value"))
		if err != nil {
			t.Fatal(err)
		}
		total += n
	}
	if total != h.Promoted.Count || total == 0 {
		t.Errorf("the histogram counts %d promotions, the JSON %d", total, h.Promoted.Count)
	}
	rules := c.Marks("line", "arithmetic")
	if want := num(rep.Arithmetic.Promotion.Seconds()); len(rules) != 1 || reporttest.Attr(rules[0], "data-seconds") != want {
		t.Errorf("want the arithmetic marked at %s s", want)
	}
}

// checkBlastBars wants a p50 and a p90 bar per case with the JSON's values.
func checkBlastBars(t *testing.T, doc *reporttest.Doc, cases []whatif.CaseResult) {
	t.Helper()
	c, _ := doc.Chart("blast-chart")
	p50, p90 := c.Marks("rect", "bar", "p50"), c.Marks("rect", "bar", "p90")
	if len(p50) != len(cases) || len(p90) != len(cases) {
		t.Fatalf("%d p50 and %d p90 bars, want %d of each", len(p50), len(p90), len(cases))
	}
	for i, cr := range cases {
		if reporttest.Attr(p50[i], "data-value") != num(cr.BlastRadius.P50) || reporttest.Attr(p90[i], "data-value") != num(cr.BlastRadius.P90) {
			t.Errorf("%s: bars %s/%s, want %v/%v", cr.Name, reporttest.Attr(p50[i], "data-value"),
				reporttest.Attr(p90[i], "data-value"), cr.BlastRadius.P50, cr.BlastRadius.P90)
		}
	}
}

// TestWhatifSweepReportInChromium sweeps two settings with --report and
// checks the trade-off table and the scatter against --json.
func TestWhatifSweepReportInChromium(t *testing.T) {
	page := filepath.Join(t.TempDir(), "sweep.html")
	out := runFledge(t, "whatif", "--runs", "3", "--errors", "20", "--latency", "", "--not-found", "",
		"--sweep", "stepWeight=10,25", "--json", "-q", "--report", page)
	var rep whatif.SweepReport
	if err := json.Unmarshal(out, &rep); err != nil {
		t.Fatalf("--json: %v\n%s", err, out)
	}
	if len(rep.Points) != 2 {
		t.Fatalf("%d points in the sweep, want 2", len(rep.Points))
	}
	doc := openInChromium(t, page)
	rows := reporttest.All(doc.ByID("points-table"), "tr", "point-row")
	if len(rows) != 2 {
		t.Fatalf("%d rows in the table of settings, want 2", len(rows))
	}
	c, err := doc.Chart("frontier-chart")
	if err != nil {
		t.Fatal(err)
	}
	points, labels := c.Marks("circle", "point"), c.Marks("text", "point-label")
	var frontier []string
	for i, p := range rep.Points {
		setting := "stepWeight=" + p.Setting[0].Value
		mark := ""
		if p.Frontier {
			mark = "*"
			frontier = append(frontier, setting)
		}
		want := []string{setting, time.Duration(p.TimeToPromote * float64(time.Second)).String(),
			fmt.Sprintf("%.1f%%", 100*p.FalseRollback), fmt.Sprintf("%.1f", p.BlastRadius), fmt.Sprintf("%.1f%%", 100*p.Detection), mark}
		if got := rowCells(rows[i]); !slices.Equal(got, want) || reporttest.HasClass(rows[i], "frontier") != p.Frontier {
			t.Errorf("row %d: %q frontier=%v, want %q frontier=%v", i, got, reporttest.HasClass(rows[i], "frontier"), want, p.Frontier)
		}
		if i >= len(points) {
			continue
		}
		n := points[i]
		if reporttest.Attr(n, "data-setting") != setting || reporttest.Attr(n, "data-seconds") != num(p.TimeToPromote) ||
			reporttest.Attr(n, "data-value") != num(p.BlastRadius) || reporttest.HasClass(n, "frontier") != p.Frontier {
			t.Errorf("scatter point %d: %q at %s s, %s failed, frontier=%v; want %q at %v s, %v failed, frontier=%v", i,
				reporttest.Attr(n, "data-setting"), reporttest.Attr(n, "data-seconds"), reporttest.Attr(n, "data-value"),
				reporttest.HasClass(n, "frontier"), setting, p.TimeToPromote, p.BlastRadius, p.Frontier)
		}
	}
	if len(points) != 2 {
		t.Errorf("%d points in the scatter, want 2", len(points))
	}
	var labelled []string
	for _, l := range labels { // numbered; data-setting says which settings
		labelled = append(labelled, strings.Split(reporttest.Attr(l, "data-setting"), "; ")...)
	}
	// Both catch +20% 5xx every time: stepWeight 25 is faster,
	// stepWeight 10 fails fewer requests.
	if want := []string{"stepWeight=10", "stepWeight=25"}; !slices.Equal(frontier, want) || !slices.Equal(labelled, frontier) {
		t.Errorf("labelled %q, frontier %q, want %q", labelled, frontier, want)
	}
}

func TestWriteWhatifHTMLErrorsNameTheFile(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing-dir", "whatif.html")
	for name, tc := range map[string]struct {
		path string
		rep  any
	}{
		"no such directory": {missing, &whatif.Report{}},
		"not a report":      {filepath.Join(dir, "x.html"), "a string"},
		"nil sweep":         {filepath.Join(dir, "y.html"), (*whatif.SweepReport)(nil)},
	} {
		err := writeWhatifHTML(tc.path, tc.rep)
		if err == nil || !strings.Contains(err.Error(), "--report "+tc.path) {
			t.Errorf("%s: want an error naming --report %s, got %v", name, tc.path, err)
		}
	}
	ok := filepath.Join(dir, "ok.html")
	if err := writeWhatifHTML(ok, &whatif.Report{}); err != nil {
		t.Fatalf("an empty study: %v", err)
	}
	page, err := os.ReadFile(ok)
	if err != nil || !bytes.Contains(page, []byte(`id="cases-table"`)) {
		t.Errorf("the page of an empty study has no table of cases (%v)", err)
	}
}
