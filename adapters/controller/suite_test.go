package controller_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
	logf "sigs.k8s.io/controller-runtime/pkg/log"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	smiclient "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// The suite runs the controller against a real kube-apiserver and etcd
// (envtest), built from Go modules by hack/envtest.sh, with Flagger's CRDs,
// OSM's TrafficSplit CRD and Gateway API's HTTPRoute CRD (from the
// sigs.k8s.io/gateway-api module) installed.
var (
	testEnv  *envtest.Environment
	cfg      *rest.Config
	k8s      client.Client
	kube     kubernetes.Interface
	splits   smiclient.Interface
	gateways gwclient.Interface
	scheme   = runtime.NewScheme()
	suiteCtx context.Context
	cancel   context.CancelFunc
)

func TestController(t *testing.T) {
	RegisterFailHandler(Fail)
	RunSpecs(t, "Controller Suite (envtest)")
}

// assets finds the envtest binaries: KUBEBUILDER_ASSETS, else hack/bin/k8s.
func assets() string {
	if dir := os.Getenv("KUBEBUILDER_ASSETS"); dir != "" {
		return dir
	}
	dir, _ := filepath.Abs(filepath.Join("..", "..", "hack", "bin", "k8s"))
	if _, err := os.Stat(filepath.Join(dir, "kube-apiserver")); err != nil {
		Fail("no envtest binaries: run `bash hack/envtest.sh` (make test does) or set KUBEBUILDER_ASSETS")
	}
	return dir
}

var _ = BeforeSuite(func() {
	logf.SetLogger(zap.New(zap.WriteTo(GinkgoWriter), zap.UseDevMode(true)))
	suiteCtx, cancel = context.WithCancel(context.Background())
	Expect(clientgoscheme.AddToScheme(scheme)).To(Succeed())
	Expect(v1.AddToScheme(scheme)).To(Succeed())
	testEnv = &envtest.Environment{
		BinaryAssetsDirectory: assets(),
		CRDDirectoryPaths:     []string{filepath.Join("..", "..", "deploy", "crds"), filepath.Join("testdata", "crds"), httpRouteCRD()},
		ErrorIfCRDPathMissing: true,
	}
	var err error
	cfg, err = testEnv.Start()
	Expect(err).NotTo(HaveOccurred())
	k8s, err = client.New(cfg, client.Options{Scheme: scheme})
	Expect(err).NotTo(HaveOccurred())
	kube = kubernetes.NewForConfigOrDie(cfg)
	splits = smiclient.NewForConfigOrDie(cfg)
	gateways = gwclient.NewForConfigOrDie(cfg)
})

var _ = AfterSuite(func() {
	cancel()
	if testEnv != nil {
		Expect(testEnv.Stop()).To(Succeed())
	}
})
