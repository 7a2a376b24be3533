package controller

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/utils/clock"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	smiv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	smiclient "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	gwclient "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned"

	"github.com/fledge-canary/fledge/adapters/alerts"
	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/kubecache"
	promadapter "github.com/fledge-canary/fledge/adapters/prometheus"
	"github.com/fledge-canary/fledge/adapters/webhook"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Options configure the controller; they mirror Flagger's flags.
type Options struct {
	MeshProvider         string
	MetricsServer        string
	SelectorLabels       []string
	IncludeLabelPrefixes []string
	ConfigTracking       bool
	NoCrossNamespaceRefs bool
	// EventWebhook receives every event of canaries without event hooks.
	EventWebhook string
	// EventSource is the source component of the Kubernetes Events
	// (-event-source); empty means DefaultEventSource.
	EventSource string
	Version     string
	Clock       clock.PassiveClock
	Log         logr.Logger
	Registry    prometheus.Registerer
	// Metrics replaces the Prometheus adapter (tests, replays); nil means
	// the Prometheus HTTP API at MetricsServer.
	Metrics engine.Metrics
	// GlobalAlerts is the notifier of canaries without analysis.alerts
	// (-slack-url or -msteams-url, see alerts.Global); nil sends them none.
	GlobalAlerts *alerts.Endpoint
	// ClusterName is added to every alert as the field Cluster
	// (-cluster-name).
	ClusterName string
	// AlertOptions tune the alert Sender (tests); its Reader, Global and
	// OnError are set by New.
	AlertOptions alerts.Options
	// CheckSharedReads, when set, is called with a description of every
	// cached object an adapter changed instead of copying it first (see
	// kubecache.Clients.CheckShared). For tests: it costs a copy of every
	// object version read and a comparison on every read.
	CheckSharedReads func(what string)
}

// Clients are what the reconciler talks to the cluster with.
type Clients struct {
	// Client reads Canaries and MetricTemplates (a cache in production)
	// and writes Canaries (their status: Config).
	Client client.Client
	// Reader reads from the API server directly, for conflict retries.
	Reader client.Reader
	// Cache, when set, serves the adapters' reads of Deployments,
	// Services, HPAs, TrafficSplits, HTTPRoutes, ConfigMaps and Secrets
	// (see package kubecache); nil reads them from the API server.
	Cache client.Reader
	// Config reaches the API server: the adapters' clientsets and the
	// Canary status writer are built on it.
	Config *rest.Config
}

// New builds the reconciler and its adapters over the manager's cluster.
func New(mgr ctrl.Manager, opts Options) (*Reconciler, error) {
	if !mgr.GetScheme().Recognizes(smiv1alpha2.SchemeGroupVersion.WithKind("TrafficSplit")) {
		if err := kubecache.AddToScheme(mgr.GetScheme()); err != nil {
			return nil, err
		}
	}
	// Registered now, started with the manager: warm before this replica
	// leads.
	if err := kubecache.Warm(context.Background(), mgr.GetCache(), mgr.GetRESTMapper(), mgr.GetScheme()); err != nil {
		return nil, err
	}
	return NewWithClients(Clients{
		Client: mgr.GetClient(), Reader: mgr.GetAPIReader(), Cache: mgr.GetCache(), Config: mgr.GetConfig(),
	}, opts)
}

// NewWithClients builds the reconciler over the given clients.
func NewWithClients(c Clients, opts Options) (*Reconciler, error) {
	check := kubecache.NewSharedCheck(opts.CheckSharedReads)
	kubeClient, splitClient, gatewayClient, err := clientsets(c, check)
	if err != nil {
		return nil, err
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	if opts.Metrics == nil {
		opts.Metrics = promadapter.New(promadapter.Options{DefaultAddress: opts.MetricsServer, Secrets: secrets{kubeClient}})
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	if opts.EventSource == "" {
		opts.EventSource = DefaultEventSource
	}
	status, err := newStatusWriter(c.Config)
	if err != nil {
		return nil, err
	}
	events := newEventWriter(kubeClient.CoreV1(), opts.EventSource, opts.Log)
	caller := webhook.New(webhook.Options{})
	log := opts.Log
	sender := webhook.NewEventSender(caller, webhook.DefaultEventQueue, webhook.WithErrorHandler(func(err error) {
		log.Error(err, "event webhook not delivered")
	}))
	sink := &eventHooks{sender: sender, global: opts.EventWebhook, log: opts.Log}
	alertSender := newAlertSender(c, kubeClient, opts)
	services := kube.NewServices(kubeClient)
	rec := &Reconciler{
		client: c.Client, clock: opts.Clock, log: opts.Log, sender: sender, alerts: alertSender, events: events,
		metrics:        NewMetrics(opts.Registry, opts.Version, opts.MeshProvider),
		lag:            newLagMeter(opts.Registry, opts.Log),
		validation:     v1.ValidationOptions{NoCrossNamespaceRefs: opts.NoCrossNamespaceRefs, MeshProvider: opts.MeshProvider},
		schedule:       newSchedule(),
		warned:         newWarned(),
		validated:      newValidated(),
		configTracking: opts.ConfigTracking,
		sharedCheck:    check,
		services:       services,
	}
	rec.engine = &engine.Engine{
		Workload: kube.NewWorkload(kubeClient, kube.Options{
			SelectorLabels: opts.SelectorLabels, ConfigTracking: opts.ConfigTracking, IncludeLabelPrefixes: opts.IncludeLabelPrefixes,
		}),
		Router:     newProviderRouter(opts.MeshProvider, services, splitClient, gatewayClient),
		Metrics:    opts.Metrics,
		Templates:  templates{client: c.Client},
		Webhooks:   caller,
		Status:     status,
		Finalizers: finalizers{client: c.Client, reader: c.Reader},
		Events:     &recorder{events: events, log: opts.Log, sink: sink},
		Alerts:     alertSender,
		Config: engine.Config{MeshProvider: opts.MeshProvider, MetricsServer: opts.MetricsServer,
			GlobalAlerts: opts.GlobalAlerts != nil, ClusterName: opts.ClusterName},
	}
	return rec, nil
}

// clientsets are the Kubernetes, SMI and Gateway API clientsets of the
// adapters: they read through c.Cache when it is set.
func clientsets(c Clients, check *kubecache.SharedCheck) (kubernetes.Interface, smiclient.Interface, gwclient.Interface, error) {
	// Built-in kinds speak protobuf, cheaper to encode and decode than
	// JSON (as the manager's cache does); the CRDs speak JSON.
	protoConfig := rest.CopyConfig(c.Config)
	protoConfig.ContentType = runtime.ContentTypeProtobuf
	protoConfig.AcceptContentTypes = runtime.ContentTypeProtobuf + "," + runtime.ContentTypeJSON
	kubeClient, err := kubernetes.NewForConfig(protoConfig)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("kubernetes client: %w", err)
	}
	splitClient, err := smiclient.NewForConfig(c.Config)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("SMI client: %w", err)
	}
	gatewayClient, err := gwclient.NewForConfig(c.Config)
	if err != nil {
		return nil, nil, nil, fmt.Errorf("gateway API client: %w", err)
	}
	if c.Cache == nil {
		return kubeClient, splitClient, gatewayClient, nil
	}
	reads := kubecache.New(kubeClient, splitClient, gatewayClient, c.Cache, nil)
	reads.CheckShared(check)
	return reads.Kubernetes, reads.SMI, reads.Gateway, nil
}

// DefaultEventSource is the source component of Fledge's Events (Flagger's
// is flagger; -event-source=flagger restores it).
const DefaultEventSource = "fledge"

// secrets reads MetricTemplate secrets for the Prometheus adapter.
type secrets struct{ kube kubernetes.Interface }

func (s secrets) GetSecret(ctx context.Context, namespace, name string) (map[string][]byte, error) {
	sec, err := s.kube.CoreV1().Secrets(namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, err
	}
	return sec.Data, nil
}
