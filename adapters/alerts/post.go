package alerts

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Limits of a post.
const (
	// DefaultAttemptTimeout bounds one attempt (Flagger's: 5s, no retry).
	DefaultAttemptTimeout = 5 * time.Second
	// DefaultRetries is how many times a post is retried after a
	// retryable failure.
	DefaultRetries = 2
	// RetriesMax caps Retries.
	RetriesMax = 5
	// backoffBase is the wait before the first retry; it doubles.
	backoffBase = time.Second
	// bodyQuoteMax is how much of an answer's body an error quotes.
	bodyQuoteMax = 256
)

// poster posts bodies to endpoints, with timeouts and retries.
type poster struct {
	base    *http.Client
	sleep   func(ctx context.Context, d time.Duration) error
	timeout time.Duration
	retries int

	mu      sync.Mutex
	proxied map[string]*http.Client // by proxy URL
}

// post sends body to ep, retrying retryable failures, and returns nil on a
// 2xx answer. The error never holds ep's URL, token or proxy.
func (p *poster) post(ctx context.Context, ep Endpoint, body []byte) error {
	client, err := p.client(ep.Proxy)
	if err != nil {
		return err
	}
	var last attemptResult
	attempts := 0
	for attempts <= p.retries {
		if attempts > 0 && p.sleep(ctx, backoffBase<<(attempts-1)) != nil {
			break
		}
		last = p.attempt(ctx, client, ep, body)
		attempts++
		if last.err == nil || !last.retryable || ctx.Err() != nil {
			break
		}
	}
	if last.err == nil {
		return nil
	}
	return fmt.Errorf("posting to %s %s failed after %d attempt(s): %w", ep.Type, RedactURL(ep.URL), attempts, last.err)
}

// attemptResult is one attempt's error, if any, and whether it is worth
// another.
type attemptResult struct {
	err       error
	retryable bool
}

func (p *poster) attempt(ctx context.Context, client *http.Client, ep Endpoint, body []byte) attemptResult {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, ep.URL, bytes.NewReader(body))
	if err != nil {
		return attemptResult{err: errors.New("building the request failed")}
	}
	req.Header.Set("Content-Type", "application/json")
	if ep.Token != "" {
		req.Header.Set("Authorization", "Bearer "+ep.Token)
	}
	resp, err := client.Do(req)
	if err != nil {
		return attemptResult{err: transportError(err, p.timeout), retryable: true}
	}
	defer resp.Body.Close()
	quote := scrub(readQuote(resp.Body), ep)
	if resp.StatusCode >= 200 && resp.StatusCode < 300 {
		return attemptResult{}
	}
	retryable := resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500
	return attemptResult{err: fmt.Errorf("status %d: %q", resp.StatusCode, quote), retryable: retryable}
}

// transportError is a client error without the URL that *url.Error quotes.
func transportError(err error, timeout time.Duration) error {
	var ue *url.Error
	if errors.As(err, &ue) {
		err = ue.Err
	}
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() || errors.Is(err, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %s", timeout)
	}
	return err
}

// readQuote reads the start of a body, cut on a character boundary, and
// drains a little more so the connection can be reused.
func readQuote(r io.Reader) string {
	b, _ := io.ReadAll(io.LimitReader(r, bodyQuoteMax))
	_, _ = io.Copy(io.Discard, io.LimitReader(r, 64<<10))
	for len(b) > 0 && !utf8.Valid(b) {
		b = b[:len(b)-1]
	}
	return strings.TrimSpace(string(b))
}

// client is the base client, or one that posts through proxy.
func (p *poster) client(proxy string) (*http.Client, error) {
	if proxy == "" {
		return p.base, nil
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if c, ok := p.proxied[proxy]; ok {
		return c, nil
	}
	u, err := url.Parse(proxy)
	if err != nil || u.Host == "" {
		return nil, errors.New("the proxy is not an absolute URL")
	}
	var t *http.Transport
	if bt, ok := p.base.Transport.(*http.Transport); ok {
		t = bt.Clone()
	} else {
		t = http.DefaultTransport.(*http.Transport).Clone()
	}
	t.Proxy = http.ProxyURL(u)
	c := *p.base
	c.Transport = t
	if p.proxied == nil {
		p.proxied = map[string]*http.Client{}
	}
	p.proxied[proxy] = &c
	return &c, nil
}

// sleep waits d or until ctx ends.
func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// scrub replaces the secrets of ep that a chat server may echo in its
// answer (the webhook URL or its path, the token, the proxy) by
// "<redacted>", so that the error quoting the answer holds none of them.
func scrub(s string, ep Endpoint) string {
	var secrets []string
	for _, raw := range []string{ep.URL, ep.Proxy} {
		if raw == "" {
			continue
		}
		secrets = append(secrets, raw)
		if u, err := url.Parse(raw); err == nil {
			if len(u.Path) > 1 {
				secrets = append(secrets, u.Path, u.EscapedPath())
			}
			if pw, ok := u.User.Password(); ok && pw != "" {
				secrets = append(secrets, pw)
			}
			if u.RawQuery != "" {
				secrets = append(secrets, u.RawQuery)
			}
		}
	}
	if ep.Token != "" {
		secrets = append(secrets, ep.Token)
	}
	for _, secret := range secrets {
		s = strings.ReplaceAll(s, secret, "<redacted>")
	}
	return s
}
