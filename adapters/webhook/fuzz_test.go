package webhook

import (
	"bytes"
	"io"
	"net/http"
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzResponse feeds arbitrary answers (status, Retry-After, body, body
// limit) to the response handling of a call and checks the outcome against
// Flagger's protocol (docs/flagger-compatibility.md, Webhooks): a pass
// exactly for statuses up to 202, a retry exactly for
// 429 and 5xx but 501, a wait within [0, 30s], and an error of bounded
// size that is valid UTF-8 whenever the body is.
func FuzzResponse(f *testing.F) {
	f.Add(200, "", []byte("ok"), uint16(1024))
	f.Add(403, "", []byte("Forbidden\n"), uint16(1024))
	f.Add(429, "7", []byte(""), uint16(16))
	f.Add(503, "120", []byte("busy"), uint16(2))
	f.Add(500, "-1", []byte(strings.Repeat("é", 40)), uint16(5))
	f.Add(501, "soon", []byte("no such task"), uint16(0))
	f.Add(203, " 3 ", []byte{0xff, 0xfe}, uint16(1))
	f.Fuzz(func(t *testing.T, code int, after string, body []byte, limit uint16) {
		code = 100 + (code%900+900)%900 // a status line carries three digits
		resp := &http.Response{
			StatusCode: code,
			Header:     http.Header{"Retry-After": {after}},
			Body:       io.NopCloser(bytes.NewReader(body)),
		}
		maxBody := int64(limit) + 1
		r := readResult(resp, maxBody)
		const url = "http://hook.test/"
		err := r.verdict(url, 1)
		checkResponse(t, code, r, err, body, maxBody, len(url))
	})
}

func checkResponse(t *testing.T, code int, r result, err error, body []byte, maxBody int64, urlBytes int) {
	t.Helper()
	if (err == nil) != (code <= http.StatusAccepted) {
		t.Fatalf("status %d gave %v", code, err)
	}
	wantRetry := code == http.StatusTooManyRequests || (code >= 500 && code != http.StatusNotImplemented)
	if r.retryable() != wantRetry {
		t.Errorf("status %d: retryable = %v", code, r.retryable())
	}
	if r.retryAfter < 0 || r.retryAfter > backoffMax {
		t.Errorf("Retry-After gave a wait of %v", r.retryAfter)
	}
	for n := range 8 {
		if d := backoff(n, r.retryAfter); d <= 0 || d > backoffMax {
			t.Errorf("backoff(%d, %v) = %v", n, r.retryAfter, d)
		}
	}
	if err == nil {
		return
	}
	if n := int64(len(err.Error())); n > maxBody+int64(urlBytes)+100 {
		t.Errorf("an error of %d bytes for a limit of %d", n, maxBody)
	}
	if utf8.Valid(body) && !utf8.ValidString(err.Error()) {
		t.Errorf("a valid UTF-8 body gave an invalid error text %q", err)
	}
}
