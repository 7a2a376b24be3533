package main

import (
	"bytes"
	"os"
	"testing"
)

// TestProgressBarOnlyOnATerminal: a pipe, a file or a buffer gets no bar.
func TestProgressBarOnlyOnATerminal(t *testing.T) {
	file, err := os.CreateTemp(t.TempDir(), "stderr")
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	var buf bytes.Buffer
	for _, c := range []struct {
		name string
		bar  *progressBar
	}{
		{"buffer", newProgressBar(&buf, false)},
		{"file", newProgressBar(file, false)},
		{"quiet", newProgressBar(file, true)},
	} {
		c.bar.update(1, 2)
		c.bar.update(2, 2)
		c.bar.done(0)
		if c.bar.on {
			t.Errorf("%s: bar on", c.name)
		}
	}
	info, err := file.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if buf.Len() != 0 || info.Size() != 0 {
		t.Errorf("bar drawn: %q and %d bytes in the file", buf.String(), info.Size())
	}
}

// TestProgressBarDraws: on a terminal the bar shows the runs done.
func TestProgressBarDraws(t *testing.T) {
	var buf bytes.Buffer
	bar := &progressBar{w: &buf, on: true}
	bar.update(15, 60)
	if want := "\r[#######                       ] 15/60 runs"; buf.String() != want {
		t.Errorf("bar %q, want %q", buf.String(), want)
	}
}
