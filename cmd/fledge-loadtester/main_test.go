package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/internal/version"
)

// childArgs turns the test binary into a load tester process: its value is
// the JSON list of run's arguments.
const childArgs = "FLEDGE_TEST_LOADTESTER_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childArgs); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, "fledge-loadtester (test child):", err)
			os.Exit(3)
		}
		main2(args)
	}
	os.Exit(m.Run())
}

// main2 is main with the given arguments.
func main2(args []string) {
	os.Args = append([]string{"fledge-loadtester"}, args...)
	main()
	os.Exit(0)
}

func TestBadFlags(t *testing.T) {
	tests := map[string]struct {
		args []string
		want string
	}{
		"port":             {args: []string{"-port=0"}, want: "-port=0: want a port between 1 and 65535"},
		"timeout":          {args: []string{"-timeout=0s"}, want: "-timeout=0s: want a positive duration"},
		"gate ttl":         {args: []string{"-gate-ttl=-1m"}, want: "-gate-ttl=-1m0s: want 0 (never) or a positive duration"},
		"namespace regexp": {args: []string{"-namespace-regexp=("}, want: "-namespace-regexp=(: error parsing regexp"},
		"log level":        {args: []string{"-log-level=loud"}, want: "-log-level=loud: want debug, info, warn or error"},
		"zap encoding":     {args: []string{"-zap-encoding=xml"}, want: "-zap-encoding=xml: want json or console"},
		"shutdown grace":   {args: []string{"-shutdown-grace=-1s"}, want: "-shutdown-grace=-1s: want 0 or a positive duration"},
		"unknown flag":     {args: []string{"-bash"}, want: "flag provided but not defined: -bash"},
		"arguments":        {args: []string{"serve"}, want: `unexpected arguments ["serve"]`},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			err := run(context.Background(), tc.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("run(%q) = %v, want an error with %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestFlagDefaults(t *testing.T) {
	f, err := parseFlags(nil, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	want := flags{port: 8080, timeout: time.Hour, logLevel: "debug", zapEncoding: "json", shutdownGrace: 15 * time.Second}
	if *f != want {
		t.Errorf("defaults %+v, want %+v", *f, want)
	}
	if err := run(context.Background(), []string{"-h"}, io.Discard); !errors.Is(err, flag.ErrHelp) {
		t.Errorf("-h: %v, want flag.ErrHelp", err)
	}
}

func TestVersion(t *testing.T) {
	var out bytes.Buffer
	versionOut = &out
	defer func() { versionOut = os.Stdout }()
	if err := run(context.Background(), []string{"-version"}, io.Discard); err != nil || out.String() != version.String()+"\n" {
		t.Errorf("-version printed %q, %v; want %s on standard output", out.String(), err, version.String())
	}
}

// TestPortInUse: run fails, naming the flag, when it cannot listen.
func TestPortInUse(t *testing.T) {
	l, err := net.Listen("tcp", ":0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	port := l.Addr().(*net.TCPAddr).Port
	err = run(context.Background(), []string{fmt.Sprintf("-port=%d", port)}, io.Discard)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("listening on -port=%d", port)) {
		t.Errorf("run = %v, want a listening error", err)
	}
}

// process is fledge-loadtester running in a child process.
type process struct {
	cmd    *exec.Cmd
	logs   *syncBuffer
	base   string
	exited chan struct{}
	err    error
}

// startLoadtester runs the load tester in a child process with -port and
// the given flags, and waits for /healthz.
func startLoadtester(t *testing.T, flags ...string) *process {
	t.Helper()
	port := freePort(t)
	raw, err := json.Marshal(append([]string{fmt.Sprintf("-port=%d", port), "-log-level=info"}, flags...))
	if err != nil {
		t.Fatal(err)
	}
	p := &process{logs: &syncBuffer{}, base: fmt.Sprintf("http://127.0.0.1:%d", port), exited: make(chan struct{})}
	p.cmd = exec.Command(os.Args[0], "-test.run=^$") //nolint:gosec // the test binary itself
	p.cmd.Env = append(os.Environ(), childArgs+"="+string(raw))
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	if err := p.cmd.Start(); err != nil {
		t.Fatal(err)
	}
	go func() {
		p.err = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		_ = p.cmd.Process.Kill()
		<-p.exited
		if t.Failed() {
			t.Logf("fledge-loadtester's log:\n%s", p.logs)
		}
	})
	waitUntil(t, "fledge-loadtester's /healthz", func() bool {
		resp, err := http.Get(p.base + "/healthz") //nolint:noctx // local process
		if err != nil {
			return false
		}
		resp.Body.Close()
		return resp.StatusCode == http.StatusOK
	})
	return p
}

// stop sends SIGTERM and waits for the exit.
func (p *process) stop(t *testing.T) error {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
		return p.err
	case <-time.After(60 * time.Second):
		return errors.New("no exit within 60s of SIGTERM")
	}
}

// post sends body to the load tester's path.
func (p *process) post(t *testing.T, path, body string) (int, string) {
	t.Helper()
	resp, err := http.Post(p.base+path, "application/json", strings.NewReader(body)) //nolint:noctx // local process
	if err != nil {
		t.Fatalf("POST %s: %v", path, err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(data)
}

// metric reads one line of /metrics; it returns "" when absent.
func (p *process) metric(t *testing.T, series string) string {
	t.Helper()
	resp, err := http.Get(p.base + "/metrics") //nolint:noctx // local process
	if err != nil {
		t.Fatalf("GET /metrics: %v", err)
	}
	defer resp.Body.Close()
	data, _ := io.ReadAll(resp.Body)
	for _, line := range strings.Split(string(data), "\n") {
		if value, ok := strings.CutPrefix(line, series+" "); ok {
			return value
		}
	}
	return ""
}

// podinfo stands in for the tutorial's podinfo-canary: POST /token answers
// a token, or a 404 when broken; it counts the requests to /.
type podinfo struct {
	srv    *httptest.Server
	broken atomic.Bool
	hits   atomic.Int64
	tokens atomic.Int64
}

func newPodinfo(t *testing.T) *podinfo {
	p := &podinfo{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/token" {
			p.hits.Add(1)
			_, _ = rw.Write([]byte(`{"hostname": "podinfo-canary"}`))
			return
		}
		body, _ := io.ReadAll(r.Body)
		if p.broken.Load() || r.Method != http.MethodPost || string(body) != "test" {
			http.NotFound(rw, r)
			return
		}
		p.tokens.Add(1)
		_, _ = rw.Write([]byte(`{"token": "eyJhbGciOi", "expires_at": "2026-12-03T13:00:00Z"}`))
	}))
	t.Cleanup(p.srv.Close)
	return p
}

// tutorialHooks are the tutorial's two webhook metadata, pointed at pod.
func tutorialHooks(pod string) (acceptance, load map[string]string) {
	return map[string]string{"type": "bash", "cmd": "curl -sd 'test' " + pod + "/token | grep token"},
		map[string]string{"cmd": "hey -z 2m -q 10 -c 2 " + pod + "/"}
}

func hookPayload(t *testing.T, ns string, meta map[string]string) string {
	t.Helper()
	data, err := json.Marshal(map[string]any{"name": "podinfo", "namespace": ns, "phase": "Progressing", "checksum": "7dcbc67dc5", "metadata": meta})
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// TestLoadtesterProcess runs the binary's main and answers the tutorial's
// two webhooks and a gate, then stops on SIGTERM with the hey load still
// running.
func TestLoadtesterProcess(t *testing.T) {
	pod := newPodinfo(t)
	p := startLoadtester(t, "-allow-bash", "-zap-encoding=json")
	acceptance, load := tutorialHooks(pod.srv.URL)
	if code, body := p.post(t, "/", hookPayload(t, "test", acceptance)); code != http.StatusOK {
		t.Errorf("acceptance-test: %d %q, want 200", code, body)
	}
	for range 3 {
		if code, body := p.post(t, "/", hookPayload(t, "test", load)); code != http.StatusAccepted {
			t.Errorf("load-test: %d %q, want 202", code, body)
		}
	}
	waitUntil(t, "the hey load to reach podinfo", func() bool { return pod.hits.Load() >= 2 })
	if got := p.metric(t, `fledge_loadtester_tasks_started_total{canary="podinfo.test",type="hey"}`); got != "1" {
		t.Errorf("hey tasks started: %q, want 1 for three calls", got)
	}
	if got := p.metric(t, `fledge_loadtester_requests_total{canary="podinfo.test",code="200"}`); got == "" || got == "0" {
		t.Errorf("requests_total for podinfo.test: %q, want some", got)
	}
	p.post(t, "/gate/open", `{"name":"podinfo","namespace":"test"}`)
	if code, body := p.post(t, "/gate/check", `{"name":"podinfo","namespace":"test"}`); code != http.StatusOK || body != "Approved" {
		t.Errorf("gate check after open: %d %q", code, body)
	}
	if err := p.stop(t); err != nil {
		t.Errorf("after SIGTERM: %v", err)
	}
	for _, want := range []string{`"msg":"starting fledge-loadtester"`, `"allow_bash":true`, `"msg":"command started"`, `"msg":"stopping fledge-loadtester"`} {
		if !strings.Contains(p.logs.String(), want) {
			t.Errorf("the log lacks %s", want)
		}
	}
}

func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitUntil polls ok for up to 60s and fails the test if it never holds.
func waitUntil(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(60 * time.Second); time.Now().Before(deadline); time.Sleep(50 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// syncBuffer is a bytes.Buffer safe for a process's two output streams.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}

// TestAllowBashWithoutShell: in an image without a shell, -allow-bash is
// reported at start rather than only on the first failed task.
func TestAllowBashWithoutShell(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	ctx, cancel := context.WithCancel(context.Background())
	logs := &syncBuffer{}
	done := make(chan error, 1)
	args := []string{fmt.Sprintf("-port=%d", freePort(t)), "-allow-bash", "-log-level=info"}
	go func() { done <- run(ctx, args, logs) }()
	waitUntil(t, "the start-up log", func() bool { return strings.Contains(logs.String(), "starting fledge-loadtester") })
	cancel()
	if err := <-done; err != nil {
		t.Errorf("run: %v", err)
	}
	for _, shell := range []string{"bash", "sh"} {
		if want := "-allow-bash is set but this image has no " + shell; !strings.Contains(logs.String(), want) {
			t.Errorf("the log lacks %q:\n%s", want, logs)
		}
	}
}
