package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	ctrl "sigs.k8s.io/controller-runtime"
)

// childArgs is the environment variable that turns the test binary into a
// controller process: its value is the JSON list of run's arguments. The
// leader-election and RBAC tests start the real run function this way in
// separate processes, which they can SIGKILL.
const childArgs = "FLEDGE_TEST_CONTROLLER_ARGS"

func TestMain(m *testing.M) {
	if raw := os.Getenv(childArgs); raw != "" {
		var args []string
		if err := json.Unmarshal([]byte(raw), &args); err != nil {
			fmt.Fprintln(os.Stderr, "fledge-controller (test child):", err)
			os.Exit(3)
		}
		// A controller process that changes a cached object in place
		// (instead of copying it first) dies, failing its test.
		checkSharedReads = func(what string) {
			fmt.Fprintln(os.Stderr, "fledge-controller (test child): a shared cached object was changed:", what)
			os.Exit(4)
		}
		if err := run(ctrl.SetupSignalHandler(), args, os.Stderr); err != nil {
			fmt.Fprintln(os.Stderr, "fledge-controller:", err)
			os.Exit(2)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// request is one API call a controller process made, as its proxy saw it.
type request struct {
	Method, Path, Query string
	Code                int
	At                  time.Time
}

// write reports whether the request changes the cluster.
func (r request) write() bool {
	switch r.Method {
	case http.MethodGet, http.MethodHead, http.MethodOptions:
		return false
	}
	return true
}

func (r request) String() string {
	return fmt.Sprintf("%s %s?%s → %d", r.Method, r.Path, r.Query, r.Code)
}

// journal records the API calls of one process.
type journal struct {
	mu   sync.Mutex
	reqs []request
}

func (j *journal) add(r request) {
	j.mu.Lock()
	defer j.mu.Unlock()
	j.reqs = append(j.reqs, r)
}

func (j *journal) all() []request {
	j.mu.Lock()
	defer j.mu.Unlock()
	return append([]request(nil), j.reqs...)
}

// filter returns the recorded calls for which keep is true.
func (j *journal) filter(keep func(request) bool) []request {
	var out []request
	for _, r := range j.all() {
		if keep(r) {
			out = append(out, r)
		}
	}
	return out
}

func forbidden(r request) bool { return r.Code == http.StatusForbidden }

// apiProxy forwards a process's calls to the API server as user (with
// the admin's client certificate and Impersonate-User: user; as the admin
// when user is empty) and journals them. It returns the proxy's URL.
func apiProxy(t *testing.T, admin *rest.Config, user string, j *journal) string {
	t.Helper()
	cfg := rest.CopyConfig(admin)
	cfg.Impersonate = rest.ImpersonationConfig{UserName: user}
	transport, err := rest.TransportFor(cfg)
	must(t, err)
	target, err := url.Parse(cfg.Host)
	must(t, err)
	proxy := &httputil.ReverseProxy{
		Rewrite:       func(r *httputil.ProxyRequest) { r.SetURL(target) },
		Transport:     transport,
		FlushInterval: -1, // watches stream
		ModifyResponse: func(resp *http.Response) error {
			req := resp.Request
			j.add(request{Method: req.Method, Path: req.URL.Path, Query: req.URL.RawQuery, Code: resp.StatusCode, At: time.Now()})
			return nil
		},
	}
	srv := httptest.NewServer(proxy)
	t.Cleanup(srv.Close)
	return srv.URL
}

// proxyKubeconfig writes a kubeconfig pointing at the proxy.
func proxyKubeconfig(t *testing.T, server string) string {
	t.Helper()
	cfg := clientcmdapi.NewConfig()
	cfg.Clusters["proxy"] = &clientcmdapi.Cluster{Server: server}
	cfg.AuthInfos["proxy"] = &clientcmdapi.AuthInfo{}
	cfg.Contexts["proxy"] = &clientcmdapi.Context{Cluster: "proxy", AuthInfo: "proxy"}
	cfg.CurrentContext = "proxy"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	must(t, clientcmd.WriteToFile(*cfg, path))
	return path
}

// process is a fledge-controller running in a child process behind a
// journaling proxy.
type process struct {
	name    string
	cmd     *exec.Cmd
	logs    *syncBuffer
	calls   *journal
	port    int
	exited  chan struct{}
	exitErr error
}

// startProcess runs the controller in a child process as user, with the
// given flags after -kubeconfig and -port.
func startProcess(t *testing.T, name string, admin *rest.Config, user string, flags ...string) *process {
	t.Helper()
	p := &process{name: name, logs: &syncBuffer{}, calls: &journal{}, port: freePort(t), exited: make(chan struct{})}
	server := apiProxy(t, admin, user, p.calls)
	args := append([]string{"-kubeconfig=" + proxyKubeconfig(t, server), fmt.Sprintf("-port=%d", p.port)}, flags...)
	raw, err := json.Marshal(args)
	must(t, err)
	p.cmd = exec.Command(os.Args[0], "-test.run=^$") //nolint:gosec // the test binary itself
	p.cmd.Env = append(os.Environ(), childArgs+"="+string(raw))
	p.cmd.Stdout, p.cmd.Stderr = p.logs, p.logs
	must(t, p.cmd.Start())
	go func() {
		p.exitErr = p.cmd.Wait()
		close(p.exited)
	}()
	t.Cleanup(func() {
		p.kill()
		if t.Failed() {
			t.Logf("logs of %s:\n%s", p.name, tail(p.logs.String(), 60))
		}
	})
	return p
}

// kill ends the process with SIGKILL: no lease release, no cleanup.
func (p *process) kill() {
	_ = p.cmd.Process.Signal(syscall.SIGKILL)
	<-p.exited
}

// stop ends the process with SIGTERM, as the kubelet does, and waits.
func (p *process) stop(t *testing.T) {
	t.Helper()
	_ = p.cmd.Process.Signal(syscall.SIGTERM)
	select {
	case <-p.exited:
	case <-time.After(40 * time.Second):
		t.Errorf("%s did not stop within 40s of SIGTERM", p.name)
		p.kill()
	}
}

func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// waitFor polls ok until it holds or the deadline passes; it reports
// whether ok held. Unlike eventually it does not fail the test.
func waitFor(ctx context.Context, d time.Duration, ok func() bool) bool {
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) && ctx.Err() == nil {
		if ok() {
			return true
		}
		time.Sleep(100 * time.Millisecond)
	}
	return ok()
}
