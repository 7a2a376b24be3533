package scale

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"syscall"
	"testing"

	kruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/tools/clientcmd"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// kubeletEnv names the kubeconfig of the simulated kubelet: when set, the
// test binary runs the kubelet (see TestMain) instead of the tests.
const kubeletEnv = "FLEDGE_SCALE_KUBELET_KUBECONFIG"

// TestMain runs the tests, or, started by startKubeletProcess, the
// simulated kubelet until it is signalled.
func TestMain(m *testing.M) {
	if path := os.Getenv(kubeletEnv); path != "" {
		if err := runKubelet(path); err != nil {
			fmt.Fprintln(os.Stderr, "kubelet:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// runKubelet readies the Deployments of the cluster at path (the
// simulator's kubelet over an informer) until SIGTERM.
func runKubelet(path string) error {
	cfg, err := clientcmd.BuildConfigFromFlags("", path)
	if err != nil {
		return err
	}
	cfg.ContentType = kruntime.ContentTypeProtobuf
	cfg.QPS, cfg.Burst = 1000, 2000
	kube, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	startKubelets(ctx, kube, 8)
	<-ctx.Done()
	return nil
}

// startKubeletProcess runs the simulated kubelet in a child process (this
// test binary, see TestMain), so that its CPU and memory are not counted
// as the controller's; it stops with the test.
func startKubeletProcess(ctx context.Context, tb testing.TB, env *envtest.Environment) *os.Process {
	user, err := env.AddUser(envtest.User{Name: "kubelet", Groups: []string{"system:masters"}}, nil)
	must(tb, err)
	kubeconfig, err := user.KubeConfig()
	must(tb, err)
	path := filepath.Join(tb.TempDir(), "kubelet.kubeconfig")
	must(tb, os.WriteFile(path, kubeconfig, 0o600))
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), kubeletEnv+"="+path)
	cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
	cmd.Cancel = func() error { return cmd.Process.Signal(syscall.SIGTERM) }
	must(tb, cmd.Start())
	done := make(chan error, 1)
	go func() { done <- cmd.Wait() }()
	tb.Cleanup(func() {
		_ = cmd.Process.Signal(syscall.SIGTERM)
		if err := <-done; err != nil && ctx.Err() == nil {
			tb.Logf("kubelet process: %v", err)
		}
	})
	return cmd.Process
}
