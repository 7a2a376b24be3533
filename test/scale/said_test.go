package scale

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"regexp"
	"sort"
	"strings"
)

// saidLine is what the summary reads of one of the controller's JSON log
// lines.
type saidLine struct {
	Level string `json:"level"`
	Msg   string `json:"msg"`
	Err   string `json:"error"`
}

// said is what the controller logged in a window, by message shape (its
// numbers, so the canaries' names and weights, replaced by N).
type said map[string]int

var digits = regexp.MustCompile(`[0-9]+`)

// readSaid counts the log lines at path between two offsets by level and
// message shape. Lines that are not JSON (a panic, the Go runtime's) are
// counted as they are.
func readSaid(path string, from, to int64) (said, error) {
	out := said{}
	if path == "" || to <= from {
		return out, nil
	}
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("controller log: %w", err)
	}
	defer func() { _ = f.Close() }()
	sc := bufio.NewScanner(io.NewSectionReader(f, from, to-from))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		var l saidLine
		text := sc.Text()
		if err := json.Unmarshal(sc.Bytes(), &l); err != nil || l.Msg == "" {
			l = saidLine{Level: "text", Msg: text}
		}
		shape := l.Level + ": " + l.Msg
		if l.Err != "" {
			shape += ": " + l.Err
		}
		out[digits.ReplaceAllString(shape, "N")]++
	}
	return out, sc.Err()
}

// logSize is where the log at path ends now; 0 when there is none.
func logSize(path string) int64 {
	if path == "" {
		return 0
	}
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// top writes the most frequent shapes, at most n, with their counts per
// tick.
func (s said) top(b *strings.Builder, n int, perTick func(float64) float64) {
	shapes := make([]string, 0, len(s))
	for k := range s {
		shapes = append(shapes, k)
	}
	sort.Slice(shapes, func(i, j int) bool {
		if s[shapes[i]] != s[shapes[j]] {
			return s[shapes[i]] > s[shapes[j]]
		}
		return shapes[i] < shapes[j]
	})
	fmt.Fprintf(b, "controller log   %d lines (numbers shown as N)\n", s.total())
	for i, k := range shapes {
		if i == n {
			fmt.Fprintf(b, "  ... %d more shapes\n", len(shapes)-n)
			break
		}
		shown := k
		if len(shown) > 150 {
			shown = shown[:150] + "…"
		}
		fmt.Fprintf(b, "  %7d %7.3f/tick  %s\n", s[k], perTick(float64(s[k])), shown)
	}
}

func (s said) total() int {
	t := 0
	for _, c := range s {
		t += c
	}
	return t
}
