package loadtester

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	"github.com/prometheus/client_golang/prometheus/testutil"
	clocktesting "k8s.io/utils/clock/testing"
)

// testServer is a Server behind an httptest server.
type testServer struct {
	*Server
	srv *httptest.Server
}

func newTestServer(t *testing.T, opts Options) *testServer {
	t.Helper()
	opts.Log = testr.New(t)
	s, err := New(opts)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(s.Handler())
	t.Cleanup(func() {
		srv.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := s.Shutdown(ctx); err != nil {
			t.Errorf("Shutdown: %v", err)
		}
	})
	return &testServer{Server: s, srv: srv}
}

// post sends body to path and returns the status code and body.
func (ts *testServer) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	return postTo(t, http.DefaultClient, ts.srv.URL+path, body)
}

func postTo(t *testing.T, client *http.Client, url, body string) (int, string) {
	t.Helper()
	resp, err := client.Post(url, "application/json", strings.NewReader(body)) //nolint:noctx // tests against local servers
	if err != nil {
		t.Fatalf("POST %s: %v", url, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// payload is a webhook body for canary podinfo.test with metadata given as
// alternating keys and values.
func payload(t *testing.T, kv ...string) string {
	t.Helper()
	p := Payload{Name: "podinfo", Namespace: "test", Phase: "Progressing", Checksum: "7dcbc67dc5", Metadata: map[string]string{}}
	for i := 0; i+1 < len(kv); i += 2 {
		p.Metadata[kv[i]] = kv[i+1]
	}
	data, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

const (
	podinfoTest  = `{"name":"podinfo","namespace":"test"}`
	podinfoOther = `{"name":"podinfo","namespace":"other"}`
)

func TestGates(t *testing.T) {
	ts := newTestServer(t, Options{})
	steps := []struct {
		path, body string
		code       int
		reply      string
	}{
		{"/gate/check", podinfoTest, 403, "Forbidden"},
		{"/gate/open", podinfoTest, 202, "podinfo.test opened\n"},
		{"/gate/check", podinfoTest, 200, "Approved"},
		{"/gate/check", podinfoOther, 403, "Forbidden"},
		{"/rollback/check", podinfoTest, 403, "Forbidden"},
		{"/gate/close", podinfoTest, 202, "podinfo.test closed\n"},
		{"/gate/check", podinfoTest, 403, "Forbidden"},
		{"/gate/close", podinfoTest, 202, "podinfo.test closed\n"},
		{"/rollback/open", podinfoTest, 202, "rollback.podinfo.test opened\n"},
		{"/rollback/check", podinfoTest, 200, "Approved"},
		{"/gate/check", podinfoTest, 403, "Forbidden"},
		{"/rollback/close", podinfoTest, 202, "rollback.podinfo.test closed\n"},
		{"/rollback/check", podinfoTest, 403, "Forbidden"},
		{"/gate/approve", podinfoTest, 200, "OK"},
		{"/gate/approve", "", 200, "OK"},
		{"/gate/halt", podinfoTest, 403, "Forbidden"},
		{"/gate/check", "{", 400, "decoding the payload: unexpected end of JSON input"},
		{"/gate/open", `{"name":"podinfo"}`, 400, `the payload needs the canary's "name" and "namespace"`},
	}
	for i, step := range steps {
		code, reply := ts.post(t, step.path, step.body)
		if code != step.code || reply != step.reply {
			t.Errorf("step %d: POST %s %s = %d %q, want %d %q", i, step.path, step.body, code, reply, step.code, step.reply)
		}
	}
}

func TestGateTTL(t *testing.T) {
	start := time.Date(2026, 12, 3, 12, 0, 0, 0, time.UTC)
	clock := clocktesting.NewFakeClock(start)
	ts := newTestServer(t, Options{GateTTL: time.Minute, Clock: clock})
	check := func(step string, path string, want int) {
		t.Helper()
		if code, _ := ts.post(t, path, podinfoTest); code != want {
			t.Errorf("%s: %s = %d, want %d", step, path, code, want)
		}
	}
	if code, reply := ts.post(t, "/gate/open", podinfoTest); code != 202 || reply != "podinfo.test opened until 2026-12-03T12:01:00Z (-gate-ttl)\n" {
		t.Errorf("open: %d %q", code, reply)
	}
	ts.post(t, "/rollback/open", podinfoTest)
	clock.Step(59 * time.Second)
	check("after 59s", "/gate/check", 200)
	ts.post(t, "/gate/open", podinfoTest) // restarts the TTL
	clock.Step(time.Second)
	check("after 60s", "/rollback/check", 403)
	check("60s after the first opening, 1s after the second", "/gate/check", 200)
	clock.Step(59 * time.Second)
	check("60s after the second opening", "/gate/check", 403)
	check("and it stays closed", "/gate/check", 403)
}

func TestRefusals(t *testing.T) {
	tests := map[string]struct {
		opts       Options
		path, body string
		code       int
		reply      string
	}{
		"not JSON": {path: "/", body: "hey", code: 400, reply: "decoding the payload: invalid character"},
		"no body":  {path: "/", body: "", code: 400, reply: "decoding the payload: unexpected end of JSON input"},
		"no namespace": {path: "/", body: `{"name":"podinfo","metadata":{"cmd":"hey http://a/"}}`, code: 400,
			reply: `the payload needs the canary's "name" and "namespace"`},
		"no metadata":        {path: "/", body: podinfoTest, code: 400, reply: "metadata not found in payload"},
		"no cmd":             {path: "/", body: payload(t, "logCmdOutput", "true"), code: 400, reply: "cmd not found in metadata"},
		"bash without cmd":   {opts: Options{AllowBash: true}, path: "/", body: payload(t, "type", "bash"), code: 400, reply: "cmd not found in metadata"},
		"unknown type":       {path: "/", body: payload(t, "type", "soap", "cmd", "x"), code: 400, reply: `unknown type "soap": want cmd (the default) or bash`},
		"Flagger's helm":     {path: "/", body: payload(t, "type", "helmv3", "cmd", "test podinfo"), code: 400, reply: `unsupported type "helmv3": fledge-loadtester runs cmd tasks`},
		"Flagger's ngrinder": {path: "/", body: payload(t, "type", "ngrinder", "server", "x"), code: 400, reply: `unsupported type "ngrinder"`},
		"bad hey flag":       {path: "/", body: payload(t, "cmd", "hey -o csv http://a/"), code: 400, reply: "flag -o (writes a CSV report) is not supported"},
		"hey without URL":    {path: "/", body: payload(t, "cmd", "hey -z 1m"), code: 400, reply: "no URL"},
		"shell cmd without -allow-bash": {path: "/", body: payload(t, "cmd", "curl -s http://a/ | grep ok"), code: 403,
			reply: `cmd "curl -s http://a/ | grep ok" is not a plain hey command, so it needs a shell, and shell commands are disabled: start fledge-loadtester with -allow-bash`},
		"bash without -allow-bash": {path: "/", body: payload(t, "type", "bash", "cmd", "echo ok"), code: 403,
			reply: "bash tasks need a shell, and shell commands are disabled: start fledge-loadtester with -allow-bash"},
		"bad bash timeout": {opts: Options{AllowBash: true}, path: "/", body: payload(t, "type", "bash", "cmd", "true", "timeout", "soon"), code: 400,
			reply: `metadata timeout "soon": want a positive duration such as 30s`},
		"namespace outside -namespace-regexp": {opts: Options{Namespaces: regexp.MustCompile("^test$")},
			path: "/", body: strings.Replace(payload(t, "cmd", "hey http://a/"), `"test"`, `"prod"`, 1), code: 403, reply: "Forbidden"},
		"gate outside -namespace-regexp": {opts: Options{Namespaces: regexp.MustCompile("^test$")},
			path: "/gate/open", body: podinfoOther, code: 403, reply: "Forbidden"},
		"payload too large": {path: "/", body: `{"name":"` + strings.Repeat("a", maxPayload) + `"}`, code: 413, reply: "the payload is larger than"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, tc.opts)
			code, reply := ts.post(t, tc.path, tc.body)
			if code != tc.code || !strings.Contains(reply, tc.reply) {
				t.Errorf("POST %s = %d %q, want %d and %q", tc.path, code, reply, tc.code, tc.reply)
			}
			if n := testutil.CollectAndCount(ts.metrics.tasksStarted); n != 0 {
				t.Errorf("%d tasks started, want none", n)
			}
		})
	}
}

func TestHealthzAndMetrics(t *testing.T) {
	ts := newTestServer(t, Options{})
	ts.post(t, "/gate/check", podinfoTest)
	resp, err := http.Get(ts.srv.URL + "/healthz") //nolint:noctx // local test server
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || string(body) != "OK" {
		t.Errorf("/healthz = %d %q", resp.StatusCode, body)
	}
	resp, err = http.Get(ts.srv.URL + "/metrics") //nolint:noctx // local test server
	if err != nil {
		t.Fatal(err)
	}
	body, _ = io.ReadAll(resp.Body)
	resp.Body.Close()
	if want := `fledge_loadtester_webhook_replies_total{code="403",path="/gate/check"} 1`; !strings.Contains(string(body), want) {
		t.Errorf("/metrics lacks %q:\n%s", want, body)
	}
}
