package loadtester

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"k8s.io/utils/clock"
)

// DefaultCommandTimeout is how long a command may run when Options leave
// it unset: Flagger's -timeout default.
const DefaultCommandTimeout = time.Hour

// maxPayload bounds a request body.
const maxPayload = 1 << 20

// Options configure a Server; cmd/fledge-loadtester sets them from its
// flags.
type Options struct {
	// AllowBash lets the server run shell commands: bash tasks, and cmd
	// tasks that are not plain hey commands. Anyone who can reach the port
	// can then run any command as the load tester's user.
	AllowBash bool
	// CommandTimeout bounds every task (default DefaultCommandTimeout); a
	// bash task's metadata.timeout can shorten it.
	CommandTimeout time.Duration
	// GateTTL closes an opened gate after this long; 0 keeps it open until
	// closed, as Flagger does.
	GateTTL time.Duration
	// Namespaces, when set, must match the payload's namespace, else the
	// call is answered 403.
	Namespaces *regexp.Regexp
	// Clock reads the time for gate TTLs (default: the real clock).
	Clock clock.PassiveClock
	Log   logr.Logger
	// Registry receives the metrics and is served on /metrics (default: a
	// new registry).
	Registry *prometheus.Registry
}

// Server is the load tester: its HTTP handler, gates and background tasks.
type Server struct {
	opts    Options
	gates   *gates
	tasks   *taskRunner
	metrics *metrics
	handler http.Handler
}

// New builds a Server; it fails when the metrics cannot be registered.
func New(opts Options) (*Server, error) {
	if opts.CommandTimeout <= 0 {
		opts.CommandTimeout = DefaultCommandTimeout
	}
	if opts.Clock == nil {
		opts.Clock = clock.RealClock{}
	}
	if opts.Registry == nil {
		opts.Registry = prometheus.NewRegistry()
	}
	m, err := newMetrics(opts.Registry)
	if err != nil {
		return nil, fmt.Errorf("registering the load tester's metrics: %w", err)
	}
	s := &Server{opts: opts, gates: newGates(opts.Clock, opts.GateTTL), tasks: newTaskRunner(), metrics: m}
	s.handler = s.routes()
	return s, nil
}

// Handler serves the load tester's endpoints (see the package
// documentation).
func (s *Server) Handler() http.Handler { return s.handler }

// Shutdown stops the background tasks and waits for them, or for ctx.
func (s *Server) Shutdown(ctx context.Context) error {
	return s.tasks.shutdown(ctx)
}

func (s *Server) routes() http.Handler {
	mux := http.NewServeMux()
	handle := func(path string, h http.HandlerFunc) {
		counter := s.metrics.webhookReplies.MustCurryWith(prometheus.Labels{"path": path})
		mux.Handle(path, promhttp.InstrumentHandlerCounter(counter, h))
	}
	// As in Flagger, every path without a handler of its own is the webhook.
	handle("/", s.serveWebhook)
	handle("/gate/approve", func(rw http.ResponseWriter, _ *http.Request) { reply(rw, http.StatusOK, "OK") })
	handle("/gate/halt", func(rw http.ResponseWriter, _ *http.Request) { reply(rw, http.StatusForbidden, "Forbidden") })
	for _, kind := range []string{"gate", "rollback"} {
		handle("/"+kind+"/check", s.serveGate(kind, s.checkGate))
		handle("/"+kind+"/open", s.serveGate(kind, s.openGate))
		handle("/"+kind+"/close", s.serveGate(kind, s.closeGate))
	}
	mux.HandleFunc("/healthz", func(rw http.ResponseWriter, _ *http.Request) { reply(rw, http.StatusOK, "OK") })
	mux.Handle("/metrics", promhttp.HandlerFor(s.opts.Registry, promhttp.HandlerOpts{}))
	return mux
}

// Payload is the body Flagger's webhooks send.
type Payload struct {
	Name      string            `json:"name"`
	Namespace string            `json:"namespace"`
	Phase     string            `json:"phase"`
	Checksum  string            `json:"checksum,omitempty"`
	Metadata  map[string]string `json:"metadata,omitempty"`
}

// canary is the payload's canary as Flagger's load tester names it.
func (p Payload) canary() string { return p.Name + "." + p.Namespace }

// readPayload decodes the body; on failure it has replied.
func (s *Server) readPayload(rw http.ResponseWriter, r *http.Request) (Payload, bool) {
	var p Payload
	data, err := io.ReadAll(http.MaxBytesReader(rw, r.Body, maxPayload))
	if err == nil {
		err = json.Unmarshal(data, &p)
	}
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge):
		reply(rw, http.StatusRequestEntityTooLarge, fmt.Sprintf("the payload is larger than %d bytes", maxPayload))
	case err != nil:
		reply(rw, http.StatusBadRequest, "decoding the payload: "+err.Error())
	case p.Name == "" || p.Namespace == "":
		reply(rw, http.StatusBadRequest, `the payload needs the canary's "name" and "namespace"`)
	case s.opts.Namespaces != nil && !s.opts.Namespaces.MatchString(p.Namespace):
		s.opts.Log.Info("refused a call for a namespace outside -namespace-regexp", "canary", p.canary(), "path", r.URL.Path)
		reply(rw, http.StatusForbidden, "Forbidden")
	default:
		return p, true
	}
	return p, false
}

func reply(rw http.ResponseWriter, code int, body string) {
	rw.Header().Set("Content-Type", "text/plain; charset=utf-8")
	rw.WriteHeader(code)
	_, _ = io.WriteString(rw, body)
}
