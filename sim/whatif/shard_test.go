package whatif_test

import (
	"testing"

	"github.com/fledge-canary/fledge/sim/whatif"
)

func TestParseShard(t *testing.T) {
	tests := []struct {
		in   string
		want whatif.Shard
		ok   bool
	}{
		{in: "0/1", want: whatif.Shard{Index: 0, Count: 1}, ok: true},
		{in: "3/4", want: whatif.Shard{Index: 3, Count: 4}, ok: true},
		{in: "4/4"}, {in: "-1/4"}, {in: "1/0"}, {in: "1"}, {in: "a/b"}, {in: ""},
	}
	for _, tc := range tests {
		got, err := whatif.ParseShard(tc.in)
		if (err == nil) != tc.ok || got != tc.want {
			t.Errorf("ParseShard(%q) = %+v, %v; want %+v, ok %v", tc.in, got, err, tc.want, tc.ok)
		}
	}
}

func TestMergeNothing(t *testing.T) {
	if _, err := whatif.Merge(nil); err == nil {
		t.Error("Merge of no parts succeeded")
	}
}
