package webhook

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// MaxQuote is how much of a failed hook's response body its error quotes:
// enough for a load tester's command output, small enough for an Event and
// a log line.
const MaxQuote = 4 << 10

// Backoff between attempts: backoffBase × 2ⁿ, at most backoffMax.
const (
	backoffBase = time.Second
	backoffMax  = 30 * time.Second
)

// result is the outcome of one attempt.
type result struct {
	code       int    // HTTP status; 0 when the request failed
	body       string // the response body, at most MaxBody bytes
	truncated  bool
	retryAfter time.Duration // from a 429 or 503 Retry-After header
	err        error         // transport error
	permanent  bool          // err is not worth retrying
	readErr    error         // the body could not be read
}

// retryable reports whether another attempt may answer differently:
// connection errors, 429, and 5xx except 501 Not Implemented.
func (r result) retryable() bool {
	if r.err != nil {
		return !r.permanent
	}
	if r.readErr != nil {
		return false
	}
	return r.code == http.StatusTooManyRequests ||
		(r.code >= 500 && r.code != http.StatusNotImplemented)
}

// verdict turns the last attempt into Call's answer.
func (r result) verdict(url string, attempts int) error {
	switch {
	case r.err != nil:
		return fmt.Errorf("POST %s giving up after %d attempt(s): %w", url, attempts, r.err)
	case r.readErr != nil:
		return fmt.Errorf("error reading body: %w", r.readErr)
	case r.code <= http.StatusAccepted:
		return nil
	}
	body, cut := quote(strings.TrimSpace(r.body))
	if r.truncated || cut {
		body += " …(truncated)"
	}
	status := fmt.Sprintf("%d %s", r.code, http.StatusText(r.code))
	switch {
	case r.retryable() && body != "":
		return fmt.Errorf("POST %s giving up after %d attempt(s): %d: %s", url, attempts, r.code, body)
	case r.retryable():
		return fmt.Errorf("POST %s giving up after %d attempt(s): %s", url, attempts, status)
	case body != "":
		return errors.New(body)
	default:
		return fmt.Errorf("POST %s returned %s", url, status)
	}
}

// quote cuts a body to MaxQuote bytes, before a character the cut would
// split, and says whether it cut.
func quote(body string) (string, bool) {
	if len(body) <= MaxQuote {
		return body, false
	}
	n := MaxQuote
	for n > 0 && !utf8.RuneStart(body[n]) {
		n--
	}
	return body[:n], true
}

// retryableTransport reports whether a failed request may succeed when
// retried: not when the certificate is refused, the URL's scheme is not
// HTTP, or the redirects ran out, since those fail the same way again.
func retryableTransport(err error) bool {
	var (
		unknownAuthority x509.UnknownAuthorityError
		hostname         x509.HostnameError
		invalid          x509.CertificateInvalidError
		verification     *tls.CertificateVerificationError
	)
	if errors.As(err, &unknownAuthority) || errors.As(err, &hostname) ||
		errors.As(err, &invalid) || errors.As(err, &verification) {
		return false
	}
	msg := err.Error()
	return !strings.Contains(msg, "unsupported protocol scheme") &&
		!strings.Contains(msg, "stopped after") && // the redirect limit
		!strings.Contains(msg, "invalid header")
}

// retryAfter reads a 429 or 503 Retry-After given in seconds. The HTTP-date
// form would need a clock, so it falls back to the exponential backoff.
func retryAfter(resp *http.Response) time.Duration {
	if resp.StatusCode != http.StatusTooManyRequests && resp.StatusCode != http.StatusServiceUnavailable {
		return 0
	}
	s, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After")))
	if err != nil || s <= 0 {
		return 0
	}
	return time.Duration(min(s, int(backoffMax/time.Second))) * time.Second
}

// backoff is the wait before retry n (0-based): the server's Retry-After
// when it gave one, else 1s × 2ⁿ; never more than 30s.
func backoff(n int, retryAfter time.Duration) time.Duration {
	if retryAfter > 0 {
		return min(retryAfter, backoffMax)
	}
	if n >= 5 { // 2⁵s already exceeds the cap; avoid shifting into overflow
		return backoffMax
	}
	return min(backoffBase<<n, backoffMax)
}
