package hey

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

func userPass(user, pass string) *url.Userinfo { return url.UserPassword(user, pass) }

// target counts the requests it answers and keeps the last one.
type target struct {
	srv   *httptest.Server
	count atomic.Int64
	mu    sync.Mutex
	last  *http.Request
	body  string
}

func newTarget(t *testing.T) *target {
	tg := &target{}
	tg.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/redirect" {
			http.Redirect(rw, r, "/", http.StatusFound)
			return
		}
		body, _ := io.ReadAll(r.Body)
		tg.count.Add(1)
		tg.mu.Lock()
		tg.last, tg.body = r, string(body)
		tg.mu.Unlock()
		rw.WriteHeader(http.StatusOK)
	}))
	t.Cleanup(tg.srv.Close)
	return tg
}

func mustParse(t *testing.T, cmd string) *Spec {
	t.Helper()
	spec, err := Parse(cmd)
	if err != nil {
		t.Fatal(err)
	}
	return spec
}

// observed counts Observe calls by code (0: transport errors).
type observed struct {
	mu    sync.Mutex
	codes map[int]int
}

func (o *observed) observe(code int, err error, _ time.Duration) {
	o.mu.Lock()
	defer o.mu.Unlock()
	if err != nil {
		code = 0
	}
	o.codes[code]++
}

// TestRunCounts checks how many requests each kind of run sends: exact for
// -n, within wide bounds for a rate-limited -z run (2 workers × 20/s × 1s
// is 40; the bounds only rule out no load and an unlimited rate).
func TestRunCounts(t *testing.T) {
	tests := map[string]struct {
		args     string
		min, max int64
	}{
		"-n 10 -c 3 sends 3 per worker":    {args: "-n 10 -c 3", min: 9, max: 9},
		"-n 200 -c 50 (defaults)":          {args: "", min: 200, max: 200},
		"-z 1s -q 20 -c 2 is rate-limited": {args: "-z 1s -q 20 -c 2", min: 1, max: 80},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tg := newTarget(t)
			obs := &observed{codes: map[int]int{}}
			sum := Run(context.Background(), mustParse(t, "hey "+tc.args+" "+tg.srv.URL+"/"), Options{Observe: obs.observe})
			got := tg.count.Load()
			if got < tc.min || got > tc.max {
				t.Errorf("the target got %d requests, want %d to %d", got, tc.min, tc.max)
			}
			if int64(sum.Requests) != got || int64(sum.Codes[200]) != got || len(sum.Errors) != 0 {
				t.Errorf("summary %+v, the target counted %d", sum, got)
			}
			if int64(obs.codes[200]) != got || len(obs.codes) != 1 {
				t.Errorf("observed %v, the target counted %d", obs.codes, got)
			}
		})
	}
}

func TestRunSendsTheRequest(t *testing.T) {
	tg := newTarget(t)
	sum := Run(context.Background(), mustParse(t,
		`hey -n 1 -c 1 -m PUT -d 'hello' -T application/json -A text/plain -H 'X-Canary: podinfo' -a ann:pw -host podinfo.test `+tg.srv.URL+"/path?q=1"), Options{})
	if sum.Codes[200] != 1 {
		t.Fatalf("summary %s", sum)
	}
	r := tg.last
	user, pass, _ := r.BasicAuth()
	checks := map[string][2]string{
		"method":       {r.Method, "PUT"},
		"path":         {r.URL.RequestURI(), "/path?q=1"},
		"body":         {tg.body, "hello"},
		"content type": {r.Header.Get("Content-Type"), "application/json"},
		"accept":       {r.Header.Get("Accept"), "text/plain"},
		"header":       {r.Header.Get("X-Canary"), "podinfo"},
		"basic auth":   {user + ":" + pass, "ann:pw"},
		"host":         {r.Host, "podinfo.test"},
	}
	for what, c := range checks {
		if c[0] != c[1] {
			t.Errorf("%s: got %q, want %q", what, c[0], c[1])
		}
	}
}

func TestRunRedirects(t *testing.T) {
	tests := map[string]struct {
		flags string
		code  int
	}{
		"followed":           {flags: "", code: 200},
		"-disable-redirects": {flags: "-disable-redirects", code: 302},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			tg := newTarget(t)
			sum := Run(context.Background(), mustParse(t, "hey -n 1 -c 1 "+tc.flags+" "+tg.srv.URL+"/redirect"), Options{})
			if sum.Codes[tc.code] != 1 {
				t.Errorf("summary %s, want one %d", sum, tc.code)
			}
		})
	}
}

func TestRunTransportErrors(t *testing.T) {
	tg := newTarget(t)
	addr := tg.srv.URL
	tg.srv.Close()
	obs := &observed{codes: map[int]int{}}
	sum := Run(context.Background(), mustParse(t, "hey -n 4 -c 2 "+addr+"/"), Options{Observe: obs.observe})
	if sum.Requests != 4 || sum.Answered() != 0 || obs.codes[0] != 4 {
		t.Fatalf("summary %s, observed %v; want 4 unanswered requests", sum, obs.codes)
	}
	if !strings.Contains(sum.String(), "4 × ") || !strings.Contains(sum.String(), "connection refused") {
		t.Errorf("summary %q does not group the 4 errors by cause", sum)
	}
}

// TestRunStopsWithContext: an hour-long run ends when its context does.
func TestRunStopsWithContext(t *testing.T) {
	tg := newTarget(t)
	ctx, cancel := context.WithCancel(context.Background())
	obs := func(int, error, time.Duration) { cancel() }
	done := make(chan Summary)
	go func() { done <- Run(ctx, mustParse(t, "hey -z 1h -c 2 "+tg.srv.URL+"/"), Options{Observe: obs}) }()
	select {
	case sum := <-done:
		if sum.Requests < 1 {
			t.Errorf("summary %s: want at least the request that cancelled", sum)
		}
	case <-time.After(30 * time.Second):
		t.Fatal("Run did not return after its context was cancelled")
	}
}

func TestSummaryString(t *testing.T) {
	sum := Summary{
		Requests: 4, Codes: map[int]int{500: 1, 200: 2}, Errors: map[string]int{"connection refused": 1},
		LatencyTotal: 8 * time.Millisecond, Elapsed: 2 * time.Second,
	}
	want := "4 requests in 2s (2.0/s), mean latency 2ms: 2 × 200, 1 × 500, 1 × connection refused"
	if got := sum.String(); got != want {
		t.Errorf("String() = %q, want %q", got, want)
	}
}
