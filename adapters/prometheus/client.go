package prometheus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/fledge-canary/fledge/adapters/internal/httpclient"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Timeouts of one query.
const (
	DefaultTimeout = 5 * time.Second
	MaxTimeout     = time.Minute
)

// Size limits: an answer larger than responseBytesMax is refused, an error
// body is quoted up to errorBodyBytesMax, and an error's whole text is cut
// at errorTextBytesMax (a server can put any string in the fields an error
// quotes: resultType, errorType, error, a sample value).
//
// Of an answer with a status >= 400 only errorResponseBytesMax bytes are
// read: it is quoted, not decoded, and a Prometheus error is far shorter.
const (
	responseBytesMax      = 8 << 20
	errorResponseBytesMax = 64 << 10
	errorBodyBytesMax     = 1 << 10
	errorTextBytesMax     = 4 << 10
)

// SecretGetter reads the data of a Secret.
type SecretGetter interface {
	GetSecret(ctx context.Context, namespace, name string) (map[string][]byte, error)
}

// Options configure a Client.
type Options struct {
	// DefaultAddress is the controller's metrics server (-metrics-server),
	// used when neither the template nor the source names one.
	DefaultAddress string
	// Timeout bounds each request; 0 means DefaultTimeout, and it is
	// capped at MaxTimeout.
	Timeout time.Duration
	// Secrets reads templates' secretRefs; a template with a secretRef
	// fails its queries when it is nil.
	Secrets SecretGetter
	// HTTPClient sends the requests; nil means a client over a clone of
	// http.DefaultTransport.
	HTTPClient *http.Client
}

// Client queries Prometheus servers. It is safe for concurrent use.
type Client struct {
	opts     Options
	timeout  time.Duration
	base     *http.Client
	insecure func() *http.Client
}

var _ engine.Metrics = (*Client)(nil)

// New returns a Client.
func New(opts Options) *Client {
	base := opts.HTTPClient
	if base == nil {
		base = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	return &Client{
		opts:     opts,
		timeout:  boundTimeout(opts.Timeout),
		base:     base,
		insecure: sync.OnceValue(func() *http.Client { return httpclient.Insecure(base) }),
	}
}

func boundTimeout(d time.Duration) time.Duration {
	switch {
	case d <= 0:
		return DefaultTimeout
	case d > MaxTimeout:
		return MaxTimeout
	}
	return d
}

// Query evaluates q.PromQL at q.At and returns its single value.
func (c *Client) Query(ctx context.Context, q engine.Query) (float64, error) {
	return c.query(ctx, q.Source, q.Namespace, q.PromQL, q.At)
}

// Available asks the source for vector(1) at the server's time and requires
// the answer 1.
func (c *Client) Available(ctx context.Context, src engine.Source) error {
	v, err := c.query(ctx, src, "", "vector(1)", time.Time{})
	if err != nil {
		return err
	}
	if v != 1 {
		return fmt.Errorf("vector(1) returned %v, expected 1", v)
	}
	return nil
}

func (c *Client) query(ctx context.Context, src engine.Source, ns, promql string, at time.Time) (float64, error) {
	u, err := queryURL(c.address(src), promql, at)
	if err != nil {
		return 0, err
	}
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return 0, fmt.Errorf("request failed: %w", err)
	}
	var provider *v1.MetricTemplateProvider
	var secrets []string
	if src.Template != nil {
		provider = &src.Template.Spec.Provider
		copyHeaders(req.Header, provider.Headers)
		if secrets, err = c.authorize(ctx, req, src.Template, ns); err != nil {
			return 0, err
		}
	}
	secrets = append(secrets, addressCredentials(req.URL)...)
	v, err := c.do(req, provider, secrets)
	return v, scrub(err, secrets)
}

// address picks the server: the template's, the source's, the default.
func (c *Client) address(src engine.Source) string {
	if src.Template != nil && src.Template.Spec.Provider.Address != "" {
		return src.Template.Spec.Provider.Address
	}
	if src.Address != "" {
		return src.Address
	}
	return c.opts.DefaultAddress
}

// queryURL builds the instant-query URL; a zero at sends no time.
func queryURL(address, promql string, at time.Time) (string, error) {
	u, err := url.Parse(address)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return "", fmt.Errorf("prometheus address %q is not a valid URL", redactAddress(address, u, err))
	}
	u = u.JoinPath("api", "v1", "query")
	params := url.Values{"query": {promql}}
	if !at.IsZero() {
		params.Set("time", at.UTC().Format(time.RFC3339Nano))
	}
	u.RawQuery = params.Encode()
	u.Fragment = ""
	return u.String(), nil
}

// redactAddress hides the password of an address, even one that does not
// parse: everything between "://" and the last "@" of the host part.
func redactAddress(address string, u *url.URL, err error) string {
	if err == nil {
		return u.Redacted()
	}
	_, rest, ok := strings.Cut(address, "://")
	if !ok {
		return address
	}
	host, _, _ := strings.Cut(rest, "/")
	if i := strings.LastIndex(host, "@"); i >= 0 {
		return address[:len(address)-len(rest)] + "xxxxx" + rest[i:]
	}
	return address
}

// do sends the request and decodes the answer. secrets are the credentials
// the request carries: they are taken out of an error body before it is cut,
// so that no prefix of one survives the cut.
func (c *Client) do(req *http.Request, provider *v1.MetricTemplateProvider, secrets []string) (float64, error) {
	hc := c.base
	if provider != nil && provider.InsecureSkipVerify {
		hc = c.insecure()
	}
	resp, err := hc.Do(req)
	if err != nil {
		return 0, fmt.Errorf("request failed: %w", err)
	}
	defer resp.Body.Close()
	limit := int64(responseBytesMax)
	if resp.StatusCode >= 400 {
		limit = errorResponseBytesMax
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return 0, fmt.Errorf("request failed: reading body: %w", err)
	}
	if resp.StatusCode >= 400 {
		status := fmt.Sprintf("error response: Status %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))
		if text := errorBody(body, secrets); text != "" {
			return 0, fmt.Errorf("%s: %s", status, text)
		}
		return 0, errors.New(status)
	}
	if len(body) > responseBytesMax {
		return 0, fmt.Errorf("error unmarshaling result: %w",
			fmt.Errorf("response larger than %d bytes", responseBytesMax))
	}
	return decode(body)
}

// errorBody is what an error quotes of the body of a status >= 400: the
// "errorType: error" of a Prometheus error answer, else the body itself,
// with the secrets taken out, then cut at errorBodyBytesMax.
func errorBody(body []byte, secrets []string) string {
	text := strings.TrimSpace(string(body))
	var r response
	if json.Unmarshal(body, &r) == nil && r.Status == "error" && r.Error != "" {
		text = r.ErrorType + ": " + r.Error
	}
	return truncate(redactText(text, secrets), errorBodyBytesMax)
}

// truncate cuts s at n bytes, before a character the cut would split (at
// most utf8.UTFMax-1 bytes back: bytes that are not UTF-8 are cut anywhere),
// and marks the cut.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for back := 0; back < utf8.UTFMax-1 && n > 0 && !utf8.RuneStart(s[n]); back++ {
		n--
	}
	return s[:n] + "…(truncated)"
}
