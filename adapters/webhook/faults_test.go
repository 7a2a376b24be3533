package webhook

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/adapters/webhook/hooktest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// TestCallFaults calls every misbehaving receiver of the catalogue once,
// with no retries (and a 100ms timeout for the receivers that hang), and checks the exact error,
// that a hanging receiver saw its request cancelled when the call gave up,
// and that the quoted body stayed within MaxQuote.
func TestCallFaults(t *testing.T) {
	for _, f := range hooktest.Faults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			url := hooktest.Serve(t, f)
			h := hook(url, func(h *v1.CanaryWebhook) { h.Timeout = "1m" }) // no fault may time out on a loaded machine
			if f.HookTimeout != "" {
				h.Timeout = f.HookTimeout
			}
			err := New(Options{}).Call(context.Background(), h, payload)
			checkFault(t, f, url, err)
			if f.Cancelled != nil {
				awaitCancelled(t, f.Cancelled)
			}
		})
	}
}

func checkFault(t *testing.T, f hooktest.Fault, url string, err error) {
	t.Helper()
	if f.Err == "" {
		if err != nil {
			t.Fatalf("err = %.200v, want a pass", err)
		}
		return
	}
	if err == nil {
		t.Fatalf("the call passed, want %.200q", f.Err)
	}
	if !f.Match(err.Error(), "", url) {
		t.Errorf("err = %.300q\nwant %.300q", err, f.Err)
	}
	if got := errors.Is(err, context.DeadlineExceeded); got != f.Deadline {
		t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v", got, f.Deadline)
	}
	if n := len(err.Error()); n > MaxQuote+len(url)+100 {
		t.Errorf("an error of %d bytes, more than MaxQuote", n)
	}
}

// awaitCancelled waits for the receiver to report that it saw its request
// cancelled. The minute is a guard against a hang, not a measured bound.
func awaitCancelled(t *testing.T, cancelled <-chan struct{}) {
	t.Helper()
	select {
	case <-cancelled:
	case <-time.After(time.Minute):
		t.Fatal("the receiver never saw its request cancelled")
	}
}
