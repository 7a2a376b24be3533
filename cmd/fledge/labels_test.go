//go:build unix

package main

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"golang.org/x/net/html"

	"github.com/fledge-canary/fledge/sim/report/reporttest"
)

// measureScript writes, into every chart's texts and points, the box
// Chromium laid it out in: data-box="left,top,width,height". It is added
// to a copy of the page only; the report itself holds no script.
const measureScript = `<script>
for (const n of document.querySelectorAll("svg.chart text, svg.chart circle.point")) {
  const r = n.getBoundingClientRect();
  n.setAttribute("data-box", [r.left, r.top, r.width, r.height].join(","));
}
</script>`

// laidOut is an element of a chart and the box Chromium gave it.
type laidOut struct {
	what                     string
	left, top, right, bottom float64
}

func (a laidOut) overlaps(b laidOut) bool {
	const slack = 0.5 // pixels two boxes may share: antialiasing, not overlap
	return a.left < b.right-slack && b.left < a.right-slack && a.top < b.bottom-slack && b.top < a.bottom-slack
}

// measuredCharts opens the page with measureScript in headless Chromium
// and returns each chart's labels and points, by chart id.
func measuredCharts(t *testing.T, page string) map[string][]laidOut {
	t.Helper()
	data, err := os.ReadFile(page)
	must(t, err)
	measured := filepath.Join(filepath.Dir(page), "measured-"+filepath.Base(page))
	must(t, os.WriteFile(measured, bytes.Replace(data, []byte("</body>"), []byte(measureScript+"</body>"), 1), 0o600))
	doc := openInChromium(t, measured)
	out := map[string][]laidOut{}
	for _, svg := range reporttest.All(doc.Root, "svg", "chart") {
		id := reporttest.Attr(svg, "id")
		for _, n := range reporttest.All(svg, "") {
			box := reporttest.Attr(n, "data-box")
			if box == "" {
				continue
			}
			out[id] = append(out[id], boxOf(t, n, box))
		}
	}
	return out
}

func boxOf(t *testing.T, n *html.Node, box string) laidOut {
	t.Helper()
	var v [4]float64
	for i, f := range strings.Split(box, ",") {
		x, err := strconv.ParseFloat(f, 64)
		if err != nil || i > 3 {
			t.Fatalf("data-box %q", box)
		}
		v[i] = x
	}
	what := n.Data + " " + strings.TrimSpace(reporttest.Text(n))
	if n.Data == "circle" {
		what = "point " + reporttest.Attr(n, "data-setting")
	}
	return laidOut{what: what, left: v[0], top: v[1], right: v[0] + v[2], bottom: v[1] + v[3]}
}

// overlapping lists the pairs of a chart's texts that overlap, and the
// labels that cover a point.
func overlapping(items []laidOut) []string {
	var out []string
	for i, a := range items {
		for _, b := range items[i+1:] {
			isText := strings.HasPrefix(a.what, "text ") || strings.HasPrefix(b.what, "text ")
			if isText && a.overlaps(b) {
				out = append(out, fmt.Sprintf("%q and %q", a.what, b.what))
			}
		}
	}
	return out
}

// TestWhatifLabelsDoNotOverlap lays the what-if charts out in Chromium and
// measures every label: none may overlap another or cover a point. The
// study has fifteen cases (the blast chart's x labels) and a sweep whose
// settings share spots (the scatter's labels).
func TestWhatifLabelsDoNotOverlap(t *testing.T) {
	dir := t.TempDir()
	study := filepath.Join(dir, "whatif.html")
	runFledge(t, "whatif", "--runs", "1", "-q", "--errors", "0.5,1,2,5,10,20", "--latency", "50ms,100ms,250ms,500ms",
		"--not-found", "1,2,5,20", "--report", study)
	sweep := filepath.Join(dir, "sweep.html")
	runFledge(t, "whatif", "--runs", "2", "--errors", "20", "--latency", "", "--not-found", "", "-q",
		"--sweep", "stepWeight=10,20,25", "threshold=2,5", "--report", sweep)
	for _, page := range []string{study, sweep} {
		charts := measuredCharts(t, page)
		if len(charts) == 0 {
			t.Fatalf("%s: nothing measured", filepath.Base(page))
		}
		for id, items := range charts {
			if bad := overlapping(items); len(bad) > 0 {
				t.Errorf("%s, %s: %d overlaps:\n  %s", filepath.Base(page), id, len(bad), strings.Join(bad, "\n  "))
			}
		}
	}
}
