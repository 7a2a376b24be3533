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
	"io"
	"net/http"
	"os"

	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/healthz"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/webhook"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
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
		fmt.Fprintln(stderr, version)
		return nil
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
		NoCrossNamespaceRefs: f.noCrossNamespaceRefs, EventWebhook: f.eventWebhook, EventSource: f.eventSource, Version: version, Log: log,
		Registry: ctrlmetrics.Registry,
	})
	if err != nil {
		return err
	}
	if err := rec.SetupWithManager(mgr, f.threadiness); err != nil {
		return err
	}
	log.Info("starting fledge-controller", "version", version, "mesh_provider", f.meshProvider, "metrics_server", webhook.RedactURL(f.metricsServer))
	return mgr.Start(ctx)
}

func newManager(f *flags) (ctrl.Manager, error) {
	cfg, err := restConfig(f)
	if err != nil {
		return nil, err
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return nil, err
	}
	if err := v1.AddToScheme(scheme); err != nil {
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
		LeaderElectionID:        "fledge-leader-election",
		LeaderElectionNamespace: f.leaderElectionNamespace,
		// Give the Lease back on shutdown (SIGTERM), as Flagger does, so
		// that a rolling update hands over at once instead of after the
		// lease duration.
		LeaderElectionReleaseOnCancel: true,
		LeaseDuration:                 &f.leaseDuration,
		RenewDeadline:                 &f.renewDeadline,
		RetryPeriod:                   &f.retryPeriod,
	}
	if f.namespace != "" {
		opts.Cache = cache.Options{DefaultNamespaces: map[string]cache.Config{f.namespace: {}}}
	}
	mgr, err := ctrl.NewManager(cfg, opts)
	if err != nil {
		return nil, fmt.Errorf("creating the manager: %w", err)
	}
	return mgr, nil
}
