package alerts_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/adapters/alerts"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

func status(code int, body string) func(w http.ResponseWriter) {
	return func(w http.ResponseWriter) {
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	}
}

// reset closes the connection without an answer.
func reset(w http.ResponseWriter) {
	conn, _, err := w.(http.Hijacker).Hijack()
	if err == nil {
		_ = conn.Close()
	}
}

// recordedSleep records the backoff instead of waiting.
type recordedSleep struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (r *recordedSleep) sleep(_ context.Context, d time.Duration) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.waits = append(r.waits, d)
	return nil
}

// TestFaults posts to chat servers that misbehave and checks the attempts,
// the backoff and the exact error, which never holds the webhook path.
func TestFaults(t *testing.T) {
	long := strings.Repeat("é", 400)
	cases := []struct {
		name     string
		answers  []func(w http.ResponseWriter)
		attempts int
		waits    []time.Duration
		err      string // "" when delivered; %s is the redacted URL
	}{
		{"503 then accepted", []func(http.ResponseWriter){status(503, "overloaded")}, 2, []time.Duration{time.Second}, ""},
		{"429 then accepted", []func(http.ResponseWriter){status(429, "rate_limited")}, 2, []time.Duration{time.Second}, ""},
		{"500 every time", []func(http.ResponseWriter){status(500, "boom"), status(500, "boom"), status(502, "bad gateway")}, 3,
			[]time.Duration{time.Second, 2 * time.Second}, `posting to slack %s failed after 3 attempt(s): status 502: "bad gateway"`},
		{"400 is final", []func(http.ResponseWriter){status(400, "invalid_payload")}, 1, nil,
			`posting to slack %s failed after 1 attempt(s): status 400: "invalid_payload"`},
		{"404 is final", []func(http.ResponseWriter){status(404, "no_service")}, 1, nil,
			`posting to slack %s failed after 1 attempt(s): status 404: "no_service"`},
		{"a long body is cut", []func(http.ResponseWriter){status(403, long)}, 1, nil,
			`posting to slack %s failed after 1 attempt(s): status 403: "` + strings.Repeat("é", 128) + `"`},
		{"the answer echoes the URL and the path", []func(http.ResponseWriter){status(400, "no such hook "+secretPath+" (/services/T000/B000/XXXXsecretXXXX)")}, 1, nil,
			`posting to slack %s failed after 1 attempt(s): status 400: "no such hook <redacted> (<redacted>)"`},
		{"reset then accepted", []func(http.ResponseWriter){reset}, 2, []time.Duration{time.Second}, ""},
		{"reset every time", []func(http.ResponseWriter){reset, reset, reset}, 3,
			[]time.Duration{time.Second, 2 * time.Second}, `posting to slack %s failed after 3 attempt(s): EOF`},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			rcv := newReceiver(t, tc.answers...)
			ep := alerts.Endpoint{Type: v1.AlertSlack, URL: rcv.URL + secretPath, Username: "flagger", Channel: "general"}
			sleeps := &recordedSleep{}
			a := rollbackAlert
			a.Global = true
			s, errs := sendAll(t, alerts.Options{Global: &ep, Sleep: sleeps.sleep}, a)
			if n := len(rcv.got()); n != tc.attempts {
				t.Errorf("%d attempts, want %d", n, tc.attempts)
			}
			if !reflect.DeepEqual(sleeps.waits, tc.waits) {
				t.Errorf("backoff %v, want %v", sleeps.waits, tc.waits)
			}
			checkErrors(t, errs, tc.err, rcv.URL)
			if wantSent := tc.err == ""; (s.Sent() == 1) != wantSent || (s.Failed() == 1) == wantSent {
				t.Errorf("sent %d, failed %d", s.Sent(), s.Failed())
			}
		})
	}
}

func checkErrors(t *testing.T, errs []error, format, url string) {
	t.Helper()
	if format == "" {
		if len(errs) > 0 {
			t.Errorf("errors %v, want none", errs)
		}
		return
	}
	want := "alert of podinfo.test to global notifier not sent: " + fmt.Sprintf(format, url+"/…")
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("errors %q\nwant   %q", errs, want)
	}
}

// TestHangingServer gives up on a server that never answers after the
// attempt timeout, and the post is cancelled on the server's side.
func TestHangingServer(t *testing.T) {
	cancelled := make(chan struct{}, 1)
	rcv := newReceiver(t)
	rcv.Config.Handler = http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.ReadAll(r.Body) // the server watches the connection once the body is read
		<-r.Context().Done()
		cancelled <- struct{}{}
	})
	ep := alerts.Endpoint{Type: v1.AlertMSTeams, URL: rcv.URL + secretPath}
	a := rollbackAlert
	a.Global = true
	_, errs := sendAll(t, alerts.Options{Global: &ep, AttemptTimeout: 50 * time.Millisecond, Retries: -1}, a)
	want := fmt.Sprintf("alert of podinfo.test to global notifier not sent: posting to msteams %s/… failed after 1 attempt(s): no answer within 50ms", rcv.URL)
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("errors %q\nwant   %q", errs, want)
	}
	select {
	case <-cancelled:
	case <-time.After(time.Minute): // a guard against a hang, not a measured bound
		t.Fatal("the server never saw the post cancelled")
	}
}

// TestSendNeverWaits sends while the chat server holds the first post: Send
// returns at once, queues up to the queue size and drops the rest.
func TestSendNeverWaits(t *testing.T) {
	arrived, release := make(chan struct{}, 1), make(chan struct{})
	rcv := newReceiver(t)
	rcv.Config.Handler = http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
		select {
		case arrived <- struct{}{}:
		default:
		}
		<-release
	})
	ep := alerts.Endpoint{Type: v1.AlertSlack, URL: rcv.URL + secretPath, Username: "flagger", Channel: "general"}
	s := alerts.NewSender(alerts.Options{Global: &ep, Queue: 1, AttemptTimeout: time.Hour, OnError: func(error) {}})
	a := rollbackAlert
	a.Global = true
	s.Send(a)
	<-arrived // the first post is in flight and held
	for range 3 {
		s.Send(a) // one queued, two dropped; none waits for the server
	}
	if s.Dropped() != 2 {
		t.Errorf("dropped %d, want 2", s.Dropped())
	}
	close(release)
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	if s.Sent() != 2 {
		t.Errorf("sent %d, want 2", s.Sent())
	}
	s.Send(a)
	if s.Dropped() != 3 {
		t.Errorf("a send after Close: dropped %d, want 3", s.Dropped())
	}
}

var _ engine.Alerts = (*alerts.Sender)(nil)
