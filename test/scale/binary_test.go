package scale

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// controllerMode says where the measured controller runs:
// FLEDGE_SCALE_CONTROLLER=binary (the default for the benchmark) builds
// cmd/fledge-controller and runs it as a child process with its default
// flags, so that its CPU and memory are the controller's alone;
// in-process runs the same wiring inside the test process (TestScaleSmoke,
// and CPU profiles with FLEDGE_SCALE_CPUPROFILE).
func controllerMode(def string) string {
	if m := os.Getenv("FLEDGE_SCALE_CONTROLLER"); m != "" {
		return m
	}
	return def
}

// controllerProcess is fledge-controller running as a child process.
type controllerProcess struct {
	proc    *os.Process
	metrics string // the /metrics URL
	done    chan error
}

// startControllerBinary builds cmd/fledge-controller and runs it against
// the API server as user, with the production defaults but the client
// QPS/burst and workers the harness's knobs set. It logs to a file in
// the test's temporary directory.
func startControllerBinary(ctx context.Context, tb testing.TB, user *envtest.AuthenticatedUser) (*controllerProcess, string) {
	dir := tb.TempDir()
	bin := filepath.Join(dir, "fledge-controller")
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "../../cmd/fledge-controller")
	build.Stdout, build.Stderr = os.Stderr, os.Stderr
	start := time.Now()
	must(tb, build.Run())
	logf(tb, "built fledge-controller in %s", time.Since(start).Round(time.Millisecond))

	kubeconfig, err := user.KubeConfig()
	must(tb, err)
	path := filepath.Join(dir, "controller.kubeconfig")
	must(tb, os.WriteFile(path, kubeconfig, 0o600))
	port := freePort(tb)
	logFile, err := os.Create(filepath.Join(dir, "controller.log"))
	must(tb, err)
	tb.Cleanup(func() { _ = logFile.Close() })

	cmd := exec.CommandContext(ctx, bin,
		"-kubeconfig", path, "-port", strconv.Itoa(port),
		"-kubeconfig-qps", strconv.Itoa(ctrlQPS), "-kubeconfig-burst", strconv.Itoa(ctrlBurst),
		"-threadiness", strconv.Itoa(ctrlWorkers))
	cmd.Stdout, cmd.Stderr = logFile, logFile
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	must(tb, cmd.Start())
	c := &controllerProcess{proc: cmd.Process, metrics: fmt.Sprintf("http://127.0.0.1:%d/metrics", port), done: make(chan error, 1)}
	go func() { c.done <- cmd.Wait() }()
	tb.Cleanup(func() { c.stop(tb) })
	logf(tb, "fledge-controller (pid %d) logs to %s", cmd.Process.Pid, logFile.Name())
	return c, logFile.Name()
}

func (c *controllerProcess) stop(tb testing.TB) {
	_ = c.proc.Signal(syscall.SIGTERM)
	select {
	case err := <-c.done:
		if err != nil {
			tb.Logf("fledge-controller: %v", err)
		}
	case <-time.After(30 * time.Second):
		_ = c.proc.Kill()
		tb.Log("fledge-controller did not stop in 30s: killed")
	}
}

// gather scrapes the controller's /metrics, retrying while it starts.
func (c *controllerProcess) gather() ([]*dto.MetricFamily, error) {
	var last error
	for range 50 {
		mfs, err := scrape(c.metrics)
		if err == nil {
			return mfs, nil
		}
		last = err
		time.Sleep(100 * time.Millisecond)
	}
	return nil, last
}

func scrape(url string) ([]*dto.MetricFamily, error) {
	resp, err := http.Get(url) //nolint:noctx // a local scrape with the retry above
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("scrape %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	byName, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		return nil, fmt.Errorf("scrape %s: %w", url, err)
	}
	mfs := make([]*dto.MetricFamily, 0, len(byName))
	for _, mf := range byName {
		mfs = append(mfs, mf)
	}
	return mfs, nil
}

// metricValue is the value of a gauge or counter family without labels
// (0 when absent).
func metricValue(mfs []*dto.MetricFamily, name string) float64 {
	for _, mf := range mfs {
		if mf.GetName() != name || len(mf.GetMetric()) == 0 {
			continue
		}
		m := mf.GetMetric()[0]
		if m.GetCounter() != nil {
			return m.GetCounter().GetValue()
		}
		return m.GetGauge().GetValue()
	}
	return 0
}

// freePort is a TCP port nobody listens on now.
func freePort(tb testing.TB) int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	must(tb, err)
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
