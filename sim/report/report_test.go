package report_test

import (
	"bytes"
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"
	"time"

	"golang.org/x/net/html"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/report"
	"github.com/fledge-canary/fledge/sim/report/reporttest"
)

const evil = `Halt <script>alert("x")</script> & "co" <b>bold</b>`

// synthetic is a small rollback: weights 5, 10, 15 then 0, a failing
// success rate, a failing custom metric, an event with markup in it.
func synthetic() *sim.Result {
	t0 := time.Unix(90, 0).UTC()
	at := func(s int) time.Time { return t0.Add(time.Duration(s) * time.Second) }
	f := func(v float64) *float64 { return &v }
	sr := func(v float64, o decide.Outcome) decide.Verdict {
		return decide.Verdict{Metric: "request-success-rate", Query: "sum(rate(x[1m]))", Value: v, HasValue: !math.IsNaN(v), Min: f(99), Outcome: o}
	}
	dur := decide.Verdict{Metric: "request-duration", Value: 84.5, HasValue: true, Max: f(500), Outcome: decide.OutcomePass}
	custom := decide.Verdict{Metric: "404s percentage", Value: 85.3, HasValue: true, Max: f(3), Outcome: decide.OutcomeFail}
	route := func(s, w int) sim.RouteWrite {
		return sim.RouteWrite{Time: at(s), Routes: decide.Routes{Primary: 100 - w, Canary: w}}
	}
	return &sim.Result{
		Scenario: "synthetic", Start: t0, End: at(300),
		Routes: []sim.RouteWrite{route(-60, 0), route(60, 5), route(90, 10), route(120, 15), route(300, 0)},
		Ticks: []engine.Record{
			{Time: at(-60), Checks: []decide.Verdict{sr(1, decide.OutcomeFail)}}, // before the start: not charted
			{Time: at(90), Checks: []decide.Verdict{sr(100, decide.OutcomePass), dur, custom}},
			{Time: at(150), Checks: []decide.Verdict{sr(69.39682539682539, decide.OutcomeFail)}},
			{Time: at(180), Checks: []decide.Verdict{sr(math.NaN(), decide.OutcomeNoData)}},
		},
		Events: []engine.Event{
			{Time: at(0), Type: engine.Normal, Message: "New revision detected! Scaling up podinfo.test"},
			{Time: at(150), Type: engine.Warning, Message: evil},
			{Time: at(300), Type: engine.Warning, Message: "Rolling back podinfo.test failed checks threshold reached 5"},
			{Time: at(300), Type: engine.Warning, Message: "Canary failed! Scaling down podinfo.test"},
		},
		Status: v1.CanaryStatus{Phase: "Failed", CanaryWeight: 0, FailedChecks: 0},
	}
}

func render(t *testing.T, runs ...report.Run) (*reporttest.Doc, string) {
	t.Helper()
	var buf bytes.Buffer
	if err := report.Write(&buf, runs); err != nil {
		t.Fatal(err)
	}
	doc, err := reporttest.Parse(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	return doc, buf.String()
}

func chart(t *testing.T, doc *reporttest.Doc, id string) *reporttest.Chart {
	t.Helper()
	c, err := doc.Chart(id)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.05 }

func TestWeightChartFollowsTheRoutes(t *testing.T) {
	doc, _ := render(t, report.Run{Name: "Synthetic run", Result: synthetic()})
	c := chart(t, doc, "weight-chart-synthetic-run")
	pts, err := c.Line("weight")
	if err != nil {
		t.Fatal(err)
	}
	want := [][2]float64{{0, 0}, {60, 0}, {60, 5}, {90, 5}, {90, 10}, {120, 10}, {120, 15}, {300, 15}, {300, 0}}
	if len(pts) != len(want) {
		t.Fatalf("weight polyline has %d points %v, want %v", len(pts), pts, want)
	}
	for i := range want {
		if !near(pts[i][0], want[i][0]) || !near(pts[i][1], want[i][1]) {
			t.Errorf("point %d is (%.2fs, %.2f), want %v", i, pts[i][0], pts[i][1], want[i])
		}
	}
	var weights []string
	for _, n := range c.Marks("circle", "route") {
		weights = append(weights, reporttest.Attr(n, "data-weight"))
	}
	if got := strings.Join(weights, " "); got != "5 10 15 0" {
		t.Errorf("route marks are %q, want the writes from the start on, 5 10 15 0", got)
	}
}

func TestEventsAreMarkedOnTheWeightChart(t *testing.T) {
	doc, _ := render(t, report.Run{Name: "synthetic", Result: synthetic()})
	c := chart(t, doc, "weight-chart-synthetic")
	events := c.Marks("g", "event")
	if len(events) != 4 {
		t.Fatalf("%d event marks, want 4", len(events))
	}
	warnings := c.Marks("g", "event", "warning")
	if len(warnings) != 3 || !reporttest.HasClass(events[0], "normal") {
		t.Errorf("%d warning marks and first mark %q, want 3 and a normal one", len(warnings), reporttest.Attr(events[0], "class"))
	}
	if got := reporttest.Attr(events[1], "data-message"); got != evil {
		t.Errorf("data-message is %q, want %q", got, evil)
	}
	titles := reporttest.All(events[1], "title")
	if len(titles) != 1 || reporttest.Text(titles[0]) != "2:30 Warning: "+evil {
		t.Errorf("event tooltip is wrong: %d <title>s", len(titles))
	}
	// Two events at 5:00: stacked, not on top of each other.
	y := func(n *html.Node) string { return reporttest.Attr(reporttest.All(n, "circle")[0], "cy") }
	if y(events[2]) == y(events[3]) {
		t.Errorf("events at the same time share their marker position")
	}
}

func TestMetricChartsMarkThresholdsAndFailures(t *testing.T) {
	doc, _ := render(t, report.Run{Name: "synthetic", Result: synthetic()})
	sr := chart(t, doc, "request-success-rate-chart-synthetic")
	th := sr.Marks("line", "threshold", "min")
	if len(th) != 1 || reporttest.Attr(th[0], "data-value") != "99" {
		t.Fatalf("success-rate thresholds %d, want one min line at 99", len(th))
	}
	fails := sr.Marks("circle", "check", "fail")
	if len(fails) != 1 {
		t.Fatalf("%d failing success-rate points, want 1 (the tick before the start is not charted)", len(fails))
	}
	if v := reporttest.Attr(fails[0], "data-value"); v != "69.4" || reporttest.Attr(fails[0], "data-metric") != "request-success-rate" {
		t.Errorf("failing point data-value=%q data-metric=%q", v, reporttest.Attr(fails[0], "data-metric"))
	}
	tm, v, err := sr.Circle(fails[0])
	if err != nil || !near(tm, 150) || math.Abs(v-69.4) > 0.1 {
		t.Errorf("failing point sits at (%.2fs, %.2f), want (150s, 69.4): %v", tm, v, err)
	}
	if len(sr.Marks("circle", "check", "pass")) != 1 || len(sr.Marks("circle", "check", "no-data")) != 1 {
		t.Errorf("want one passing and one no-data point")
	}
	if pts, err := sr.Line("series"); err != nil || len(pts) != 2 {
		t.Errorf("the series line joins the 2 values, not the no-data check: %v %v", pts, err)
	}
	for id, want := range map[string]string{
		"request-duration-chart-synthetic": "500",
		"404s-percentage-chart-synthetic":  "3",
	} {
		c := chart(t, doc, id)
		if th := c.Marks("line", "threshold", "max"); len(th) != 1 || reporttest.Attr(th[0], "data-value") != want {
			t.Errorf("%s: want one max threshold at %s", id, want)
		}
	}
	if n := len(chart(t, doc, "404s-percentage-chart-synthetic").Marks("circle", "check", "fail")); n != 1 {
		t.Errorf("404s chart has %d failing points, want 1", n)
	}
	order := []string{}
	for _, svg := range reporttest.All(doc.Root, "svg", "metric-chart") {
		order = append(order, reporttest.Attr(svg, "data-metric"))
	}
	if !slices.Equal(order, []string{"request-success-rate", "request-duration", "404s percentage"}) {
		t.Errorf("metric charts in order %q", order)
	}
}

func TestMarkupInMessagesStaysText(t *testing.T) {
	doc, raw := render(t, report.Run{
		Name: "synthetic", Result: synthetic(),
		Failures: []sim.Failure{{Field: "events", Msg: "missing <script>boom()</script>"}},
	})
	if n := len(reporttest.All(doc.Root, "script")); n != 0 {
		t.Fatalf("%d <script> elements in the page, want none", n)
	}
	if n := len(reporttest.All(doc.Root, "b")); n != 1 { // the failure's field only
		t.Errorf("%d <b> elements, want 1: markup in a message became elements", n)
	}
	if strings.Contains(raw, "<script") {
		t.Errorf("the page holds a raw <script")
	}
	rows := reporttest.All(doc.ByID("events-synthetic"), "td", "message")
	if len(rows) != 4 || reporttest.Text(rows[1]) != evil {
		t.Errorf("event table: %d rows, second %q", len(rows), reporttest.Text(rows[1]))
	}
	fail := reporttest.All(doc.Root, "ul", "failures")
	if len(fail) != 1 || !strings.Contains(reporttest.Text(fail[0]), "missing <script>boom()</script>") {
		t.Errorf("the failure is not listed as text")
	}
}

// TestActionsOnEveryChart: each action of the timeline is a line on every
// chart at its time, numbered, the command in its tooltip, and listed.
func TestActionsOnEveryChart(t *testing.T) {
	actions := []report.Action{{At: 0, Text: "kubectl -n test set image deployment/podinfo podinfod=x:2"},
		{At: 130 * time.Second, Text: "watch -n 0.1 curl http://podinfo-canary.test:9898/status/500"}}
	doc, _ := render(t, report.Run{Name: "synthetic", Result: synthetic(), Actions: actions})
	ids := []string{"weight-chart-synthetic", "request-success-rate-chart-synthetic", "request-duration-chart-synthetic",
		"404s-percentage-chart-synthetic"}
	for _, id := range ids {
		svg := doc.ByID(id)
		if svg == nil {
			t.Fatalf("no chart %s", id)
		}
		marks := reporttest.All(svg, "g", "action")
		if len(marks) != len(actions) {
			t.Fatalf("%s: %d action marks, want %d", id, len(marks), len(actions))
		}
		for i, m := range marks {
			want := fmt.Sprintf("A%d at %s: %s", i+1, []string{"0:00", "2:10"}[i], actions[i].Text)
			if title := reporttest.Text(reporttest.All(m, "title")[0]); title != want {
				t.Errorf("%s: action %d titled %q, want %q", id, i, title, want)
			}
			if got := reporttest.Attr(m, "data-time"); got != []string{"0", "130"}[i] {
				t.Errorf("%s: action %d at %s s", id, i, got)
			}
		}
		legend := reporttest.Text(reporttest.All(svg, "g", "legend")[0])
		if !strings.Contains(legend, "action A1") {
			t.Errorf("%s: legend %q lacks the actions", id, legend)
		}
	}
	if rows := reporttest.All(doc.ByID("actions-synthetic"), "tr"); len(rows) != 2 {
		t.Errorf("actions table: %d rows, want 2", len(rows))
	}
}

// TestChartEndingEarlySaysWhy: a metric whose checks stop before the
// chart's end gets a note with the reason.
func TestChartEndingEarlySaysWhy(t *testing.T) {
	doc, _ := render(t, report.Run{Name: "synthetic", Result: synthetic()})
	for id, want := range map[string]string{
		"request-duration-chart-synthetic":     "The checks stop at 1:30: from 2:30 on, each tick halted at the failed request-success-rate check before this one",
		"request-success-rate-chart-synthetic": "The checks stop at 3:00; the run went on to 5:00 without another tick.",
	} {
		notes := reporttest.All(doc.ByID(id).Parent, "p", "chart-note")
		if len(notes) != 1 || !strings.HasPrefix(reporttest.Text(notes[0]), want) {
			t.Errorf("%s: notes %d, want %q", id, len(notes), want)
			continue
		}
	}
}

// TestVerdictWithoutExpectations: a run that expected nothing is DONE, not PASS.
func TestVerdictWithoutExpectations(t *testing.T) {
	doc, raw := render(t, report.Run{Name: "adhoc", Result: synthetic(), NoExpectations: true})
	run := doc.ByID("run-adhoc")
	if run == nil || reporttest.Attr(run, "data-verdict") != "DONE" {
		t.Fatalf("want a run with verdict DONE")
	}
	if h := reporttest.Text(reporttest.All(run, "h2")[0]); !strings.HasPrefix(h, "DONE adhoc") || !strings.Contains(h, "no expectations") {
		t.Errorf("title %q", h)
	}
	if strings.Contains(raw, "PASS") || !strings.Contains(raw, "0 passed, 0 failed, 1 without expectations") {
		t.Errorf("the page counts the run as passed")
	}
}

func TestVerdictStatusAndSelfContained(t *testing.T) {
	doc, _ := render(t,
		report.Run{Name: "synthetic", Result: synthetic(), Failures: []sim.Failure{{Field: "phase", Msg: "want Succeeded"}}},
		report.Run{Name: "synthetic", Result: synthetic()},
	)
	first, second := doc.ByID("run-synthetic"), doc.ByID("run-synthetic-2")
	if first == nil || second == nil {
		t.Fatal("two runs of one name need two ids: run-synthetic and run-synthetic-2")
	}
	if reporttest.Attr(first, "data-verdict") != "FAIL" || reporttest.Attr(second, "data-verdict") != "PASS" {
		t.Errorf("verdicts %q %q, want FAIL PASS", reporttest.Attr(first, "data-verdict"), reporttest.Attr(second, "data-verdict"))
	}
	if h := reporttest.Text(reporttest.All(first, "h2")[0]); !strings.HasPrefix(h, "FAIL synthetic") {
		t.Errorf("title %q", h)
	}
	status := doc.ByID("status-synthetic")
	if got := reporttest.Text(reporttest.All(status, "dd", "phase")[0]); got != "Failed" {
		t.Errorf("phase %q", got)
	}
	for _, n := range reporttest.All(doc.Root, "") {
		for _, a := range n.Attr {
			if (a.Key == "src" || a.Key == "href") && !strings.HasPrefix(a.Val, "#") {
				t.Errorf("<%s %s=%q> loads something from outside the page", n.Data, a.Key, a.Val)
			}
		}
		if n.Data == "link" || n.Data == "script" || n.Data == "iframe" {
			t.Errorf("<%s> in a self-contained page", n.Data)
		}
	}
}

func TestRunWithoutResult(t *testing.T) {
	var buf bytes.Buffer
	if err := report.Write(&buf, []report.Run{{Name: "x"}}); err == nil || buf.Len() != 0 {
		t.Errorf("want an error and nothing written, got %v and %d bytes", err, buf.Len())
	}
}

func TestEmptyRun(t *testing.T) {
	t0 := time.Unix(0, 0)
	doc, _ := render(t, report.Run{Name: "empty", Result: &sim.Result{Start: t0, End: t0}})
	c := chart(t, doc, "weight-chart-empty")
	if pts, err := c.Line("weight"); err != nil || len(pts) == 0 {
		t.Errorf("an empty run still draws its weight line: %v %v", pts, err)
	}
	if len(reporttest.All(doc.Root, "svg", "metric-chart")) != 0 {
		t.Errorf("no checks, no metric charts")
	}
}
