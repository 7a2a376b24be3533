//go:build unix

package main

import (
	"bytes"
	"context"
	"image"
	"image/png"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/report/reporttest"
)

const installChromium = "install it with hack/install-chromium.sh (apt-get install -y chromium)"

// TestReportInChromium replays tutorial-rollback-500s with --report, opens
// the page in headless Chromium and checks the DOM Chromium built and the
// screenshot it took. Chromium is required: the test fails without it.
func TestReportInChromium(t *testing.T) {
	chromium := chromiumPath(t)
	dir := t.TempDir()
	page := filepath.Join(dir, "report.html")
	var out bytes.Buffer
	if err := runSim(t.Context(), &out, []string{"tutorial-rollback-500s"}, simOptions{report: page, quiet: true}); err != nil {
		t.Fatalf("fledge sim --report: %v\n%s", err, out.String())
	}
	shot := filepath.Join(dir, "shot.png")
	began := time.Now()
	dom := headless(t, chromium, dir, "--dump-dom", "--screenshot="+shot, "--window-size=1280,2000",
		(&url.URL{Scheme: "file", Path: page}).String())
	t.Logf("chromium took %v", time.Since(began).Round(time.Millisecond))
	doc, err := reporttest.Parse(bytes.NewReader(dom))
	if err != nil {
		t.Fatalf("parse the DOM chromium dumped: %v", err)
	}
	const run = "tutorial-rollback-500s"
	if s := doc.ByID("run-" + run); s == nil || reporttest.Attr(s, "data-verdict") != "PASS" {
		t.Fatalf("no passing run section run-%s in the DOM chromium dumped (%d bytes)", run, len(dom))
	}
	checkWeightChart(t, doc, run)
	checkSuccessRateChart(t, doc, run)
	if _, err := doc.Chart("request-duration-chart-" + run); err != nil {
		t.Errorf("duration chart: %v", err)
	}
	checkEventList(t, doc, run)
	checkScreenshot(t, shot)
}

func checkWeightChart(t *testing.T, doc *reporttest.Doc, run string) {
	c, err := doc.Chart("weight-chart-" + run)
	if err != nil {
		t.Fatalf("weight chart: %v", err)
	}
	pts, err := c.Line("weight")
	if err != nil {
		t.Fatalf("weight chart: %v", err)
	}
	if got := reporttest.Steps(pts, 1); !slices.Equal(got, []float64{0, 5, 10, 15, 0}) {
		t.Errorf("the weight line goes through %v, want 0 then the steps 5, 10, 15, 0", got)
	}
	var writes []string
	for _, n := range c.Marks("circle", "route") {
		writes = append(writes, reporttest.Attr(n, "data-weight"))
	}
	if got := strings.Join(writes, ","); got != "5,10,15,0" {
		t.Errorf("router writes %q, want 5,10,15,0", got)
	}
	if n := len(c.Marks("g", "event", "warning")); n != 8 {
		t.Errorf("%d Warning events marked on the weight chart, want 8", n)
	}
}

func checkSuccessRateChart(t *testing.T, doc *reporttest.Doc, run string) {
	c, err := doc.Chart("request-success-rate-chart-" + run)
	if err != nil {
		t.Fatalf("success-rate chart: %v", err)
	}
	th := c.Marks("line", "threshold", "min")
	if len(th) != 1 || reporttest.Attr(th[0], "data-value") != "99" {
		t.Fatalf("want one min threshold line at 99, got %d", len(th))
	}
	lineY, err := reporttest.Float(th[0], "y1")
	if err != nil {
		t.Fatal(err)
	}
	fails := c.Marks("circle", "check", "fail")
	if len(fails) != 5 {
		t.Errorf("%d failing success-rate points, want 5", len(fails))
	}
	for _, n := range fails {
		v, err := strconv.ParseFloat(reporttest.Attr(n, "data-value"), 64)
		cy, err2 := reporttest.Float(n, "cy")
		_, plotted, err3 := c.Circle(n)
		if err != nil || err2 != nil || err3 != nil || v >= 99 || plotted >= 99 || cy <= lineY {
			t.Errorf("failing point data-value=%q cy=%q is not below the 99 line (y=%v)",
				reporttest.Attr(n, "data-value"), reporttest.Attr(n, "cy"), lineY)
		}
	}
	if n := len(c.Marks("circle", "check", "pass")); n != 2 {
		t.Errorf("%d passing success-rate points, want 2", n)
	}
}

func checkEventList(t *testing.T, doc *reporttest.Doc, run string) {
	table := doc.ByID("events-" + run)
	if table == nil {
		t.Fatal("no event table")
	}
	rows := reporttest.All(table, "td", "message")
	const last = "Canary failed! Scaling down podinfo.test"
	if len(rows) != 14 || reporttest.Text(rows[len(rows)-1]) != last {
		t.Errorf("event table has %d rows, want 14 ending with %q", len(rows), last)
	}
	marks := reporttest.All(doc.ByID("weight-chart-"+run), "g", "event")
	if len(marks) == 0 || reporttest.Attr(marks[len(marks)-1], "data-message") != last {
		t.Errorf("the last event marked on the weight chart is not %q", last)
	}
}

// checkScreenshot wants a 1280x2000 PNG in which the charts were painted:
// the blue weight line and the red failing points.
func checkScreenshot(t *testing.T, path string) {
	f, err := os.Open(path)
	if err != nil {
		t.Fatalf("no screenshot: %v", err)
	}
	defer f.Close()
	if st, err := f.Stat(); err != nil || st.Size() < 30_000 {
		t.Fatalf("screenshot is too small to hold the report: %v", err)
	}
	img, err := png.Decode(f)
	if err != nil {
		t.Fatalf("screenshot: %v", err)
	}
	if b := img.Bounds(); b.Dx() != 1280 || b.Dy() != 2000 {
		t.Errorf("screenshot is %v, want 1280x2000", b.Size())
	}
	blue := countColor(img, 0x25, 0x63, 0xeb) // the weight line
	red := countColor(img, 0xdc, 0x26, 0x26)  // failing checks, FAIL badges
	if blue < 200 || red < 100 {
		t.Errorf("the screenshot shows %d pixels of the weight line's blue and %d of the failures' red; were the charts painted?", blue, red)
	}
}

func countColor(img image.Image, r, g, b uint8) int {
	n := 0
	near := func(a uint32, want uint8) bool { d := int(a>>8) - int(want); return d > -12 && d < 12 }
	bounds := img.Bounds()
	for y := bounds.Min.Y; y < bounds.Max.Y; y++ {
		for x := bounds.Min.X; x < bounds.Max.X; x++ {
			pr, pg, pb, _ := img.At(x, y).RGBA()
			if near(pr, r) && near(pg, g) && near(pb, b) {
				n++
			}
		}
	}
	return n
}

// chromiumPath finds Chromium, and fails the test when it is missing.
func chromiumPath(t *testing.T) string {
	t.Helper()
	if p, err := exec.LookPath("chromium"); err == nil {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Fatalf("chromium is not installed (no chromium on PATH, no /usr/bin/chromium); "+
		"the HTML report is tested in headless Chromium: %s", installChromium)
	return ""
}

// headless runs Chromium headless with args and returns its stdout. The
// browser runs in its own process group, killed on timeout and afterwards.
func headless(t *testing.T, chromium, dir string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 3*time.Minute)
	defer cancel()
	base := []string{
		"--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
		"--disable-background-networking", "--disable-component-update", "--disable-sync",
		"--user-data-dir=" + filepath.Join(dir, "chromium-profile"),
	}
	cmd := exec.CommandContext(ctx, chromium, append(base, args...)...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
	cmd.WaitDelay = 10 * time.Second
	err := cmd.Run()
	if cmd.Process != nil {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) // helpers left behind, if any
	}
	if err != nil {
		t.Fatalf("chromium %s: %v (%s if it is missing)\nstderr:\n%s", strings.Join(args, " "), err, installChromium, lastLines(stderr.String(), 30))
	}
	return stdout.Bytes()
}

func lastLines(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	return strings.Join(lines[max(0, len(lines)-n):], "\n")
}

func TestWriteReportWrapsErrorsWithThePath(t *testing.T) {
	path := filepath.Join(t.TempDir(), "missing-dir", "report.html")
	err := writeReport(path, nil)
	if err == nil || !strings.Contains(err.Error(), path) {
		t.Fatalf("want an error naming %s, got %v", path, err)
	}
	ok := filepath.Join(t.TempDir(), "report.html")
	if err := writeReport(ok, nil); err != nil {
		t.Fatal(err)
	}
	if st, err := os.Stat(ok); err != nil || st.Mode().Perm()&0o644 != 0o644 {
		t.Errorf("report file mode: %v %v", st, err)
	}
}
