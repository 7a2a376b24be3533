package hey

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Options are what Run reports to.
type Options struct {
	// Observe is called after every request, from the worker that sent
	// it: the status code (0 when err is not nil) and the latency. It may
	// be nil.
	Observe func(code int, err error, latency time.Duration)
	// Transport replaces the HTTP transport (tests); nil builds one as hey
	// does.
	Transport http.RoundTripper
}

// Summary is what a run did.
type Summary struct {
	// Requests counts the requests sent, answered or not.
	Requests int
	// Codes counts the answered requests by status code.
	Codes map[int]int
	// Errors counts the transport errors (no answer) by message.
	Errors map[string]int
	// LatencyTotal is the sum of the latencies of all requests.
	LatencyTotal time.Duration
	// Elapsed is the run's wall-clock duration.
	Elapsed time.Duration
}

// Answered counts the requests that got a response.
func (s Summary) Answered() int {
	n := 0
	for _, c := range s.Codes {
		n += c
	}
	return n
}

// Run sends spec's load until it is done or ctx ends.
func Run(ctx context.Context, spec *Spec, opts Options) Summary {
	r := &runner{spec: spec, opts: opts, sum: Summary{Codes: map[int]int{}, Errors: map[string]int{}}}
	r.client = r.newClient()
	// stop ends the loop of every worker; requests in flight keep ctx,
	// so that -z does not turn the last requests into errors.
	stop, cancel := ctx, context.CancelFunc(func() {})
	if spec.Duration > 0 {
		stop, cancel = context.WithTimeout(ctx, spec.Duration)
	}
	defer cancel()
	perWorker := -1
	if spec.Duration == 0 {
		perWorker = spec.Requests / spec.Workers
	}
	start := time.Now()
	var wg sync.WaitGroup
	for range spec.Workers {
		wg.Go(func() { r.worker(ctx, stop, perWorker) })
	}
	wg.Wait()
	r.sum.Elapsed = time.Since(start)
	return r.sum
}

type runner struct {
	spec   *Spec
	opts   Options
	client *http.Client
	mu     sync.Mutex
	sum    Summary
}

func (r *runner) newClient() *http.Client {
	transport := r.opts.Transport
	if transport == nil {
		transport = &http.Transport{
			Proxy:               nil,
			MaxIdleConnsPerHost: r.spec.Workers,
			DisableCompression:  r.spec.DisableCompression,
			DisableKeepAlives:   r.spec.DisableKeepAlives,
			// As hey: the targets are the canary's own Services.
			TLSClientConfig:     &tls.Config{InsecureSkipVerify: true}, //nolint:gosec // hey's behaviour, see the package doc
			TLSHandshakeTimeout: 10 * time.Second,
		}
	}
	client := &http.Client{Transport: transport, Timeout: r.spec.Timeout}
	if r.spec.DisableRedirects {
		client.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	}
	return client
}

// worker sends n requests (forever when n < 0) until stop ends.
func (r *runner) worker(ctx, stop context.Context, n int) {
	var limiter *rate.Limiter
	if r.spec.RatePerWorker > 0 {
		limiter = rate.NewLimiter(rate.Limit(r.spec.RatePerWorker), 1)
	}
	for i := 0; n < 0 || i < n; i++ {
		if limiter != nil && limiter.Wait(stop) != nil {
			return
		}
		if stop.Err() != nil {
			return
		}
		r.send(ctx)
	}
}

// send makes one request and records its outcome.
func (r *runner) send(ctx context.Context) {
	start := time.Now()
	code, err := r.do(ctx)
	latency := time.Since(start)
	if r.opts.Observe != nil {
		r.opts.Observe(code, err, latency)
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	r.sum.Requests++
	r.sum.LatencyTotal += latency
	if err != nil {
		r.sum.Errors[errorText(err)]++
		return
	}
	r.sum.Codes[code]++
}

func (r *runner) do(ctx context.Context) (int, error) {
	req, err := http.NewRequestWithContext(ctx, r.spec.Method, r.spec.URL, bodyReader(r.spec.Body))
	if err != nil {
		return 0, err
	}
	req.Header = r.spec.Header.Clone()
	if r.spec.Host != "" {
		req.Host = r.spec.Host
	}
	if r.spec.User != nil {
		pass, _ := r.spec.User.Password()
		req.SetBasicAuth(r.spec.User.Username(), pass)
	}
	if req.Header.Get("User-Agent") == "" {
		req.Header.Set("User-Agent", "fledge-loadtester (hey)")
	}
	resp, err := r.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	return resp.StatusCode, nil
}

func bodyReader(body string) io.Reader {
	if body == "" {
		return nil
	}
	return strings.NewReader(body)
}

// errorText is an error's message without the URL, which every request
// shares, so that a summary groups errors by cause.
func errorText(err error) string {
	var uerr *url.Error
	if errors.As(err, &uerr) {
		return uerr.Err.Error()
	}
	return err.Error()
}

// String is a one-line report, such as
// "240 requests in 2m0s (2.0/s), mean latency 3ms: 238 × 200, 2 × connection refused".
func (s Summary) String() string {
	var b strings.Builder
	perSecond := 0.0
	if s.Elapsed > 0 {
		perSecond = float64(s.Requests) / s.Elapsed.Seconds()
	}
	var mean time.Duration
	if s.Requests > 0 {
		mean = s.LatencyTotal / time.Duration(s.Requests)
	}
	fmt.Fprintf(&b, "%d requests in %s (%.1f/s), mean latency %s", s.Requests, s.Elapsed.Round(time.Millisecond), perSecond, mean.Round(time.Microsecond))
	sep := ": "
	for _, code := range slices.Sorted(maps.Keys(s.Codes)) {
		fmt.Fprintf(&b, "%s%d × %d", sep, s.Codes[code], code)
		sep = ", "
	}
	for _, msg := range slices.Sorted(maps.Keys(s.Errors)) {
		fmt.Fprintf(&b, "%s%d × %s", sep, s.Errors[msg], msg)
		sep = ", "
	}
	return b.String()
}
