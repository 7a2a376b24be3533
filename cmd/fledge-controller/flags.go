package main

import (
	"flag"
	"fmt"
	"io"
	"net/url"
	"os"
	"strings"
	"time"

	"go.uber.org/zap/zapcore"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"

	"github.com/fledge-canary/fledge/adapters/controller"
	"github.com/fledge-canary/fledge/adapters/webhook"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/internal/version"
)

// flags are Flagger's command-line flags where they apply to Fledge.
type flags struct {
	meshProvider, metricsServer, namespace string
	// watchSelector restricts the Canaries watched to a shard
	// (-watch-label-selector); nil watches them all.
	watchSelector                                 labels.Selector
	leaderElection                                bool
	leaderElectionNamespace                       string
	leaseDuration, renewDeadline, retryPeriod     time.Duration
	controlLoopInterval                           time.Duration
	threadiness                                   int
	selectorLabels, includeLabelPrefixes          []string
	configTracking, noCrossNamespaceRefs, version bool
	eventWebhook, clusterName, eventSource        string
	kubeconfig, master                            string
	qps                                           float64
	burst                                         int
	logLevel, zapEncoding                         string
	port                                          int
	alerts                                        alertFlags
}

func parseFlags(args []string, out io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("fledge-controller", flag.ContinueOnError)
	fs.SetOutput(out)
	var selector, include string
	fs.StringVar(&f.meshProvider, "mesh-provider", v1.ProviderOSM,
		"provider of the Canaries without spec.provider: osm, linkerd or gatewayapi:v1 (a Canary's spec.provider wins)")
	fs.StringVar(&f.metricsServer, "metrics-server", "http://prometheus:9090", "Prometheus URL for builtin and inline-query metrics")
	fs.StringVar(&f.namespace, "namespace", "", "watch Canaries in this namespace only (also the leader-election namespace)")
	fs.BoolVar(&f.leaderElection, "enable-leader-election", false, "elect a leader with a Lease so that only one replica acts")
	fs.StringVar(&f.leaderElectionNamespace, "leader-election-namespace", "kube-system", "namespace of the leader-election Lease")
	fs.DurationVar(&f.leaseDuration, "leader-election-lease-duration", 60*time.Second, "how long standbys wait after the leader's last renewal before taking the Lease (Flagger: 60s)")
	fs.DurationVar(&f.renewDeadline, "leader-election-renew-deadline", 15*time.Second, "how long the leader retries renewing before it gives up and exits (Flagger: 15s)")
	fs.DurationVar(&f.retryPeriod, "leader-election-retry-period", 5*time.Second, "interval between attempts to take or renew the Lease (Flagger: 5s)")
	fs.DurationVar(&f.controlLoopInterval, "control-loop-interval", 10*time.Second, "accepted for Flagger compatibility; Fledge schedules each canary by its analysis interval")
	fs.IntVar(&f.threadiness, "threadiness", controller.DefaultWorkers, "canaries ticked concurrently (Flagger: 2 workers for Canary changes, each analysis in its own goroutine)")
	var watchSelector string
	fs.StringVar(&watchSelector, "watch-label-selector", "",
		"watch only the Canaries these labels select, to shard canaries across controllers (e.g. 'fledge.dev/shard in (a)'; '!fledge.dev/shard' for the default shard)")
	fs.StringVar(&selector, "selector-labels", "app,name,app.kubernetes.io/name", "labels that select a target's pods, in order of preference")
	fs.StringVar(&include, "include-label-prefix", "", "label prefixes copied to the primary (comma-separated; * for all)")
	fs.BoolVar(&f.configTracking, "enable-config-tracking", true, "start an analysis when a ConfigMap or Secret the target uses changes")
	fs.BoolVar(&f.noCrossNamespaceRefs, "no-cross-namespace-refs", false, "refuse templateRef and providerRef in another namespace")
	fs.StringVar(&f.eventWebhook, "event-webhook", "", "URL receiving every event (Flagger's EVENT_WEBHOOK_URL)")
	fs.StringVar(&f.clusterName, "cluster-name", "", "cluster name added to alerts")
	fs.StringVar(&f.eventSource, "event-source", controller.DefaultEventSource, "source component of the Kubernetes Events (Flagger's: flagger)")
	fs.StringVar(&f.kubeconfig, "kubeconfig", "", "path to a kubeconfig; in-cluster config when empty")
	fs.StringVar(&f.master, "master", "", "API server address, overriding the kubeconfig's")
	// Twice Flagger's 100/250: a tick in an analysis writes its
	// TrafficSplit and about one Event through one client, so 500 canaries
	// analysed at a 10s interval need about 115 requests/s (BENCHMARKS.md).
	fs.Float64Var(&f.qps, "kubeconfig-qps", 200, "client requests per second to the API server (each client)")
	fs.IntVar(&f.burst, "kubeconfig-burst", 400, "client request burst to the API server (each client)")
	fs.StringVar(&f.logLevel, "log-level", "debug", "log level: debug, info, warn or error")
	fs.StringVar(&f.zapEncoding, "zap-encoding", "json", "log encoding: json or console")
	fs.IntVar(&f.port, "port", 8080, "port of /metrics, /healthz and /readyz")
	fs.BoolVar(&f.version, "version", false, "print the version (stamped at build time) and exit")
	f.alerts.register(fs)
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if err := f.alerts.resolve(os.Getenv); err != nil {
		return nil, err
	}
	f.selectorLabels, f.includeLabelPrefixes = splitList(selector), splitList(include)
	if watchSelector != "" {
		sel, err := labels.Parse(watchSelector)
		if err != nil {
			return nil, fmt.Errorf("-watch-label-selector=%q: %w", watchSelector, err)
		}
		f.watchSelector = sel
	}
	if f.namespace != "" && f.leaderElectionNamespace == "kube-system" {
		f.leaderElectionNamespace = f.namespace
	}
	return f, f.check()
}

// check refuses flag values the controller cannot run with.
func (f *flags) check() error {
	if err := v1.ValidateMeshProvider(f.meshProvider); err != nil {
		return fmt.Errorf("-mesh-provider=%s: %w", f.meshProvider, err)
	}
	if !isHTTPURL(f.metricsServer) {
		return fmt.Errorf("-metrics-server=%s: want an http(s) URL such as http://osm-prometheus.osm-system.svc:7070", webhook.RedactURL(f.metricsServer))
	}
	if f.eventWebhook != "" && !isHTTPURL(f.eventWebhook) {
		return fmt.Errorf("-event-webhook=%s: want an http(s) URL such as http://event-receiver.test/", webhook.RedactURL(f.eventWebhook))
	}
	if _, err := zapcore.ParseLevel(f.logLevel); err != nil {
		return fmt.Errorf("-log-level=%s: want debug, info, warn or error", f.logLevel)
	}
	if f.zapEncoding != "json" && f.zapEncoding != "console" {
		return fmt.Errorf("-zap-encoding=%s: want json or console", f.zapEncoding)
	}
	if strings.TrimSpace(f.eventSource) == "" {
		return fmt.Errorf("-event-source is empty: name the Events' source component, such as fledge or flagger")
	}
	if f.port < 1 || f.port > 65535 {
		return fmt.Errorf("-port=%d: want a port between 1 and 65535", f.port)
	}
	return f.checkRest()
}

// isHTTPURL reports whether s is an absolute http or https URL with a host.
func isHTTPURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// checkRest continues check: workers, selectors, lease timings, client limits.
func (f *flags) checkRest() error {
	if f.threadiness < 1 {
		return fmt.Errorf("-threadiness=%d: want at least 1", f.threadiness)
	}
	if len(f.selectorLabels) == 0 {
		return fmt.Errorf("-selector-labels is empty: name at least one label, such as app")
	}
	if err := f.checkLease(); err != nil {
		return err
	}
	if f.qps <= 0 || f.burst < 1 {
		return fmt.Errorf("-kubeconfig-qps and -kubeconfig-burst must be positive")
	}
	return nil
}

// checkLease refuses lease timings client-go's leader election rejects,
// with the flags' names.
func (f *flags) checkLease() error {
	if f.retryPeriod <= 0 {
		return fmt.Errorf("-leader-election-retry-period=%s: want a positive duration", f.retryPeriod)
	}
	// client-go wants renewDeadline > 1.2 × retryPeriod (its jitter) and
	// leaseDuration > renewDeadline.
	if f.renewDeadline*10 <= f.retryPeriod*12 {
		return fmt.Errorf("-leader-election-renew-deadline=%s: want more than 1.2 × -leader-election-retry-period (%s)", f.renewDeadline, f.retryPeriod)
	}
	if f.leaseDuration <= f.renewDeadline {
		return fmt.Errorf("-leader-election-lease-duration=%s: want more than -leader-election-renew-deadline (%s)", f.leaseDuration, f.renewDeadline)
	}
	return nil
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func restConfig(f *flags) (*rest.Config, error) {
	cfg, err := clientcmd.BuildConfigFromFlags(f.master, f.kubeconfig)
	if err != nil {
		return nil, fmt.Errorf("kubernetes config: %w", err)
	}
	cfg.QPS, cfg.Burst = float32(f.qps), f.burst
	cfg.UserAgent = "fledge-controller/" + version.String()
	return cfg, nil
}
