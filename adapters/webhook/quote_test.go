package webhook

import (
	"strings"
	"testing"
	"unicode/utf8"
)

func TestQuote(t *testing.T) {
	x := func(n int) string { return strings.Repeat("x", n) }
	for _, c := range []struct {
		name, body, want string
		cut              bool
	}{
		{"short", "Forbidden", "Forbidden", false},
		{"exactly MaxQuote", x(MaxQuote), x(MaxQuote), false},
		{"one byte more", x(MaxQuote + 1), x(MaxQuote), true},
		{"a two-byte character across the cut", x(MaxQuote-1) + "é" + x(10), x(MaxQuote - 1), true},
		{"a four-byte character across the cut", x(MaxQuote-2) + "🐤" + x(10), x(MaxQuote - 2), true},
	} {
		got, cut := quote(c.body)
		if got != c.want || cut != c.cut || !utf8.ValidString(got) {
			t.Errorf("%s: %d bytes, cut %v; want %d bytes, cut %v", c.name, len(got), cut, len(c.want), c.cut)
		}
	}
}
