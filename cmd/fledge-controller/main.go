// Command fledge-controller is Fledge's production controller: a drop-in
// for Flagger with -mesh-provider=osm. It watches Canaries, drives the core
// engine through the Kubernetes, SMI, Prometheus and webhook adapters, and
// serves /metrics, /healthz and /readyz on -port.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"hash/fnv"
	"io"
	"net/http"
	"os"

	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/kubecache"
	"github.com/fledge-canary/fledge/adapters/webhook"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/internal/version"
)

// versionOut receives the output of -version: standard output, so that
// `fledge-controller -version` can be piped or captured like Flagger's.
var versionOut io.Writer = os.Stdout

// checkSharedReads is controller.Options.CheckSharedReads: nil in the
// shipped binary; the tests' controller processes set it.
var checkSharedReads func(what string)

func main() {
	setGCPercent(os.Getenv)
	if err := run(ctrl.SetupSignalHandler(), os.Args[1:], os.Stderr); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "fledge-controller:", err)
		}
		os.Exit(2)
	}
}

func run(ctx context.Context, args []string, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.version {
		_, err := fmt.Fprintln(versionOut, version.String())
		return err
	}
	level, _ := zapcore.ParseLevel(f.logLevel)
	encoder := zap.JSONEncoder()
	if f.zapEncoding == "console" {
		encoder = zap.ConsoleEncoder()
	}
	log := zap.New(zap.Level(level), encoder, zap.WriteTo(stderr))
	ctrl.SetLogger(log)
	mgr, err := newManager(f)
	if err != nil {
		return err
	}
	rec, err := controller.New(mgr, controller.Options{
		MeshProvider: f.meshProvider, MetricsServer: f.metricsServer, SelectorLabels: f.selectorLabels,
		IncludeLabelPrefixes: f.includeLabelPrefixes, ConfigTracking: f.configTracking,
		NoCrossNamespaceRefs: f.noCrossNamespaceRefs, EventWebhook: f.eventWebhook, EventSource: f.eventSource,
		Version: version.String(), Log: log,
		Registry:     ctrlmetrics.Registry,
		GlobalAlerts: f.alerts.global, ClusterName: f.clusterName,
		CheckSharedReads: checkSharedReads,
	})
	if err != nil {
		return err
	}
	if err := rec.SetupWithManager(mgr, f.threadiness); err != nil {
		return err
	}
	log.Info("starting fledge-controller", "version", version.String(), "mesh_provider", f.meshProvider, "metrics_server", webhook.RedactURL(f.metricsServer))
	return mgr.Start(ctx)
}

func newManager(f *flags) (ctrl.Manager, error) {
	cfg, err := restConfig(f)
	if err != nil {
		return nil, err
	}
	return newManagerFor(cfg, f)
}

// newManagerFor builds the manager over cfg: its scheme, metrics and
// health endpoints, leader election and cache as the flags say.
func newManagerFor(cfg *rest.Config, f *flags) (ctrl.Manager, error) {
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := v1.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := kubecache.AddToScheme(scheme); err != nil {
		return nil, err
	}
	opts := ctrl.Options{
		Scheme: scheme,
		Metrics: metricsserver.Options{
			BindAddress: fmt.Sprintf(":%d", f.port),
			ExtraHandlers: map[string]http.Handler{
				"/healthz": http.StripPrefix("/healthz", &healthz.Handler{Checks: map[string]healthz.Checker{"ping": healthz.Ping}}),
				"/readyz":  http.StripPrefix("/readyz", &healthz.Handler{Checks: map[string]healthz.Checker{"ping": healthz.Ping}}),
			},
		},
		HealthProbeBindAddress:  "0",
		LeaderElection:          f.leaderElection,
		LeaderElectionID:        leaderElectionID(f.watchSelector),
		LeaderElectionNamespace: f.leaderElectionNamespace,
		// Give the Lease back on shutdown (SIGTERM), as Flagger does, so
		// that a rolling update hands over at once instead of after the
		// lease duration.
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 &f.leaseDuration,
		RenewDeadline:                 &f.renewDeadline,
		RetryPeriod:                   &f.retryPeriod,
	}
	opts.Cache = cacheOptions(f)
	mgr, err := ctrl.NewManager(cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	return mgr, nil
}

// cacheOptions restricts the manager's cache to -namespace and, for a
// shard, its Canaries to those -watch-label-selector selects: a canary
// relabelled out of the shard leaves the cache, which the controller sees
// as gone, and enters the other shard's. The objects the adapters read
// are cached as package kubecache says.
func cacheOptions(f *flags) cache.Options {
	var opts cache.Options
	kubecache.SetCacheOptions(&opts)
	if f.namespace != "" {
		opts.DefaultNamespaces = map[string]cache.Config{f.namespace: {}}
	}
	if f.watchSelector != nil {
		opts.ByObject = map[client.Object]cache.ByObject{&v1.Canary{}: {Label: f.watchSelector}}
	}
	return opts
}

// leaderElectionID is the Lease of the controller: Flagger's for an
// unsharded controller, and one per shard, named after a hash of its
// selector, so that shards never wait for each other's Lease.
func leaderElectionID(sel labels.Selector) string {
	if sel == nil {
		return "fledge-leader-election"
	}
	h := fnv.New32a()
	_, _ = h.Write([]byte(sel.String()))
	return fmt.Sprintf("fledge-leader-election-%08x", h.Sum32())
}
