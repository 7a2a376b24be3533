package webhook

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

func TestEventPayload(t *testing.T) {
	meta := map[string]string{"team": "web", "eventType": "spoofed"}
	h := v1.CanaryWebhook{Name: "notify", Type: v1.EventHook, URL: "http://x", Metadata: &meta}
	base := engine.Payload{Name: "podinfo", Namespace: "default", Phase: v1.PhaseProgressing, Checksum: "x"}
	e := engine.Event{
		Time: time.UnixMilli(1700000000123), Type: engine.Warning,
		Message: "Canary failed! Scaling down podinfo.default", Phase: v1.PhaseFailed,
	}
	b, err := json.Marshal(EventPayload(base, h, e))
	if err != nil {
		t.Fatal(err)
	}
	want := `{"name":"podinfo","namespace":"default","phase":"Failed","checksum":"x","metadata":{` +
		`"eventMessage":"Canary failed! Scaling down podinfo.default","eventType":"Warning","team":"web","timestamp":"1700000000123"}}`
	if string(b) != want {
		t.Errorf("payload\n%s\nwant\n%s", b, want)
	}
	if meta["eventType"] != "spoofed" || len(meta) != 2 {
		t.Errorf("the hook's metadata was changed: %v", meta)
	}
}

// blockingServer holds every request until released.
func blockingServer(t *testing.T) (*httptest.Server, func()) {
	t.Helper()
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body) // lets the server notice the client leave
		select {
		case <-release:
		case <-r.Context().Done():
		}
	}))
	t.Cleanup(srv.Close)
	var once sync.Once
	t.Cleanup(func() { once.Do(func() { close(release) }) })
	return srv, func() { once.Do(func() { close(release) }) }
}

func TestEventSenderDropsWhenFullAndNeverBlocks(t *testing.T) {
	srv, release := blockingServer(t)
	s := NewEventSender(New(Options{}), 2, WithErrorHandler(func(error) {}))
	start := time.Now()
	queued := 0
	for range 50 {
		if s.Send(GlobalHook(srv.URL), payload) {
			queued++
		}
	}
	if elapsed := time.Since(start); elapsed > 2*time.Second {
		t.Errorf("50 sends took %v", elapsed)
	}
	// One call may already be in flight, so 2 or 3 were taken.
	if queued < 2 || queued > 3 || s.Dropped() != uint64(50-queued) {
		t.Errorf("queued %d, dropped %d of 50 with a queue of 2", queued, s.Dropped())
	}
	release()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := s.Close(ctx); err != nil {
		t.Fatal(err)
	}
	if s.Send(GlobalHook(srv.URL), payload) {
		t.Error("Send after Close queued an event")
	}
}

func TestEventSenderDeliversInOrder(t *testing.T) {
	srv := newHookServer(t, answer{code: 200}, answer{code: 500, body: "down"}, answer{code: 200})
	var mu sync.Mutex
	var errs []string
	s := NewEventSender(New(Options{}), 10, WithErrorHandler(func(err error) {
		mu.Lock()
		defer mu.Unlock()
		errs = append(errs, err.Error())
	}))
	for _, msg := range []string{"one", "two", "three"} {
		p := payload
		p.Metadata = map[string]string{"eventMessage": msg}
		s.Send(hook(srv.URL), p)
	}
	if err := s.Close(context.Background()); err != nil {
		t.Fatal(err)
	}
	calls := srv.calls()
	if len(calls) != 3 || !strings.Contains(calls[0], `"one"`) || !strings.Contains(calls[2], `"three"`) {
		t.Errorf("calls = %q", calls)
	}
	want := "error sending event to webhook: POST " + srv.URL + " giving up after 1 attempt(s): 500: down"
	if s.Failed() != 1 || len(errs) != 1 || errs[0] != want {
		t.Errorf("failed %d, errors %q; want %q", s.Failed(), errs, want)
	}
}

func TestEventSenderCloseDeadline(t *testing.T) {
	srv, _ := blockingServer(t)
	s := NewEventSender(New(Options{}), 10, WithErrorHandler(func(error) {}))
	for range 5 {
		s.Send(GlobalHook(srv.URL), payload)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	err := s.Close(ctx)
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Close took %v past a 100ms deadline", elapsed)
	}
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Close = %v, want the deadline", err)
	}
	if s.Dropped()+s.Failed() != 5 {
		t.Errorf("dropped %d + failed %d, want the 5 events accounted for", s.Dropped(), s.Failed())
	}
}
