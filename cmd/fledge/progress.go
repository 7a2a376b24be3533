package main

import (
	"fmt"
	"io"
	"os"
	"strings"
	"time"

	"golang.org/x/term"
)

// progress shows how many runs of a study are done: update after every
// run, done once at the end.
type progress interface {
	update(done, total int)
	done(took time.Duration)
}

// progressEvery is how often progress lines are written when stderr is
// not a terminal.
const progressEvery = 10 * time.Second

// newProgress draws a bar on a terminal, writes a line every 10s to
// anything else (a CI log, a file), and nothing when quiet.
func newProgress(w io.Writer, quiet bool) progress {
	if quiet {
		return silentProgress{}
	}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		return &progressBar{w: w}
	}
	ticker := time.NewTicker(progressEvery)
	return startProgressLines(w, time.Now(), ticker.C, ticker.Stop)
}

// silentProgress shows nothing.
type silentProgress struct{}

func (silentProgress) update(int, int)    {}
func (silentProgress) done(time.Duration) {}

// progressBar redraws the runs done on a terminal.
type progressBar struct {
	w    io.Writer
	last time.Time
}

const barWidth = 30

func (b *progressBar) update(done, total int) {
	if done < total && time.Since(b.last) < 100*time.Millisecond {
		return
	}
	b.last = time.Now()
	filled := barWidth * done / max(total, 1)
	fmt.Fprintf(b.w, "\r[%s%s] %d/%d runs", strings.Repeat("#", filled), strings.Repeat(" ", barWidth-filled), done, total)
}

func (b *progressBar) done(took time.Duration) {
	fmt.Fprintf(b.w, "\r%s\r", strings.Repeat(" ", barWidth+40))
	fmt.Fprintf(b.w, "%s\n", "runs done in "+took.Round(time.Millisecond).String())
}

// progressLines writes a line at every tick: the runs done so far and the
// time since the start, as a log reader wants it (no carriage returns).
// One goroutine owns the counts; updates reach it over a channel.
type progressLines struct {
	w       io.Writer
	started time.Time
	updates chan [2]int   // done, total
	stopped chan struct{} // closed by done, after took is set
	exited  chan struct{} // closed when the writer goroutine returns
	stop    func()        // stops the ticker
	took    time.Duration
}

// startProgressLines writes a line to w at every tick of ticks until done.
func startProgressLines(w io.Writer, started time.Time, ticks <-chan time.Time, stop func()) *progressLines {
	p := &progressLines{w: w, started: started, updates: make(chan [2]int), stopped: make(chan struct{}),
		exited: make(chan struct{}), stop: stop}
	go p.loop(ticks)
	return p
}

func (p *progressLines) loop(ticks <-chan time.Time) {
	defer close(p.exited)
	runs, total := 0, 0
	for {
		select {
		case u := <-p.updates:
			runs, total = u[0], u[1]
		case now := <-ticks:
			if total > 0 {
				fmt.Fprintf(p.w, "whatif: %d/%d runs done (%d%%) after %v\n", runs, total, 100*runs/total,
					now.Sub(p.started).Round(time.Second))
			}
		case <-p.stopped:
			fmt.Fprintf(p.w, "whatif: %d/%d runs done in %v\n", runs, total, p.took.Round(time.Millisecond))
			return
		}
	}
}

func (p *progressLines) update(done, total int) { p.updates <- [2]int{done, total} }

func (p *progressLines) done(took time.Duration) {
	p.stop()
	p.took = took
	close(p.stopped)
	<-p.exited
}
