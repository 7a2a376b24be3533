package scale

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"sort"
	"strings"
	"testing"
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
	err := scanLines(path, from, to, func(line []byte) error {
		var l saidLine
		if err := json.Unmarshal(line, &l); err != nil || l.Msg == "" {
			l = saidLine{Level: "text", Msg: string(line)}
		}
		shape := l.Level + ": " + l.Msg
		if l.Err != "" {
			shape += ": " + l.Err
		}
		out[digits.ReplaceAllString(shape, "N")]++
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("controller log: %w", err)
	}
	return out, nil
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

func TestReadSaid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "controller.log")
	log := `{"level":"info","msg":"before the window"}
{"level":"info","msg":"Advance podinfo-0001.scale-0001 canary weight 5"}
{"level":"info","msg":"Advance podinfo-0002.scale-0002 canary weight 10"}
{"level":"error","msg":"too many queued events, event dropped"}
{"level":"error","msg":"write failed","error":"timeout 3s"}
panic: not JSON
`
	if err := os.WriteFile(path, []byte(log), 0o600); err != nil {
		t.Fatal(err)
	}
	from := int64(len(`{"level":"info","msg":"before the window"}` + "\n"))
	got, err := readSaid(path, from, fileSize(path))
	if err != nil {
		t.Fatal(err)
	}
	want := said{
		"info: Advance podinfo-N.scale-N canary weight N": 2,
		"error: too many queued events, event dropped":    1,
		"error: write failed: timeout Ns":                 1,
		"text: panic: not JSON":                           1,
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("readSaid = %v, want %v", got, want)
	}
}
