package webhook

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

var payload = engine.Payload{
	Name: "podinfo", Namespace: "default", Phase: v1.PhaseProgressing,
	Checksum: "x", Metadata: map[string]string{"cmd": "hey"},
}

// answer is one scripted reply of a hook server.
type answer struct {
	code       int
	body       string
	retryAfter string
}

// hookServer answers with its script in turn, repeating the last answer,
// and records the requests it got.
type hookServer struct {
	*httptest.Server
	mu     sync.Mutex
	script []answer
	bodies []string
	types  []string
}

func newHookServer(t *testing.T, script ...answer) *hookServer {
	t.Helper()
	s := &hookServer{script: script}
	s.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		s.mu.Lock()
		n := len(s.bodies)
		s.bodies = append(s.bodies, r.Method+" "+string(body))
		s.types = append(s.types, r.Header.Get("Content-Type"))
		a := s.script[min(n, len(s.script)-1)]
		s.mu.Unlock()
		if a.retryAfter != "" {
			w.Header().Set("Retry-After", a.retryAfter)
		}
		w.WriteHeader(a.code)
		fmt.Fprint(w, a.body)
	}))
	t.Cleanup(s.Close)
	return s
}

func (s *hookServer) calls() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.bodies...)
}

// sleeps records the backoff instead of waiting.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) Sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.d = append(s.d, d)
	return ctx.Err()
}

func hook(url string, mods ...func(*v1.CanaryWebhook)) v1.CanaryWebhook {
	h := v1.CanaryWebhook{Name: "load-test", URL: url}
	for _, m := range mods {
		m(&h)
	}
	return h
}

func withRetries(n int) func(*v1.CanaryWebhook) {
	return func(h *v1.CanaryWebhook) { h.Retries = &n }
}

func TestCallPayload(t *testing.T) {
	srv := newHookServer(t, answer{code: 200})
	if err := New(Options{}).Call(context.Background(), hook(srv.URL), payload); err != nil {
		t.Fatal(err)
	}
	empty := payload
	empty.Metadata = map[string]string{}
	if err := New(Options{}).Call(context.Background(), hook(srv.URL), empty); err != nil {
		t.Fatal(err)
	}
	want := []string{
		`POST {"name":"podinfo","namespace":"default","phase":"Progressing","checksum":"x","metadata":{"cmd":"hey"}}`,
		`POST {"name":"podinfo","namespace":"default","phase":"Progressing","checksum":"x"}`,
	}
	if got := srv.calls(); !reflect.DeepEqual(got, want) {
		t.Errorf("server got\n%q\nwant\n%q", got, want)
	}
	if srv.types[0] != "application/json" {
		t.Errorf("Content-Type = %q", srv.types[0])
	}
}

func TestCallOutcome(t *testing.T) {
	tests := map[string]struct {
		answer answer
		want   string // "" means passed; %s is the URL
	}{
		"200":                {answer: answer{code: 200, body: "ok"}},
		"202":                {answer: answer{code: 202}},
		"203 fails":          {answer: answer{code: 203}, want: "POST %s returned 203 Non-Authoritative Information"},
		"403 says its body":  {answer: answer{code: 403, body: "Forbidden\n"}, want: "Forbidden"},
		"404 without a body": {answer: answer{code: 404}, want: "POST %s returned 404 Not Found"},
		"500 keeps its body": {answer: answer{code: 500, body: "command hey failed: exit status 1"}, want: "POST %s giving up after 1 attempt(s): 500: command hey failed: exit status 1"},
		"503 without a body": {answer: answer{code: 503}, want: "POST %s giving up after 1 attempt(s): 503 Service Unavailable"},
		"501 is final":       {answer: answer{code: 501, body: "no such task"}, want: "no such task"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newHookServer(t, tc.answer)
			err := New(Options{}).Call(context.Background(), hook(srv.URL), payload)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("err = %v, want a pass", err)
				}
				return
			}
			if want := strings.ReplaceAll(tc.want, "%s", srv.URL); err == nil || err.Error() != want {
				t.Errorf("err = %v, want %q", err, want)
			}
		})
	}
}

// TestCallHidesURLPassword: a hook URL with a password in its userinfo is
// shown with the password replaced, in the refusal and in a failed call.
func TestCallHidesURLPassword(t *testing.T) {
	srv := newHookServer(t, answer{code: 503})
	withPassword := strings.Replace(srv.URL, "http://", "http://hook:s3cr3t-pw@", 1)
	down := "http://hook:s3cr3t-pw@127.0.0.1:1/"
	for url, want := range map[string]string{
		withPassword: "POST " + strings.Replace(srv.URL, "http://", "http://hook:xxxxx@", 1) + " giving up after 1 attempt(s): 503 Service Unavailable",
		down:         "POST http://hook:xxxxx@127.0.0.1:1/ giving up after 1 attempt(s): ",
	} {
		err := New(Options{}).Call(context.Background(), hook(url), payload)
		if err == nil || !strings.HasPrefix(err.Error(), want) || strings.Contains(err.Error(), "s3cr3t-pw") {
			t.Errorf("err = %v, want it to start %q and hide the password", err, want)
		}
	}
}

func TestCallRetries(t *testing.T) {
	tests := map[string]struct {
		retries    int
		script     []answer
		wantCalls  int
		wantSleeps []time.Duration
		wantErr    string
	}{
		"recovers after 5xx": {
			retries: 5, script: []answer{{code: 500}, {code: 502}, {code: 200}},
			wantCalls: 3, wantSleeps: []time.Duration{time.Second, 2 * time.Second},
		},
		"backoff doubles up to 30s": {
			retries: 7, script: []answer{{code: 503, body: "busy"}},
			wantCalls: 8, wantSleeps: seconds(1, 2, 4, 8, 16, 30, 30),
			wantErr: "POST %s giving up after 8 attempt(s): 503: busy",
		},
		"Retry-After honoured and capped": {
			retries: 3, script: []answer{{code: 429, retryAfter: "7"}, {code: 503, retryAfter: "120"}, {code: 429, retryAfter: "soon"}, {code: 200}},
			wantCalls: 4, wantSleeps: seconds(7, 30, 4),
		},
		"501 not retried": {
			retries: 3, script: []answer{{code: 501, body: "nope"}},
			wantCalls: 1, wantErr: "nope",
		},
		"4xx not retried": {
			retries: 3, script: []answer{{code: 400, body: "metadata not found in payload"}},
			wantCalls: 1, wantErr: "metadata not found in payload",
		},
		"no retries by default": {
			retries: -1, script: []answer{{code: 500, body: "x"}},
			wantCalls: 1, wantErr: "POST %s giving up after 1 attempt(s): 500: x",
		},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			srv := newHookServer(t, tc.script...)
			var slept sleeps
			h := hook(srv.URL)
			if tc.retries >= 0 {
				h = hook(srv.URL, withRetries(tc.retries))
			}
			err := New(Options{Sleep: slept.Sleep}).Call(context.Background(), h, payload)
			if got := len(srv.calls()); got != tc.wantCalls {
				t.Errorf("%d attempts, want %d", got, tc.wantCalls)
			}
			if !reflect.DeepEqual(slept.d, tc.wantSleeps) {
				t.Errorf("slept %v, want %v", slept.d, tc.wantSleeps)
			}
			want := strings.ReplaceAll(tc.wantErr, "%s", srv.URL)
			if (err == nil) != (want == "") || (err != nil && err.Error() != want) {
				t.Errorf("err = %v, want %q", err, want)
			}
		})
	}
}

func seconds(s ...int) []time.Duration {
	d := make([]time.Duration, len(s))
	for i, v := range s {
		d[i] = time.Duration(v) * time.Second
	}
	return d
}

func TestCallConnectionErrorRetried(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	var slept sleeps
	err := New(Options{Sleep: slept.Sleep}).Call(context.Background(), hook(srv.URL, withRetries(2)), payload)
	want := fmt.Sprintf(`POST %s giving up after 3 attempt(s): Post "%s": `, srv.URL, srv.URL)
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("err = %v, want prefix %q", err, want)
	}
	if len(slept.d) != 2 {
		t.Errorf("slept %v, want two backoffs", slept.d)
	}
}

func TestCallTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshakes
	srv.StartTLS()
	t.Cleanup(srv.Close)
	var slept sleeps
	c := New(Options{Sleep: slept.Sleep})
	err := c.Call(context.Background(), hook(srv.URL, withRetries(3)), payload)
	if err == nil || !strings.Contains(err.Error(), "giving up after 1 attempt(s)") {
		t.Errorf("err = %v, want a refused certificate, not retried", err)
	}
	if err := c.Call(context.Background(), hook(srv.URL, func(h *v1.CanaryWebhook) { h.DisableTLS = true }), payload); err != nil {
		t.Errorf("disableTLS: %v", err)
	}
	if first, again := c.insecure(), c.insecure(); first != again {
		t.Error("the insecure client is rebuilt per call")
	}
}

func TestCallPerAttemptTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client leave
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	var slept sleeps
	h := hook(srv.URL, withRetries(1), func(h *v1.CanaryWebhook) { h.Timeout = "50ms" })
	start := time.Now()
	err := New(Options{Sleep: slept.Sleep}).Call(context.Background(), h, payload)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Call returned after %v with two 50ms attempts", elapsed)
	}
	if err == nil || !errors.Is(err, context.DeadlineExceeded) || !strings.Contains(err.Error(), "giving up after 2 attempt(s)") {
		t.Errorf("err = %v, want two timed-out attempts", err)
	}
}

func TestCallBoundedByContext(t *testing.T) {
	srv := newHookServer(t, answer{code: 500})
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := New(Options{}).Call(ctx, hook(srv.URL, withRetries(10)), payload)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Call returned after %v past a 100ms context", elapsed)
	}
	if err == nil || len(srv.calls()) != 1 {
		t.Errorf("err = %v after %d attempts, want a failure after 1", err, len(srv.calls()))
	}
}

func TestCallTruncatesHugeBody(t *testing.T) {
	srv := newHookServer(t, answer{code: 403, body: strings.Repeat("x", 1<<20)})
	err := New(Options{MaxBody: 1024}).Call(context.Background(), hook(srv.URL), payload)
	if err == nil || !strings.HasPrefix(err.Error(), strings.Repeat("x", 1024)+" …(truncated)") || len(err.Error()) > 1100 {
		t.Errorf("a 1MiB body gave an error of %d bytes", len(err.Error()))
	}
}

func TestBackoff(t *testing.T) {
	for n, want := range seconds(1, 2, 4, 8, 16, 30, 30) {
		if got := backoff(n, 0); got != want {
			t.Errorf("backoff(%d) = %v, want %v", n, got, want)
		}
	}
	if got := backoff(1000, 0); got != 30*time.Second {
		t.Errorf("backoff(1000) = %v", got)
	}
	if got := backoff(0, 45*time.Second); got != 30*time.Second {
		t.Errorf("a 45s Retry-After gave %v", got)
	}
}

func TestDefaultSleepHonoursContext(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := sleep(ctx, time.Hour); !errors.Is(err, context.Canceled) {
		t.Errorf("sleep = %v", err)
	}
	if err := sleep(context.Background(), time.Millisecond); err != nil {
		t.Errorf("sleep = %v", err)
	}
}
