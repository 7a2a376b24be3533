package hey

import (
	"net/http"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSplitWords(t *testing.T) {
	tests := map[string]struct {
		line    string
		want    []string
		wantErr string
	}{
		"plain":                {line: "hey -z 2m http://a/", want: []string{"hey", "-z", "2m", "http://a/"}},
		"tabs and spaces":      {line: " hey\t-c  2 ", want: []string{"hey", "-c", "2"}},
		"single quotes":        {line: `hey -H 'X-A: b c' u`, want: []string{"hey", "-H", "X-A: b c", "u"}},
		"double quotes":        {line: `hey -d "{\"a\": 1}" u`, want: []string{"hey", "-d", `{"a": 1}`, "u"}},
		"backslash space":      {line: `hey a\ b`, want: []string{"hey", "a b"}},
		"empty quoted word":    {line: `hey ''`, want: []string{"hey", ""}},
		"glob kept":            {line: "hey http://a/?q=1*", want: []string{"hey", "http://a/?q=1*"}},
		"hash inside a word":   {line: "hey http://a/#x", want: []string{"hey", "http://a/#x"}},
		"empty":                {line: "", want: nil},
		"pipe":                 {line: "curl -s http://a/ | grep token", wantErr: "shell syntax"},
		"and":                  {line: "hey u && echo", wantErr: "shell syntax"},
		"redirect":             {line: "hey u > /dev/null", wantErr: "shell syntax"},
		"variable":             {line: "hey $URL", wantErr: "shell syntax"},
		"variable in dquotes":  {line: `hey "$URL"`, wantErr: "shell syntax"},
		"command substitution": {line: "hey `cat u`", wantErr: "shell syntax"},
		"comment":              {line: "hey u # note", wantErr: "shell syntax"},
		"home":                 {line: "hey ~/u", wantErr: "shell syntax"},
		"newline":              {line: "hey u\necho", wantErr: "shell syntax"},
		"unterminated single":  {line: "hey 'u", wantErr: "unterminated single quote"},
		"unterminated double":  {line: `hey "u`, wantErr: "unterminated double quote"},
		"trailing backslash":   {line: `hey u\`, wantErr: "backslash"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := splitWords(tc.line)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("splitWords(%q) = %q, %v; want an error with %q", tc.line, got, err, tc.wantErr)
				}
				return
			}
			if err != nil || !reflect.DeepEqual(got, tc.want) {
				t.Fatalf("splitWords(%q) = %q, %v; want %q", tc.line, got, err, tc.want)
			}
		})
	}
}

func TestIsHey(t *testing.T) {
	tests := map[string]bool{
		"hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/": true,
		"/usr/local/bin/hey http://a/":                          true,
		"hey":                                                   true,
		"curl -sd 'test' http://podinfo-canary.test:9898/token | grep t": false,
		"hey http://a/ | tee out": false,
		"heya http://a/":          false,
		"FOO=1 hey http://a/":     false,
		"":                        false,
	}
	for cmd, want := range tests {
		if got := IsHey(cmd); got != want {
			t.Errorf("IsHey(%q) = %v, want %v", cmd, got, want)
		}
	}
}

// defaults is hey's spec for "hey URL".
func defaults(url string) Spec {
	return Spec{
		URL: url, Method: http.MethodGet, Header: http.Header{"Content-Type": {"text/html"}},
		Workers: 50, Requests: 200, Timeout: 20 * time.Second,
	}
}

func TestParse(t *testing.T) {
	tests := map[string]struct {
		cmd  string
		want func(*Spec)
	}{
		"the tutorial's load test": {cmd: "hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/", want: func(s *Spec) {
			s.URL, s.Duration, s.RatePerWorker, s.Workers = "http://podinfo-canary.test:9898/", 2*time.Minute, 10, 2
		}},
		"defaults": {cmd: "hey http://a/", want: func(*Spec) {}},
		"-n and -c with =": {cmd: "hey -n=10 -c=5 http://a/", want: func(s *Spec) {
			s.Requests, s.Workers = 10, 5
		}},
		"post with body and headers": {cmd: `hey -m post -d '{"a":1}' -H 'X-A: 1' -H "X-A: 2" -T application/json http://a/`, want: func(s *Spec) {
			s.Method, s.Body = http.MethodPost, `{"a":1}`
			s.Header = http.Header{"X-A": {"1", "2"}, "Content-Type": {"application/json"}}
		}},
		"accept, auth, host, timeout, switches": {cmd: "hey -A text/plain -a u:p -host example.com -t 3 -disable-keepalive -disable-compression -disable-redirects https://a/", want: func(s *Spec) {
			s.URL = "https://a/"
			s.Header.Set("Accept", "text/plain")
			s.User, s.Host, s.Timeout = userPass("u", "p"), "example.com", 3*time.Second
			s.DisableKeepAlives, s.DisableCompression, s.DisableRedirects = true, true, true
		}},
		"-z ignores -n < -c": {cmd: "hey -z 1s -n 1 -c 4 http://a/", want: func(s *Spec) {
			s.Duration, s.Requests, s.Workers = time.Second, 1, 4
		}},
		"no timeout": {cmd: "hey -t 0 http://a/", want: func(s *Spec) { s.Timeout = 0 }},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			got, err := Parse(tc.cmd)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tc.cmd, err)
			}
			want := defaults(got.URL)
			want.URL = "http://a/"
			tc.want(&want)
			if !reflect.DeepEqual(*got, want) {
				t.Fatalf("Parse(%q) =\n%+v\nwant\n%+v", tc.cmd, *got, want)
			}
		})
	}
}

func TestParseRefuses(t *testing.T) {
	tests := map[string]string{
		"curl http://a/":                     "is not a hey command",
		"hey http://a/ | grep x":             "is a shell command",
		"hey 'http://a/":                     "unterminated single quote",
		"hey":                                "no URL",
		"hey -z 1m":                          "no URL",
		"hey http://a/ extra":                `words after the URL http://a/: ["extra"]`,
		"hey -o csv http://a/":               "flag -o (writes a CSV report) is not supported",
		"hey -D body.txt http://a/":          "flag -D (reads the body from a file) is not supported",
		"hey -x http://proxy:3128 http://a/": "flag -x (goes through a proxy) is not supported",
		"hey -h2 http://a/":                  "flag -h2 (forces HTTP/2) is not supported",
		"hey -bogus http://a/":               "flag provided but not defined: -bogus",
		"hey -z soon http://a/":              `invalid value "soon" for flag -z`,
		"hey -z -1s http://a/":               "-z -1s: want a positive duration",
		"hey -c 0 http://a/":                 "-c 0: want at least 1 worker",
		"hey -c 1001 http://a/":              "at most 1000 workers",
		"hey -n 0 http://a/":                 "-n 0: want at least 1 request",
		"hey -n 10 -c 20 http://a/":          "-n 10 is less than -c 20",
		"hey -q -1 http://a/":                "-q -1: want a rate",
		"hey -t -1 http://a/":                "-t -1s",
		"hey -m 'GET X' http://a/":           "not an HTTP method",
		"hey -H nocolon http://a/":           `header "nocolon": want "Name: value"`,
		"hey -a nopass http://a/":            "-a wants user:password",
		"hey podinfo:9898/":                  "want an absolute http or https URL",
		"hey ftp://a/":                       "want an absolute http or https URL",
		"hey http:///path":                   "want an absolute http or https URL",
	}
	for cmd, want := range tests {
		t.Run(cmd, func(t *testing.T) {
			spec, err := Parse(cmd)
			if err == nil || !strings.Contains(err.Error(), want) {
				t.Fatalf("Parse(%q) = %+v, %v; want an error with %q", cmd, spec, err, want)
			}
		})
	}
}
