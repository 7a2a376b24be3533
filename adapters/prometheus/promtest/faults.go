package promtest

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"html"
	"math"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
)

// Fault is a Prometheus server that misbehaves one way, and what the
// adapter makes of it.
type Fault struct {
	Name string
	// Handler answers every request; nil is a server that is down: its
	// port is closed.
	Handler http.Handler
	// Err is the adapter's error text. "{get}" stands for the failed
	// request, `Get "<query URL>"`, and "{port}" for the server's port.
	// Empty means no error: the adapter returns Value.
	Err string
	// Value is the answer when Err is empty: ±Inf, which the adapter
	// passes on and the core fails (it is no value to judge).
	Value float64
	// NoValues marks an error wrapping engine.ErrNoValues: the core turns
	// it into a "no values found" Warning.
	NoValues bool
	// Deadline marks an error wrapping context.DeadlineExceeded.
	Deadline bool
	// ClientTimeout is the query timeout a test gives the client, set for
	// the servers that hold a request until the client leaves (zero for the
	// servers that answer). A server that holds back its headers is ended by
	// any timeout, so a short one keeps the test quick; one that sends its
	// headers and then stalls the body gets a long one, so that on a loaded
	// machine the headers arrive before the deadline and the error is the
	// body's.
	ClientTimeout time.Duration
}

// Match reports whether msg is the fault's error text.
func (f Fault) Match(msg string) bool {
	return f.pattern().MatchString(msg)
}

func (f Fault) pattern() *regexp.Regexp {
	re := regexp.QuoteMeta(f.Err)
	re = strings.ReplaceAll(re, regexp.QuoteMeta("{get}"), `Get "http://127\.0\.0\.1:[0-9]+/api/v1/query\?[^"]*"`)
	re = strings.ReplaceAll(re, regexp.QuoteMeta("{port}"), `[0-9]+`)
	return regexp.MustCompile("^" + re + "$")
}

// Vector is a success answer holding one series per value.
func Vector(values ...string) string {
	s := make([]string, len(values))
	for i, v := range values {
		s[i] = fmt.Sprintf(`{"metric":{"pod":"p%d"},"value":[1767323045.123,%q]}`, i, v)
	}
	return `{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(s, ",") + `]}}`
}

// answer is a handler that always answers code and body.
func answer(code int, body string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(code)
		_, _ = w.Write([]byte(body))
	})
}

// hang never answers; it returns when the client leaves.
func hang() http.Handler {
	return http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) { <-r.Context().Done() })
}

// stall sends a 200 and the start of a body, then waits for the client to
// leave.
func stall() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(`{"status":"success","data":`))
		w.(http.Flusher).Flush()
		<-r.Context().Done()
	})
}

// truncated promises a longer body than it sends, then hangs up.
func truncated() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Length", "1000")
		_, _ = w.Write([]byte(Vector("1")[:40]))
	})
}

// reset reads the request and closes the connection without an answer.
func reset() http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		if tcp, ok := conn.(*net.TCPConn); ok {
			_ = tcp.SetLinger(0) // a RST, not a FIN
		}
		_ = conn.Close()
	})
}

// huge is a body of n bytes: JSON that opens a long string.
func huge(n int) string {
	return `{"status":"success","data":{"resultType":"vector","result":[],"x":"` + strings.Repeat("x", n) + `"}}`
}

const mib = 1 << 20

// Faults is the catalogue of misbehaving Prometheus servers.
func Faults() []Fault {
	return []Fault{
		{Name: "down", Err: "request failed: {get}: dial tcp 127.0.0.1:{port}: connect: connection refused"},
		{Name: "slow past the timeout", Handler: hang(), Err: "request failed: {get}: context deadline exceeded", Deadline: true, ClientTimeout: 100 * time.Millisecond},
		{Name: "body slower than the timeout", Handler: stall(), Err: "request failed: reading body: context deadline exceeded", Deadline: true, ClientTimeout: 3 * time.Second},
		{Name: "connection reset", Handler: reset(),
			Err: "request failed: {get}: read tcp 127.0.0.1:{port}->127.0.0.1:{port}: read: connection reset by peer"},
		{Name: "500 text", Handler: answer(500, "internal error: boom\n"), Err: "error response: Status 500 Internal Server Error: internal error: boom"},
		{Name: "502 empty", Handler: answer(502, ""), Err: "error response: Status 502 Bad Gateway"},
		{Name: "503 JSON error", Handler: answer(503, `{"status":"error","errorType":"unavailable","error":"TSDB not ready"}`),
			Err: "error response: Status 503 Service Unavailable: unavailable: TSDB not ready"},
		{Name: "422 JSON error", Handler: answer(422, `{"status":"error","errorType":"execution","error":"query processing would load too many samples into memory in query execution"}`),
			Err: "error response: Status 422 Unprocessable Entity: execution: query processing would load too many samples into memory in query execution"},
		{Name: "401", Handler: answer(401, "Unauthorized\n"), Err: "error response: Status 401 Unauthorized: Unauthorized"},
		{Name: "403", Handler: answer(403, "Forbidden: missing scope"), Err: "error response: Status 403 Forbidden: Forbidden: missing scope"},
		{Name: "huge 500", Handler: answer(500, strings.Repeat("e", 9*mib)), Err: "error response: Status 500 Internal Server Error: " + strings.Repeat("e", 1024) + "…(truncated)"},
		{Name: "huge 200", Handler: answer(200, huge(8*mib+1024)), Err: "error unmarshaling result: response larger than 8388608 bytes"},
		{Name: "truncated body", Handler: truncated(), Err: "request failed: reading body: unexpected EOF"},
		{Name: "empty body", Handler: answer(200, ""), Err: "error unmarshaling result: unexpected end of JSON input"},
		{Name: "malformed JSON", Handler: answer(200, `{"status":"success","data":{"resultType":"vector","result":[{]}}`),
			Err: "error unmarshaling result: invalid character ']' looking for beginning of object key string"},
		{Name: "HTML page", Handler: answer(200, "<html><body>Sign in</body></html>"), Err: "error unmarshaling result: invalid character '<' looking for beginning of value"},
		{Name: "no status", Handler: answer(200, `{"data":{"resultType":"vector","result":[]}}`), Err: `error unmarshaling result: status "", expected "success" or "error"`},
		{Name: "status error", Handler: answer(200, `{"status":"error","errorType":"bad_data","error":"parse error at char 4"}`), Err: "query failed: bad_data: parse error at char 4"},
		{Name: "empty result", Handler: answer(200, Vector()), Err: "no values found", NoValues: true},
		{Name: "NaN", Handler: answer(200, Vector("NaN")), Err: "no values found", NoValues: true},
		{Name: "null result", Handler: answer(200, `{"status":"success","data":{"resultType":"vector","result":null}}`), Err: "no values found", NoValues: true},
		{Name: "several series", Handler: answer(200, Vector("100", "0")), Err: "query returned 2 series, expected one"},
		{Name: "+Inf", Handler: answer(200, Vector("+Inf")), Value: math.Inf(1)},
		{Name: "-Inf", Handler: answer(200, Vector("-Inf")), Value: math.Inf(-1)},
		{Name: "matrix", Handler: answer(200, `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"],[2,"2"]]}]}}`),
			Err: "query returned a range vector (matrix), expected an instant vector or a scalar"},
		{Name: "string", Handler: answer(200, `{"status":"success","data":{"resultType":"string","result":[1,"100"]}}`),
			Err: `query returned result type "string", expected an instant vector or a scalar`},
		{Name: "value not a number", Handler: answer(200, Vector("fast")), Err: `error unmarshaling result: sample value "fast" is not a number`},
		{Name: "value a JSON number", Handler: answer(200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,100]}]}}`),
			Err: "error unmarshaling result: json: cannot unmarshal number into Go value of type string"},
		{Name: "sample without value", Handler: answer(200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{}}]}}`),
			Err: "error unmarshaling result: series has no value"},
	}
}

// Credentials are the planted secret values EchoFaults send back.
type Credentials struct {
	Token, Username, Password string
}

// Basic is the base64 of "user:password", as the Authorization header carries it.
func (c Credentials) Basic() string {
	return base64.StdEncoding.EncodeToString([]byte(c.Username + ":" + c.Password))
}

// Values are every credential as the request carries it: the token, the
// user, the password and the basic-auth header's base64.
func (c Credentials) Values() []string {
	return []string{c.Token, c.Username, c.Password, c.Basic()}
}

// Forms are Values as they are and as each of Encodings writes them: what
// a search of an output for the credentials looks for.
func (c Credentials) Forms() []string {
	var forms []string
	for _, v := range c.Values() {
		forms = append(forms, v)
		for _, enc := range Encodings {
			forms = append(forms, enc.Encode(v))
		}
	}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// Encoding is a way a server may write a credential it echoes back.
type Encoding struct {
	Name   string
	Encode func(string) string
}

// Encodings are the ones echoing servers use besides none: JSON strings
// (Go's escaping of <, > and &, and a / escaped as \/), URL query and path,
// and HTML text.
var Encodings = []Encoding{
	{"JSON", func(s string) string { b, _ := json.Marshal(s); return string(b[1 : len(b)-1]) }},
	{"JSON escaping /", func(s string) string {
		b, _ := json.Marshal(s)
		return strings.ReplaceAll(string(b[1:len(b)-1]), "/", `\/`)
	}},
	{"URL query", url.QueryEscape},
	{"URL path", url.PathEscape},
	{"HTML", html.EscapeString},
}

// echo answers code and a body that fmt.Sprintf(format, creds) builds from
// the request's credentials: the raw Authorization header, and the basic-auth
// user and password when there are some, each written by encode.
func echo(code int, format string, encode func(string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		user, pass, _ := r.BasicAuth()
		creds := encode(r.Header.Get("Authorization")) + " user=" + encode(user) + " password=" + encode(pass)
		w.WriteHeader(code)
		_, _ = fmt.Fprintf(w, format, creds)
	})
}

// straddle pads the echoed Authorization header so that the middle of the
// credential in it falls on the byte at which the adapter cuts the text it
// quotes: offset bytes into the quoted text, which starts right after
// prefix in the body. encode writes the padded header into the body (the
// adapter quotes it decoded).
func straddle(code int, prefix, suffix string, offset int, encode func(string) string) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		header := r.Header.Get("Authorization")
		_, value, _ := strings.Cut(header, " ")
		pad := strings.Repeat("p", max(0, offset-(len(header)-len(value))-len(value)/2))
		w.WriteHeader(code)
		_, _ = w.Write([]byte(prefix + encode(pad+header) + suffix))
	})
}

// EchoFaults are servers that send the request's credentials back in every
// text an error may quote, as they are in a text body and JSON-encoded in a
// JSON body, and in every form of Encodings. The adapter's errors must not
// hold them.
func EchoFaults() []Fault {
	same := func(s string) string { return s }
	asJSON := Encodings[0].Encode
	faults := []Fault{
		{Name: "401 echoing the header", Handler: echo(401, "bad credentials: %s", same)},
		{Name: "500 JSON error echoing", Handler: echo(500, `{"status":"error","errorType":"internal","error":"auth %s"}`, asJSON)},
		{Name: "result type echoing", Handler: echo(200, `{"status":"success","data":{"resultType":"%s","result":[]}}`, asJSON)},
		{Name: "status echoing", Handler: echo(200, `{"status":"%s","data":{"resultType":"vector","result":[]}}`, asJSON)},
		{Name: "sample value echoing", Handler: echo(200, `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1,"%s"]}]}}`, asJSON)},
		{Name: "error body cut inside the token", Handler: straddle(500, "", "", 1024, same)},
		{Name: "error text cut inside the token", Handler: straddle(200, `{"status":"success","data":{"resultType":"`, `","result":[]}}`,
			4096-len(`query returned result type "`), asJSON)},
	}
	for _, enc := range Encodings {
		faults = append(faults,
			Fault{Name: "401 echoing the header as " + enc.Name, Handler: echo(401, "bad credentials: %s", enc.Encode)},
			Fault{Name: "status error echoing as " + enc.Name, Handler: echo(200, `{"status":"error","errorType":"bad_data","error":"auth %s"}`, enc.Encode)})
	}
	return faults
}

// Serve starts f's server for the test and returns its address. A server
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
