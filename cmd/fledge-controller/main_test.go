package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	coordinationv1 "k8s.io/api/coordination/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/internal/version"
)

func TestBadFlags(t *testing.T) {
	tests := []struct{ args, want string }{
		{"-mesh-provider=istio", `-mesh-provider=istio: mesh provider "istio" is not supported: use "osm", "linkerd" or "gatewayapi:v1"`},
		{"-metrics-server=prometheus:9090", "-metrics-server=prometheus:9090: want an http(s) URL"},
		{"-event-webhook=::x", "-event-webhook=::x: want an http(s) URL"},
		{"-metrics-server=ftp://u:pw@prometheus", "-metrics-server=ftp://u:xxxxx@prometheus: want an http(s) URL"},
		{"-event-webhook=event-receiver.test/", "-event-webhook=event-receiver.test/: want an http(s) URL"},
		{"-log-level=loud", "-log-level=loud: want debug, info, warn or error"},
		{"-zap-encoding=xml", "-zap-encoding=xml: want json or console"},
		{"-port=70000", "-port=70000: want a port between 1 and 65535"},
		{"-threadiness=0", "-threadiness=0: want at least 1"},
		{"-selector-labels=,", "-selector-labels is empty"},
		{"-event-source= ", "-event-source is empty"},
		{"-no-such-flag", "flag provided but not defined: -no-such-flag"},
		{"-watch-label-selector=fledge.dev/shard in a", `-watch-label-selector="fledge.dev/shard in a": `},
		{"-leader-election-retry-period=0s", "-leader-election-retry-period=0s: want a positive duration"},
		{"-leader-election-renew-deadline=5s", "-leader-election-renew-deadline=5s: want more than 1.2 × -leader-election-retry-period (5s)"},
		{"-leader-election-lease-duration=15s", "-leader-election-lease-duration=15s: want more than -leader-election-renew-deadline (15s)"},
	}
	for _, tc := range tests {
		t.Run(tc.args, func(t *testing.T) {
			var out bytes.Buffer
			err := run(context.Background(), []string{tc.args}, &out)
			if err == nil || !strings.Contains(err.Error()+out.String(), tc.want) {
				t.Fatalf("run(%s) = %v (output %q), want an error containing %q", tc.args, err, out.String(), tc.want)
			}
		})
	}
}

// syncBuffer is a log sink safe for the controller's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

func freePort(t *testing.T) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// TestControllerProcess runs the controller as main does, against a real
// API server: it takes the Lease, bootstraps a canary on its first tick,
// logs JSON with msg and canary, and serves /healthz, /readyz and Flagger's
// metrics on -port.
func TestControllerProcess(t *testing.T) {
	env, kubeconfig := startEnv(t)
	scheme := runtime.NewScheme()
	must(t, clientgoscheme.AddToScheme(scheme))
	must(t, v1.AddToScheme(scheme))
	c, err := client.New(env.Config, client.Options{Scheme: scheme})
	must(t, err)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	must(t, c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: "test"}}))
	must(t, c.Create(ctx, kubetest.Deployment()))
	cd := kubetest.Canary(kubetest.WithoutAutoscaler)
	cd.UID = ""
	must(t, c.Create(ctx, cd))

	port := freePort(t)
	logs := &syncBuffer{}
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-kubeconfig=" + kubeconfig, fmt.Sprintf("-port=%d", port),
			"-enable-leader-election", "-leader-election-namespace=default",
			"-metrics-server=http://fledge:planted-prom-pw@127.0.0.1:1", "-log-level=info"}, logs)
	}()
	eventually(t, "the primary Deployment created by the first tick", func() bool {
		var dep appsv1.Deployment
		return c.Get(ctx, client.ObjectKey{Namespace: "test", Name: "podinfo-primary"}, &dep) == nil
	})
	var lease coordinationv1.Lease
	must(t, c.Get(ctx, client.ObjectKey{Namespace: "default", Name: "fledge-leader-election"}, &lease))
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for _, path := range []string{"/healthz", "/readyz"} {
		if code, _ := get(t, base+path); code != http.StatusOK {
			t.Errorf("GET %s = %d", path, code)
		}
	}
	// The primary exists once the first tick created it; the tick's
	// metrics come when it ends: wait for them, not for the primary.
	for _, want := range []string{`flagger_info{mesh_provider="osm",version="` + version.String() + `"} 1`, `flagger_canary_status{name="podinfo",namespace="test"} 1`, "flagger_canary_duration_seconds_bucket"} {
		eventually(t, "/metrics with "+want, func() bool {
			_, metrics := get(t, base+"/metrics")
			return strings.Contains(metrics, want)
		})
	}
	eventually(t, "a JSON log line with msg and canary", func() bool { return hasLogLine(logs.String()) })
	if out := logs.String(); strings.Contains(out, "planted-prom-pw") || !strings.Contains(out, `"metrics_server":"http://fledge:xxxxx@127.0.0.1:1"`) {
		t.Errorf("the logs show the metrics server's password or not the redacted address")
	}
	if t.Failed() {
		t.Log(logs.String())
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Errorf("controller stopped with %v", err)
		}
	case <-time.After(30 * time.Second):
		t.Error("controller did not stop")
	}
}

func hasLogLine(logs string) bool {
	for _, line := range strings.Split(logs, "\n") {
		var entry map[string]any
		if json.Unmarshal([]byte(line), &entry) != nil {
			continue
		}
		if entry["canary"] == "podinfo.test" && entry["msg"] == "all the metrics providers are available!" {
			return true
		}
	}
	return false
}

func startEnv(t *testing.T) (*envtest.Environment, string) {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets, _ = filepath.Abs("../../hack/bin/k8s")
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{"../../deploy/crds", "../../adapters/controller/testdata/crds"},
		ErrorIfCRDPathMissing: true,
	}
	if _, err := env.Start(); err != nil {
		t.Fatalf("starting envtest (run `bash hack/envtest.sh` to build its binaries): %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	user, err := env.AddUser(envtest.User{Name: "fledge-test", Groups: []string{"system:masters"}}, nil)
	must(t, err)
	data, err := user.KubeConfig()
	must(t, err)
	path := filepath.Join(t.TempDir(), "kubeconfig")
	must(t, os.WriteFile(path, data, 0o600))
	return env, path
}

func get(t *testing.T, url string) (int, string) {
	t.Helper()
	resp, err := http.Get(url) //nolint:noctx // a test against a local server
	if err != nil {
		t.Fatalf("GET %s: %v", url, err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b)
}

func eventually(t *testing.T, what string, ok func() bool) {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		if ok() {
			return
		}
		time.Sleep(200 * time.Millisecond)
	}
	t.Errorf("timed out waiting for %s", what)
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
