package install

import (
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/spf13/cobra"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/cli-runtime/pkg/genericiooptions"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
	"k8s.io/kubectl/pkg/cmd/apply"
	"k8s.io/kubectl/pkg/cmd/delete"
	cmdutil "k8s.io/kubectl/pkg/cmd/util"
)

// kubectl runs kubectl's own apply and delete commands (k8s.io/kubectl, the
// code of the kubectl binary, at the repository's Kubernetes version) in
// this process against one API server, so that no kubectl binary is needed.
type kubectl struct {
	kubeconfig string
}

// fatalMu serialises kubectl runs: a command's fatal errors go through
// kubectl's process-wide BehaviorOnFatal hook.
var fatalMu sync.Mutex

// fatal is what a kubectl command that would exit raises instead.
type fatal struct {
	msg  string
	code int
}

// newKubectl writes a kubeconfig for cfg (envtest's admin credentials).
func newKubectl(t *testing.T, cfg *rest.Config) *kubectl {
	t.Helper()
	kc := clientcmdapi.NewConfig()
	kc.Clusters["envtest"] = &clientcmdapi.Cluster{Server: cfg.Host, CertificateAuthorityData: cfg.CAData}
	kc.AuthInfos["admin"] = &clientcmdapi.AuthInfo{ClientCertificateData: cfg.CertData, ClientKeyData: cfg.KeyData, Token: cfg.BearerToken}
	kc.Contexts["envtest"] = &clientcmdapi.Context{Cluster: "envtest", AuthInfo: "admin"}
	kc.CurrentContext = "envtest"
	path := filepath.Join(t.TempDir(), "kubeconfig")
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		t.Fatalf("writing a kubeconfig: %v", err)
	}
	return &kubectl{kubeconfig: path}
}

// run runs `kubectl <verb> args...` with stdin, returning its output and
// the error it would have exited with.
func (k *kubectl) run(stdin io.Reader, verb string, args ...string) (out string, err error) {
	fatalMu.Lock()
	defer fatalMu.Unlock()
	flags := genericclioptions.NewConfigFlags(true)
	flags.KubeConfig = &k.kubeconfig
	f := cmdutil.NewFactory(flags)
	var stdout, stderr bytes.Buffer
	streams := genericiooptions.IOStreams{In: stdin, Out: &stdout, ErrOut: &stderr}
	var cmd *cobra.Command
	switch verb {
	case "apply":
		cmd = apply.NewCmdApply("kubectl", f, streams)
	case "delete":
		cmd = delete.NewCmdDelete(f, streams)
	default:
		return "", fmt.Errorf("kubectl %s: not available here", verb)
	}
	cmd.SetArgs(args)
	cmd.SetOut(&stdout)
	cmd.SetErr(&stderr)
	if stdin != nil {
		restore, err := pipeStdin(stdin)
		if err != nil {
			return "", err
		}
		defer restore()
	}
	cmdutil.BehaviorOnFatal(func(msg string, code int) { panic(fatal{msg, code}) })
	defer cmdutil.DefaultBehaviorOnFatal()
	defer func() {
		if r := recover(); r != nil {
			f, ok := r.(fatal)
			if !ok {
				panic(r)
			}
			out, err = stdout.String()+stderr.String(), fmt.Errorf("kubectl %s %s: exit %d: %s", verb, strings.Join(args, " "), f.code, strings.TrimSpace(f.msg))
		}
	}()
	if err := cmd.Execute(); err != nil {
		return stdout.String() + stderr.String(), fmt.Errorf("kubectl %s %s: %w", verb, strings.Join(args, " "), err)
	}
	return stdout.String() + stderr.String(), nil
}

// pipeStdin makes stdin the process's standard input, as a shell pipe
// would: kubectl's `-f -` reads os.Stdin itself, not its IOStreams.In.
func pipeStdin(stdin io.Reader) (restore func(), err error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, fmt.Errorf("a pipe for kubectl's stdin: %w", err)
	}
	go func() {
		_, _ = io.Copy(w, stdin)
		_ = w.Close()
	}()
	saved := os.Stdin
	os.Stdin = r
	return func() {
		os.Stdin = saved
		_ = r.Close()
	}, nil
}

// repoPath is a path of the repository from this package's directory.
func repoPath(t *testing.T, rel string) string {
	t.Helper()
	p, err := filepath.Abs(filepath.Join("..", "..", rel))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(p); err != nil {
		t.Fatalf("%s: %v", rel, err)
	}
	return p
}
