package loadtester

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// eventually polls ok for up to 30s; it fails the test if ok never holds.
func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	for deadline := time.Now().Add(30 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		if ok() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

// podinfo stands in for the tutorial's podinfo: POST /token answers a
// token (or, when broken, a 404 without one); every request is counted.
type podinfo struct {
	srv      *httptest.Server
	requests atomic.Int64
}

func newPodinfo(t *testing.T, broken bool) *podinfo {
	p := &podinfo{}
	p.srv = httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		p.requests.Add(1)
		switch {
		case r.URL.Path == "/token" && broken:
			http.NotFound(rw, r)
		case r.URL.Path == "/token":
			_, _ = rw.Write([]byte(`{"token": "eyJhbGciOi", "expires_at": "2026-12-03T13:00:00Z"}`))
		default:
			_, _ = rw.Write([]byte(`{"hostname": "podinfo-canary"}`))
		}
	}))
	t.Cleanup(p.srv.Close)
	return p
}

func TestBash(t *testing.T) {
	good, broken := newPodinfo(t, false), newPodinfo(t, true)
	acceptance := "curl -sd 'test' %s/token | grep token"
	tests := map[string]struct {
		meta  []string
		code  int
		reply string
	}{
		"exit 0":          {meta: []string{"cmd", "echo ok"}, code: 200, reply: ""},
		"returnCmdOutput": {meta: []string{"cmd", "echo ok", "returnCmdOutput", "true"}, code: 200, reply: "ok\n"},
		"logCmdOutput":    {meta: []string{"cmd", "echo ok", "logCmdOutput", "true"}, code: 200, reply: ""},
		"bash syntax":     {meta: []string{"cmd", "[[ -n x ]] && echo yes", "returnCmdOutput", "true"}, code: 200, reply: "yes\n"},
		"exit 3": {meta: []string{"cmd", "echo out; exit 3"}, code: 500,
			reply: "command echo out; exit 3 failed: out\n: exit status 3"},
		"timeout kills the group": {meta: []string{"cmd", "sleep 60 | cat", "timeout", "300ms"}, code: 500,
			reply: "command sleep 60 | cat failed: : timed out after 300ms: signal: killed"},
		"the tutorial's acceptance test": {meta: []string{"cmd", strings.ReplaceAll(acceptance, "%s", good.srv.URL)}, code: 200},
		"the tutorial's acceptance test, no token": {meta: []string{"cmd", strings.ReplaceAll(acceptance, "%s", broken.srv.URL)}, code: 500,
			reply: "command curl -sd 'test' " + broken.srv.URL + "/token | grep token failed: : exit status 1"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, Options{AllowBash: true})
			code, reply := ts.post(t, "/", payload(t, append([]string{"type", "bash"}, tc.meta...)...))
			if code != tc.code || reply != tc.reply {
				t.Errorf("got %d %q, want %d %q", code, reply, tc.code, tc.reply)
			}
			failed := testutil.ToFloat64(ts.metrics.tasksFailed.WithLabelValues("podinfo.test", "bash"))
			if want := map[bool]float64{true: 1, false: 0}[tc.code == 500]; failed != want {
				t.Errorf("tasks failed = %g, want %g", failed, want)
			}
		})
	}
}

// TestBashCallerHangsUp: when the controller's webhook timeout ends the
// call, the command is killed rather than left running.
func TestBashCallerHangsUp(t *testing.T) {
	ts := newTestServer(t, Options{AllowBash: true})
	client := &http.Client{Timeout: 300 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	req, _ := http.NewRequestWithContext(ctx, http.MethodPost, ts.srv.URL+"/", strings.NewReader(payload(t, "type", "bash", "cmd", "sleep 60")))
	if resp, err := client.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("the call returned %d, want the client's timeout", resp.StatusCode)
	}
	eventually(t, "the bash task to be killed", func() bool {
		return testutil.ToFloat64(ts.metrics.tasksFailed.WithLabelValues("podinfo.test", "bash")) == 1 &&
			testutil.ToFloat64(ts.metrics.tasksRunning.WithLabelValues("bash")) == 0
	})
}

func TestShellCmdTask(t *testing.T) {
	ts := newTestServer(t, Options{AllowBash: true})
	marker := filepath.Join(t.TempDir(), "ran")
	code, reply := ts.post(t, "/", payload(t, "cmd", "echo ran > "+marker, "logCmdOutput", "true"))
	if code != http.StatusAccepted || reply != "" {
		t.Fatalf("got %d %q, want 202", code, reply)
	}
	eventually(t, "the cmd task to write its file", func() bool {
		data, err := os.ReadFile(marker)
		return err == nil && string(data) == "ran\n"
	})
	code, _ = ts.post(t, "/", payload(t, "cmd", "exit 1"))
	eventually(t, "the failing cmd task to be counted", func() bool {
		return code == 202 && testutil.ToFloat64(ts.metrics.tasksFailed.WithLabelValues("podinfo.test", "cmd")) == 1
	})
}

// TestHeyTask: a hey command is answered 202 and its load reaches the
// target and the metrics.
func TestHeyTask(t *testing.T) {
	ts := newTestServer(t, Options{})
	target := newPodinfo(t, false)
	code, _ := ts.post(t, "/", payload(t, "cmd", "hey -n 10 -c 2 "+target.srv.URL+"/", "logCmdOutput", "true"))
	if code != http.StatusAccepted {
		t.Fatalf("got %d, want 202", code)
	}
	eventually(t, "10 requests counted", func() bool {
		return testutil.ToFloat64(ts.metrics.requests.WithLabelValues("podinfo.test", "200")) == 10 &&
			testutil.ToFloat64(ts.metrics.tasksRunning.WithLabelValues("hey")) == 0
	})
	if got := target.requests.Load(); got != 10 {
		t.Errorf("the target got %d requests, want 10", got)
	}
	if n := testutil.CollectAndCount(ts.metrics.latency); n != 1 {
		t.Errorf("%d latency histograms, want 1", n)
	}
}

// TestTasksDeduplicated: the same command for the same canary starts once
// while it runs; another canary, or another command, starts its own; the
// server's shutdown stops them.
func TestTasksDeduplicated(t *testing.T) {
	tests := map[string]struct {
		cmd  func(target string) string
		typ  string
		opts Options
	}{
		"hey":   {cmd: func(target string) string { return "hey -z 1h -q 1 -c 1 " + target + "/" }, typ: "hey"},
		"shell": {cmd: func(string) string { return "sleep 3600" }, typ: "cmd", opts: Options{AllowBash: true}},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			ts := newTestServer(t, tc.opts)
			target := newPodinfo(t, false)
			cmd := tc.cmd(target.srv.URL)
			other := strings.Replace(payload(t, "cmd", cmd), `"test"`, `"other"`, 1)
			for _, body := range []string{payload(t, "cmd", cmd), payload(t, "cmd", cmd), other, payload(t, "cmd", cmd+" ")} {
				if code, reply := ts.post(t, "/", body); code != http.StatusAccepted {
					t.Fatalf("got %d %q, want 202", code, reply)
				}
			}
			started := testutil.ToFloat64(ts.metrics.tasksStarted.WithLabelValues("podinfo.test", tc.typ))
			skipped := testutil.ToFloat64(ts.metrics.tasksSkipped.WithLabelValues("podinfo.test", tc.typ))
			otherStarted := testutil.ToFloat64(ts.metrics.tasksStarted.WithLabelValues("podinfo.other", tc.typ))
			if started != 2 || skipped != 1 || otherStarted != 1 {
				t.Errorf("podinfo.test started %g, skipped %g; podinfo.other started %g; want 2, 1, 1", started, skipped, otherStarted)
			}
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			if err := ts.Shutdown(ctx); err != nil {
				t.Fatalf("Shutdown: %v", err)
			}
			if running := testutil.ToFloat64(ts.metrics.tasksRunning.WithLabelValues(tc.typ)); running != 0 {
				t.Errorf("%g tasks still running after Shutdown", running)
			}
		})
	}
}
