package main

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/fledge-canary/fledge/adapters/controller"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// TestStartsWithoutMeshCRDs starts the controller on a cluster with
// Flagger's CRDs only (no SMI TrafficSplit, no Gateway API HTTPRoute):
// the caches of the kinds the cluster does not serve are left out, and the
// manager's caches sync.
func TestStartsWithoutMeshCRDs(t *testing.T) {
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		assets, _ = filepath.Abs("../../hack/bin/k8s")
	}
	env := &envtest.Environment{BinaryAssetsDirectory: assets, CRDDirectoryPaths: []string{"../../deploy/crds"}, ErrorIfCRDPathMissing: true}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("starting envtest (run `bash hack/envtest.sh` to build its binaries): %v", err)
	}
	t.Cleanup(func() { _ = env.Stop() })
	f, err := parseFlags([]string{"-metrics-server=http://127.0.0.1:1", "-enable-leader-election=false"}, &testWriter{t})
	must(t, err)
	f.port = 0
	mgr, err := newManagerFor(cfg, f)
	must(t, err)
	rec, err := controller.New(mgr, controller.Options{MeshProvider: v1.ProviderOSM, Log: logr.Discard(), Registry: prometheus.NewRegistry()})
	must(t, err)
	must(t, rec.SetupWithManager(mgr, 2))
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- mgr.Start(ctx) }()
	syncCtx, stop := context.WithTimeout(ctx, time.Minute)
	defer stop()
	if !mgr.GetCache().WaitForCacheSync(syncCtx) {
		t.Error("the manager's caches did not sync")
	}
	cancel()
	if err := <-done; err != nil {
		t.Errorf("manager: %v", err)
	}
}
