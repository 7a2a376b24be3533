package hey

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"path"
	"regexp"
	"strings"
	"time"
)

// MaxWorkers bounds -c: a typo such as -c 20000 must not exhaust the load
// tester's file descriptors.
const MaxWorkers = 1000

// Spec is one hey command: what to send, how fast and for how long.
type Spec struct {
	URL     string
	Method  string
	Header  http.Header
	Body    string
	Host    string
	User    *url.Userinfo
	Workers int
	// Requests is the total for all workers; ignored when Duration is set.
	Requests int
	Duration time.Duration
	// RatePerWorker is -q, in requests per second; 0 means no limit.
	RatePerWorker float64
	// Timeout bounds each request; 0 means no limit.
	Timeout            time.Duration
	DisableCompression bool
	DisableKeepAlives  bool
	DisableRedirects   bool
}

// IsHey reports whether command is a plain hey invocation: its first word
// is hey (or a path ending in /hey) and it has no shell syntax.
func IsHey(command string) bool {
	words, err := splitWords(command)
	return err == nil && len(words) > 0 && path.Base(words[0]) == "hey"
}

// unsupported are hey's flags that the in-process load cannot honour.
var unsupported = map[string]string{
	"o":    "writes a CSV report",
	"D":    "reads the body from a file",
	"cpus": "sets the process's CPUs",
	"x":    "goes through a proxy",
	"h2":   "forces HTTP/2",
}

// Parse reads a hey command line (see the package documentation).
func Parse(command string) (*Spec, error) {
	words, err := splitWords(command)
	switch {
	case errors.Is(err, errShellSyntax):
		return nil, fmt.Errorf("%q is a shell command, not a plain hey command", command)
	case err != nil:
		return nil, fmt.Errorf("reading %q: %w", command, err)
	case len(words) == 0 || path.Base(words[0]) != "hey":
		return nil, fmt.Errorf("%q is not a hey command", command)
	}
	spec, err := parseArgs(words[1:])
	if err != nil {
		return nil, fmt.Errorf("hey command %q: %w", command, err)
	}
	return spec, nil
}

// flagValues are the raw flag values before they are checked.
type flagValues struct {
	method, body, contentType, accept, auth string
	timeoutSeconds                          int
	headers                                 headerList
}

func parseArgs(args []string) (*Spec, error) {
	spec := &Spec{Header: http.Header{}}
	var raw flagValues
	fs := flag.NewFlagSet("hey", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.DurationVar(&spec.Duration, "z", 0, "")
	fs.IntVar(&spec.Requests, "n", 200, "")
	fs.IntVar(&spec.Workers, "c", 50, "")
	fs.Float64Var(&spec.RatePerWorker, "q", 0, "")
	fs.StringVar(&raw.method, "m", http.MethodGet, "")
	fs.Var(&raw.headers, "H", "")
	fs.StringVar(&raw.body, "d", "", "")
	fs.IntVar(&raw.timeoutSeconds, "t", 20, "")
	fs.StringVar(&raw.contentType, "T", "text/html", "")
	fs.StringVar(&raw.accept, "A", "", "")
	fs.StringVar(&raw.auth, "a", "", "")
	fs.StringVar(&spec.Host, "host", "", "")
	fs.BoolVar(&spec.DisableCompression, "disable-compression", false, "")
	fs.BoolVar(&spec.DisableKeepAlives, "disable-keepalive", false, "")
	fs.BoolVar(&spec.DisableRedirects, "disable-redirects", false, "")
	var refused error // the flag package would wrap it in "invalid value"
	for name := range unsupported {
		fs.Func(name, "", func(string) error {
			refused = errUnsupported(name)
			return refused
		})
	}
	if err := fs.Parse(args); refused != nil {
		return nil, refused
	} else if err != nil {
		return nil, err
	}
	if err := spec.fill(raw, fs.Args()); err != nil {
		return nil, err
	}
	return spec, spec.check()
}

func errUnsupported(name string) error {
	return fmt.Errorf("flag -%s (%s) is not supported by fledge-loadtester", name, unsupported[name])
}

// fill sets the fields that come from raw flag values and the URL.
func (s *Spec) fill(raw flagValues, rest []string) error {
	switch len(rest) {
	case 0:
		return errors.New("no URL: hey's last word is the target, such as http://podinfo-canary.test:9898/")
	case 1:
		s.URL = rest[0]
	default:
		return fmt.Errorf("words after the URL %s: %q (flags go before the URL)", rest[0], rest[1:])
	}
	s.Method = strings.ToUpper(raw.method)
	s.Body = raw.body
	s.Timeout = time.Duration(raw.timeoutSeconds) * time.Second
	for _, h := range raw.headers {
		s.Header.Add(h[0], h[1])
	}
	s.Header.Set("Content-Type", raw.contentType)
	if raw.accept != "" {
		s.Header.Set("Accept", raw.accept)
	}
	if raw.auth != "" {
		user, pass, ok := strings.Cut(raw.auth, ":")
		if !ok {
			return errors.New("-a wants user:password")
		}
		s.User = url.UserPassword(user, pass)
	}
	return nil
}

// check refuses values hey refuses, and a few it would regret.
func (s *Spec) check() error {
	u, err := url.Parse(s.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return fmt.Errorf("URL %q: want an absolute http or https URL", s.URL)
	}
	switch {
	case s.Workers < 1:
		return fmt.Errorf("-c %d: want at least 1 worker", s.Workers)
	case s.Workers > MaxWorkers:
		return fmt.Errorf("-c %d: at most %d workers", s.Workers, MaxWorkers)
	case s.Duration < 0:
		return fmt.Errorf("-z %s: want a positive duration", s.Duration)
	case s.Duration == 0 && s.Requests < 1:
		return fmt.Errorf("-n %d: want at least 1 request", s.Requests)
	case s.Duration == 0 && s.Requests < s.Workers:
		return fmt.Errorf("-n %d is less than -c %d: each worker sends -n/-c requests", s.Requests, s.Workers)
	case s.RatePerWorker < 0:
		return fmt.Errorf("-q %g: want a rate of 0 (no limit) or more", s.RatePerWorker)
	case s.Timeout < 0:
		return fmt.Errorf("-t %s: want 0 (no limit) or more seconds", s.Timeout)
	case !validMethod.MatchString(s.Method):
		return fmt.Errorf("-m %q: not an HTTP method", s.Method)
	}
	return nil
}

// validMethod is an HTTP token (RFC 9110), as a method must be.
var validMethod = regexp.MustCompile("^[!#$%&'*+.^_`|~0-9A-Z-]+$")

// headerList is -H, repeatable: each value is "Name: value".
type headerList [][2]string

func (h *headerList) String() string { return fmt.Sprint(*h) }

// headerLine is hey's header syntax.
var headerLine = regexp.MustCompile(`^([\w-]+):\s*(.+)$`)

func (h *headerList) Set(v string) error {
	m := headerLine.FindStringSubmatch(v)
	if m == nil {
		return fmt.Errorf("header %q: want \"Name: value\"", v)
	}
	*h = append(*h, [2]string{m[1], m[2]})
	return nil
}
