package main

import (
	"bytes"
	"os"
	"strings"
	"testing"
	"time"
)

// TestProgressBarOnlyOnATerminal: a pipe, a file or a buffer gets lines,
// not the bar's carriage returns; quiet gets nothing.
func TestProgressBarOnlyOnATerminal(t *testing.T) {
	file, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var buf bytes.Buffer
	for _, c := range []struct {
		name  string
		p     progress
		lines bool
	}{
		{"buffer", newProgress(&buf, false), true},
		{"file", newProgress(file, false), true},
		{"quiet", newProgress(file, true), false},
	} {
		if _, isBar := c.p.(*progressBar); isBar {
			t.Errorf("%s: a bar", c.name)
		}
		if _, isLines := c.p.(*progressLines); isLines != c.lines {
			t.Errorf("%s: lines %v, want %v", c.name, isLines, c.lines)
		}
		c.p.update(1, 2)
		c.p.update(2, 2)
		c.p.done(0)
	}
	data, err := os.ReadFile(file.Name())
	if err != nil {
		t.Fatal(err)
	}
	for _, out := range []string{buf.String(), string(data)} {
		if out != "whatif: 2/2 runs done in 0s\n" {
			t.Errorf("output %q, want the final line only", out)
		}
	}
}

// TestProgressBarDraws: on a terminal the bar shows the runs done.
func TestProgressBarDraws(t *testing.T) {
	var buf bytes.Buffer
	bar := &progressBar{w: &buf}
	bar.update(15, 60)
	if want := "\r[#######                       ] 15/60 runs"; buf.String() != want {
		t.Errorf("bar %q, want %q", buf.String(), want)
	}
}

// TestProgressLinesEveryTick: off a terminal, each tick of the (here
// fake) ticker writes the runs done and the time since the start.
func TestProgressLinesEveryTick(t *testing.T) {
	var buf bytes.Buffer
	start := time.Date(2026, 1, 1, 12, 0, 0, 0, time.UTC)
	ticks := make(chan time.Time) // unbuffered: a send returns once the line before is written
	stopped := false
	p := startProgressLines(&buf, start, ticks, func() { stopped = true })
	ticks <- start.Add(10 * time.Second) // nothing done yet: no line
	p.update(30, 400)
	ticks <- start.Add(20 * time.Second)
	p.update(31, 400)
	p.update(200, 400)
	ticks <- start.Add(30 * time.Second)
	p.update(400, 400)
	p.done(35 * time.Second)
	want := []string{
		"whatif: 30/400 runs done (7%) after 20s",
		"whatif: 200/400 runs done (50%) after 30s",
		"whatif: 400/400 runs done in 35s",
	}
	if got := strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n"); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("lines:\n%s\nwant:\n%s", buf.String(), strings.Join(want, "\n"))
	}
	if !stopped || strings.Contains(buf.String(), "\r") {
		t.Errorf("ticker stopped %v; carriage returns in %q", stopped, buf.String())
	}
}
