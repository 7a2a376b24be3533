package hooktest

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
)

// Fault is a webhook receiver that misbehaves one way, and what the
// adapter makes of it when the hook has no retries.
type Fault struct {
	Name string
	// Handler answers every call; nil is a receiver that is down.
	Handler http.Handler
	// Err is the adapter's error text. "{url}" stands for the hook's URL
	// and "{port}" for a port. Empty means the call passes.
	Err string
	// Deadline marks an error wrapping context.DeadlineExceeded.
	Deadline bool
	// Cancelled receives one value for each request whose context the
	// handler saw end; nil for handlers that answer at once.
	Cancelled chan struct{}
	// HookTimeout is the timeout a test gives the hook, set for the
	// receivers that hold a request until the client leaves (empty for the
	// ones that answer). A receiver that holds back its headers is ended by
	// any timeout, so a short one keeps the test quick; one that sends its
	// headers and then stalls the body gets a long one, so that on a loaded
	// machine the headers arrive before the deadline and the error is the
	// body's.
	HookTimeout string
}

// Match reports whether msg is prefix followed by the fault's error text
// for a hook at url.
func (f Fault) Match(msg, prefix, url string) bool {
	if !strings.Contains(f.Err, "{port}") { // no regexp: some texts are 1 MiB long
		return msg == prefix+strings.ReplaceAll(f.Err, "{url}", url)
	}
	re := regexp.QuoteMeta(prefix + f.Err)
	re = strings.ReplaceAll(re, regexp.QuoteMeta("{url}"), regexp.QuoteMeta(url))
	re = strings.ReplaceAll(re, regexp.QuoteMeta("{port}"), `[0-9]+`)
	return regexp.MustCompile("^" + re + "$").MatchString(msg)
}

func answer(code int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(code)
		_, _ = io.WriteString(w, body)
	})
}

// waitGone blocks until the client leaves and reports it on cancelled.
// Reading the request body first lets the server notice the client leave.
func waitGone(r *http.Request, cancelled chan<- struct{}) {
	_, _ = io.Copy(io.Discard, r.Body)
	<-r.Context().Done()
	select {
	case cancelled <- struct{}{}:
	default:
	}
}

// hang never answers.
func hang(cancelled chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { waitGone(r, cancelled) })
}

// stall answers 200 and the start of a body, then sends nothing more.
func stall(cancelled chan<- struct{}) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		_, _ = io.WriteString(w, "running")
		w.(http.Flusher).Flush()
		waitGone(r, cancelled)
	})
}

// reset closes the connection with a RST instead of an answer.
func reset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0)
		}
		_ = conn.Close()
	})
}

// endless streams body bytes until the client leaves: a body of any size
// without holding it in memory.
func endless(code int, size int) http.Handler {
	chunk := []byte(strings.Repeat("x", 64<<10))
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		_, _ = io.Copy(io.Discard, r.Body)
		w.WriteHeader(code)
		for sent := 0; sent < size; sent += len(chunk) {
			if _, err := w.Write(chunk); err != nil {
				return
			}
		}
	})
}

// QuotedBytes is how much of a body an error quotes: webhook.MaxQuote
// (written out: the webhook package's own tests import this one).
const QuotedBytes = 4 << 10

// HugeBytes is the size of the huge bodies: 50 MB.
const HugeBytes = 50 << 20

// Faults is the catalogue of misbehaving receivers. The huge-body errors
// assume the adapter's default MaxBody (1 MiB).
func Faults() []Fault {
	const giveUp = "POST {url} giving up after 1 attempt(s): "
	hung, stalled := make(chan struct{}, 64), make(chan struct{}, 64)
	return []Fault{
		{Name: "down", Err: giveUp + `Post "{url}": dial tcp 127.0.0.1:{port}: connect: connection refused`},
		{Name: "hang", Handler: hang(hung), Err: giveUp + `Post "{url}": context deadline exceeded`, Deadline: true, Cancelled: hung, HookTimeout: "100ms"},
		{Name: "body slower than the timeout", Handler: stall(stalled), Err: "error reading body: context deadline exceeded",
			Deadline: true, Cancelled: stalled, HookTimeout: "3s"},
		{Name: "connection reset", Handler: reset(),
			Err: giveUp + `Post "{url}": read tcp 127.0.0.1:{port}->127.0.0.1:{port}: read: connection reset by peer`},
		{Name: "500", Handler: answer(500, "command failed: exit status 1\n"), Err: giveUp + "500: command failed: exit status 1"},
		{Name: "503 empty", Handler: answer(503, ""), Err: giveUp + "503 Service Unavailable"},
		{Name: "huge 403", Handler: endless(403, HugeBytes), Err: strings.Repeat("x", QuotedBytes) + " …(truncated)"},
		{Name: "huge 500", Handler: endless(500, HugeBytes), Err: giveUp + "500: " + strings.Repeat("x", QuotedBytes) + " …(truncated)"},
		{Name: "huge 200", Handler: endless(200, HugeBytes)},
	}
}

// Serve starts f's receiver for the test and returns its URL. A receiver
// that is down gets a port that was just closed.
func Serve(t testing.TB, f Fault) string {
	t.Helper()
	if f.Handler == nil {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		return srv.URL
	}
	srv := httptest.NewServer(f.Handler)
	t.Cleanup(srv.Close)
	return srv.URL
}
