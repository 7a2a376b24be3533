package webhook

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fledge-canary/fledge/adapters/internal/httpclient"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Limits of a call.
const (
	// DefaultMaxBody is how much of a response body is read by default.
	DefaultMaxBody int64 = 1 << 20
	// RetriesMax caps a hook's retries, whatever its spec says.
	RetriesMax = 20
)

// Options configure a Caller.
type Options struct {
	// HTTPClient sends the requests; nil means a client over a clone of
	// http.DefaultTransport. Its Timeout, if any, applies on top of the
	// hook's per-attempt timeout.
	HTTPClient *http.Client
	// Sleep waits between attempts; nil means a timer that returns early
	// with ctx's error when ctx ends. Tests stub it to record the backoff.
	Sleep func(ctx context.Context, d time.Duration) error
	// MaxBody is how many bytes of a response body are read (and quoted
	// in errors); 0 means DefaultMaxBody.
	MaxBody int64
}

// Caller calls webhooks in Flagger's protocol. It is safe for concurrent use.
type Caller struct {
	base     *http.Client
	insecure func() *http.Client
	sleep    func(ctx context.Context, d time.Duration) error
	maxBody  int64
}

var _ engine.Webhooks = (*Caller)(nil)

// New returns a Caller.
func New(opts Options) *Caller {
	base := opts.HTTPClient
	if base == nil {
		base = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	c := &Caller{
		base:     base,
		insecure: sync.OnceValue(func() *http.Client { return httpclient.Insecure(base) }),
		sleep:    opts.Sleep,
		maxBody:  opts.MaxBody,
	}
	if c.sleep == nil {
		c.sleep = sleep
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBody
	}
	return c
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

// Call POSTs p to the hook, retrying as the hook allows, and returns nil
// when the final answer is a status up to 202.
func (c *Caller) Call(ctx context.Context, hook v1.CanaryWebhook, p engine.Payload) error {
	body, err := json.Marshal(p)
	if err != nil {
		return fmt.Errorf("error marshaling payload: %w", err)
	}
	client := c.base
	if hook.DisableTLS {
		client = c.insecure()
	}
	attemptsMax := 1 + retries(hook)
	var last result
	attempts := 0
	for attempts < attemptsMax {
		if attempts > 0 && c.sleep(ctx, backoff(attempts-1, last.retryAfter)) != nil {
			break
		}
		last = c.attempt(ctx, client, hook, body)
		attempts++
		if !last.retryable() || ctx.Err() != nil {
			break
		}
	}
	return last.verdict(RedactURL(hook.URL), attempts)
}

func retries(hook v1.CanaryWebhook) int {
	if hook.Retries == nil || *hook.Retries < 0 {
		return 0
	}
	return min(*hook.Retries, RetriesMax)
}

// attempt makes one POST bounded by the hook's timeout and reads the body.
func (c *Caller) attempt(ctx context.Context, client *http.Client, hook v1.CanaryWebhook, body []byte) result {
	ctx, cancel := context.WithTimeout(ctx, hook.GetTimeout())
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook.URL, bytes.NewReader(body))
	if err != nil {
		return result{err: err, permanent: true}
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return result{err: err, permanent: !retryableTransport(err)}
	}
	defer resp.Body.Close()
	return readResult(resp, c.maxBody)
}

// readResult turns a response into the attempt's result, reading at most
// maxBody bytes of its body. It reads nothing but resp.
func readResult(resp *http.Response, maxBody int64) result {
	text, truncated, err := readBody(resp.Body, maxBody)
	if err != nil {
		return result{code: resp.StatusCode, readErr: err}
	}
	return result{
		code:       resp.StatusCode,
		body:       text,
		truncated:  truncated,
		retryAfter: retryAfter(resp),
	}
}

// readBody reads at most limit bytes and says whether there were more. A
// cut body ends before a character the cut would split, so a UTF-8 body
// stays valid UTF-8 in the error that quotes it.
func readBody(r io.Reader, limit int64) (string, bool, error) {
	b, err := io.ReadAll(io.LimitReader(r, limit+1))
	if err != nil {
		return "", false, err
	}
	if int64(len(b)) <= limit {
		return string(b), false, nil
	}
	n := limit
	for n > 0 && limit-n < utf8.UTFMax-1 && !utf8.RuneStart(b[n]) {
		n--
	}
	return string(b[:n]), true, nil
}

// RedactURL is a URL as errors and logs show it: with the password of its
// userinfo, if any, replaced by "xxxxx"; otherwise as given.
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil {
		return raw
	}
	if _, ok := u.User.Password(); !ok {
		return raw
	}
	return u.Redacted()
}
