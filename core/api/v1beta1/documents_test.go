package v1beta1

import (
	"fmt"
	"strings"
	"testing"
)

// strictCanary is a Canary whose spec starts on line 6 of its document.
const strictCanary = `apiVersion: flagger.app/v1beta1
kind: Canary
metadata:
  name: podinfo
  namespace: test
spec:
  targetRef: {apiVersion: apps/v1, kind: Deployment, name: podinfo}
  service:
    port: 9898
  analysis:
    interval: 30s
`

// problemLines renders problems as "LINE PATH: REASON".
func problemLines(ps []Problem) []string {
	out := make([]string, len(ps))
	for i, p := range ps {
		out[i] = fmt.Sprintf("%d %s", p.Line, p.Error())
	}
	return out
}

func TestDocumentsStrict(t *testing.T) {
	configMap := "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\ndata: {a: b}\n---\n"
	tests := map[string]struct {
		input                  string
		errs, strict, warnings []string
		skipped                int
		decoded                bool
	}{
		"tutorial": {input: string(readFile(t, "testdata/podinfo-canary.yaml")), decoded: true},
		"unknown fields, near misses named": {
			input: strictCanary + "    stepWieght: 5\n    Threshold: 2\n  fooBar: {}\n",
			strict: []string{
				`12 spec.analysis.stepWieght: unknown field (the API server drops it): did you mean stepWeight?`,
				`13 spec.analysis.Threshold: unknown field (the API server drops it): did you mean threshold?`,
				`14 spec.fooBar: unknown field (the API server drops it)`,
			},
			decoded: true,
		},
		"a type error in words, at its line": {
			input: strictCanary + "    threshold: five\n    stepWeights: {a: 1}\n",
			errs: []string{
				`12 spec.analysis.threshold: want an integer, got string "five"`,
				`13 spec.analysis.stepWeights: want a list, got a mapping`,
			},
		},
		"a type the lenient decode converts": {
			input:   strings.Replace(strictCanary, "interval: 30s", "interval: 30", 1),
			strict:  []string{`11 spec.analysis.interval: want a string (quote it), got integer 30`},
			decoded: true,
		},
		"a key given twice": {
			input:   strictCanary + "  service: {port: 80}\n",
			strict:  []string{`12 spec.service: given twice (first on line 8): delete one`},
			decoded: true,
		},
		"threshold 0 behaves as 1": {
			input:    strictCanary + "    threshold: 0\n",
			warnings: []string{`12 spec.analysis.threshold: 0 behaves as 1, as in Flagger: the canary is rolled back at the first failed check; write 1 to say so`},
			decoded:  true,
		},
		"other kinds before the Canary are skipped, lines input-wide": {
			input:   configMap + strictCanary + "    stepWieght: 5\n",
			strict:  []string{`17 spec.analysis.stepWieght: unknown field (the API server drops it): did you mean stepWeight?`},
			skipped: 1, decoded: true,
		},
		"a Canary of another apiVersion is an error": {
			input: strings.Replace(strictCanary, "v1beta1", "v1alpha3", 1),
			errs:  []string{`1 apiVersion: apiVersion "flagger.app/v1alpha3" of kind Canary is not supported: use flagger.app/v1beta1`},
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			var errs, strict, warnings []string
			skipped, decoded := 0, false
			for _, d := range Documents([]byte(tc.input)) {
				errs = append(errs, problemLines(d.Errors)...)
				strict = append(strict, problemLines(d.Strict)...)
				warnings = append(warnings, problemLines(d.Warnings)...)
				if d.Skipped() {
					skipped++
				}
				decoded = decoded || d.Canary != nil
			}
			for _, c := range []struct {
				what      string
				got, want []string
			}{{"errors", errs, tc.errs}, {"strict", strict, tc.strict}, {"warnings", warnings, tc.warnings}} {
				if strings.Join(c.got, "\n") != strings.Join(c.want, "\n") {
					t.Errorf("%s:\ngot  %q\nwant %q", c.what, c.got, c.want)
				}
			}
			if skipped != tc.skipped || decoded != tc.decoded {
				t.Errorf("skipped %d, decoded %v; want %d, %v", skipped, decoded, tc.skipped, tc.decoded)
			}
		})
	}
}

func TestDocumentLineOf(t *testing.T) {
	input := "# leading comment\n---\n" + strictCanary + "    metrics:\n    - name: a\n    - name: b\n      thresholdRange: {min: 99}\n"
	docs := Documents([]byte(input))
	if len(docs) != 1 {
		t.Fatalf("got %d documents", len(docs))
	}
	d := &docs[0]
	for path, want := range map[string]int{
		"":                         3,
		"metadata.name":            6,
		"spec.analysis.interval":   13,
		"spec.analysis.metrics[1]": 16,
		"spec.analysis.metrics[1].thresholdRange": 17,
		"spec.analysis.stepWeight":                12, // unset: its parent's line
		"spec.analysis.metrics[7].name":           14,
	} {
		if got := d.LineOf(path); got != want {
			t.Errorf("LineOf(%q) = %d, want %d", path, got, want)
		}
	}
	if ns, name := d.Object(); ns != "test" || name != "podinfo" {
		t.Errorf("Object() = %q, %q", ns, name)
	}
}
