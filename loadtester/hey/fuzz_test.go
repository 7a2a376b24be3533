package hey

import (
	"net/url"
	"reflect"
	"strings"
	"testing"
)

// FuzzParse: no command line panics Parse, and what it accepts is a hey
// command whose spec passes the checks.
func FuzzParse(f *testing.F) {
	for _, seed := range []string{
		"hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/",
		`hey -m POST -d '{"a": 1}' -H "X-A: \"b\"" http://a/`,
		"curl -sd 'test' http://podinfo-canary.test:9898/token | grep token",
		`hey a\ b 'c`, "hey -n 1 -c 2 http://a/", "hey -o x http://a/",
	} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, command string) {
		spec, err := Parse(command)
		if err != nil {
			return
		}
		if !IsHey(command) {
			t.Errorf("Parse accepted %q, which IsHey refuses", command)
		}
		if _, perr := url.Parse(spec.URL); perr != nil || spec.Workers < 1 || spec.Workers > MaxWorkers {
			t.Errorf("Parse(%q) = %+v, which fails its own checks", command, spec)
		}
	})
}

// FuzzSplitWords: words quoted as a shell script would quote them split
// back into the same words.
func FuzzSplitWords(f *testing.F) {
	f.Add("hey", "-H", "X-A: it's")
	f.Add("", "a b", `"$x"`)
	f.Fuzz(func(t *testing.T, a, b, c string) {
		words := []string{a, b, c}
		quoted := make([]string, len(words))
		for i, w := range words {
			quoted[i] = "'" + strings.ReplaceAll(w, "'", `'\''`) + "'"
		}
		got, err := splitWords(strings.Join(quoted, " "))
		if err != nil || !reflect.DeepEqual(got, words) {
			t.Errorf("splitWords(%s) = %q, %v; want %q", strings.Join(quoted, " "), got, err, words)
		}
	})
}
