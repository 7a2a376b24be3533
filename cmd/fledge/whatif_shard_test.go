package main

import (
	"errors"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"
)

// shardArgs is a small study: the healthy case and +5% 5xx, 3 runs each.
var shardArgs = []string{"whatif", "--runs", "3", "--errors", "5", "--latency", "", "--not-found", "", "--seed", "7", "-q"}

// writeParts runs the study's shards (in process, one after another) and
// writes each part to a file; it returns the files, last shard first.
func writeParts(t *testing.T, args []string, shards int) []string {
	t.Helper()
	dir := t.TempDir()
	var files []string
	for i := range shards {
		out, stderr, err := fledgeCmd(t, append(slices.Clone(args), "--json", "--shard", strconv.Itoa(i)+"/"+strconv.Itoa(shards))...)
		if err != nil {
			t.Fatalf("shard %d/%d: %v\n%s", i, shards, err, stderr)
		}
		file := filepath.Join(dir, "part-"+strconv.Itoa(i)+".json")
		writeTestFile(t, file, []byte(out))
		files = append([]string{file}, files...)
	}
	return files
}

// TestWhatifShardsMergeToTheSameBytes: the merged parts of a study, or of
// a sweep, print exactly what one process prints, as JSON and as text.
func TestWhatifShardsMergeToTheSameBytes(t *testing.T) {
	tests := []struct {
		name   string
		args   []string
		shards int
	}{
		{name: "study in 3 shards", args: shardArgs, shards: 3},
		{name: "study in 1 shard", args: shardArgs, shards: 1},
		{name: "sweep in 4 shards", args: append(slices.Clone(shardArgs), "--sweep", "threshold=2,5"), shards: 4},
		{name: "more shards than runs", args: shardArgs, shards: 7},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			parts := writeParts(t, tc.args, tc.shards)
			for _, format := range [][]string{{"--json"}, nil} {
				one, _, err := fledgeCmd(t, append(slices.Clone(tc.args), format...)...)
				if err != nil {
					t.Fatal(err)
				}
				merged, stderr, err := fledgeCmd(t, append(append([]string{"whatif", "merge"}, parts...), format...)...)
				if err != nil {
					t.Fatalf("merge: %v\n%s", err, stderr)
				}
				if merged != one {
					t.Errorf("merged %v output differs from one process's:\n%s\nwant\n%s", format, merged, one)
				}
			}
		})
	}
}

// TestWhatifMergeRefuses parts that do not make one study.
func TestWhatifMergeRefuses(t *testing.T) {
	three := writeParts(t, shardArgs, 3) // part-2, part-1, part-0
	other := writeParts(t, append(slices.Clone(shardArgs), "--seed", "8"), 3)
	junk := filepath.Join(t.TempDir(), "junk.json")
	writeTestFile(t, junk, []byte("runs: 3\n"))
	tests := []struct {
		name  string
		files []string
		want  string
	}{
		{name: "missing", files: three[:2], want: "fledge whatif: merge: shard 0/3 is missing"},
		{name: "twice", files: []string{three[0], three[1], three[1]}, want: "fledge whatif: merge: shard 1/3 is given twice"},
		{name: "other study", files: []string{three[0], three[1], other[2]},
			want: "fledge whatif: merge: part 3 (shard 0/3) is of another study than part 1"},
		{name: "not a part", files: []string{junk}, want: "fledge whatif: " + junk + ": not a part of a what-if study"},
		{name: "no file", files: []string{junk + ".none"}, want: "no such file"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := fledgeCmd(t, append([]string{"whatif", "merge"}, tc.files...)...)
			if !errors.Is(err, errBadFile) || !strings.Contains(stderr, tc.want) {
				t.Errorf("error %v, stderr %q; want errBadFile saying %q", err, stderr, tc.want)
			}
		})
	}
	for _, bad := range [][]string{{"--shard", "3/3"}, {"--shard", "0/2", "--report", "x.html"}} {
		_, stderr, err := fledgeCmd(t, append(slices.Clone(shardArgs), bad...)...)
		if !errors.Is(err, errBadFile) || !strings.HasPrefix(stderr, "fledge whatif: --shard: ") {
			t.Errorf("%q: error %v, stderr %q; want errBadFile and the reason", bad, err, stderr)
		}
	}
}
