package scenario

import (
	"fmt"
	"strconv"
	"time"

	"go.yaml.in/yaml/v3"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Version is the scenario format this package reads.
const Version = "fledge.dev/scenario/v1"

// Scenario is one scenario file.
type Scenario struct {
	Version     string `yaml:"version"`
	Name        string `yaml:"name"`
	Description string `yaml:"description"`
	// Seed makes the traffic model's randomness reproducible.
	Seed uint64 `yaml:"seed"`
	// Canary is a path to a manifest (relative to the scenario) or an inline Canary.
	Canary Manifest `yaml:"canary"`
	// MetricTemplates are paths or inline MetricTemplates.
	MetricTemplates []Manifest `yaml:"metricTemplates"`
	Cluster         Cluster    `yaml:"cluster"`
	// Traffic sources running from the start (unless they say from).
	Traffic []Traffic `yaml:"traffic"`
	// Regression is how the new version serves worse than the old: it
	// changes every answer the canary Deployment gives, from any source.
	Regression Regression       `yaml:"regression"`
	Webhooks   map[string]Reply `yaml:"webhooks"`
	Actions    []Action         `yaml:"actions"`
	// Until bounds the run in virtual time after the start (default 1h).
	Until  Duration `yaml:"until"`
	Expect Expect   `yaml:"expect"`

	// File is where the scenario was read from.
	File string `yaml:"-"`
	root *yaml.Node
}

// Cluster describes the target Deployment and how fast it rolls out.
type Cluster struct {
	// Image is the target's image at the start, e.g. ghcr.io/stefanprodan/podinfo:6.0.0.
	Image string `yaml:"image"`
	// Container is the name of the target's container (default podinfod).
	Container string `yaml:"container"`
	// Replicas of the target (default 1).
	Replicas int32 `yaml:"replicas"`
	// ReadyAfter is how long a Deployment takes to roll out after a change (default 10s).
	ReadyAfter Duration `yaml:"readyAfter"`
	// ProgressDeadline is the target Deployment's own
	// progressDeadlineSeconds (default 600s, as Kubernetes').
	ProgressDeadline Duration `yaml:"progressDeadline"`
	// MetricsServer is the controller's -metrics-server (default the OSM one).
	MetricsServer string `yaml:"metricsServer"`
}

// Traffic is a source of requests.
type Traffic struct {
	Name string `yaml:"name"`
	// Target is apex, canary or primary.
	Target string  `yaml:"target"`
	RPS    float64 `yaml:"rps"`
	// Codes maps status codes to their share of responses (default all 200).
	Codes   map[int]float64 `yaml:"codes"`
	Latency Latency         `yaml:"latency"`
	From    Duration        `yaml:"from"`
	Until   Duration        `yaml:"until"`
}

// Regression is a share of the canary's answers turned into error codes
// and a delay added to all of them.
type Regression struct {
	// Codes maps a status code to the share of the canary's answers that
	// become that code, e.g. {500: 0.02}: 2% more 500s.
	Codes map[int]float64 `yaml:"codes"`
	// Delay is added to every answer of the canary.
	Delay Duration `yaml:"delay"`
}

// Latency is a response-time distribution: log-normal through p50 and
// p99, or a fixed delay added to it.
type Latency struct {
	P50   Duration `yaml:"p50"`
	P99   Duration `yaml:"p99"`
	Delay Duration `yaml:"delay"`
}

// Reply is a webhook's answer: "pass", "fail" or "fail: <body>".
type Reply string

// Action is one step of the timeline. Exactly one of its verbs is set.
type Action struct {
	At Duration `yaml:"at"`
	// Run is a command from the tutorial: kubectl set image, watch curl, hey.
	Run string `yaml:"run"`
	// Stop ends the traffic of a source (by name) or of a run command.
	Stop string `yaml:"stop"`
	// SetImage is CONTAINER=IMAGE for the target, as kubectl set image.
	SetImage string `yaml:"setImage"`
	// Traffic starts a traffic source.
	Traffic *Traffic `yaml:"traffic"`
	// Webhook changes a webhook's answer from now on.
	Webhook *WebhookAnswer `yaml:"webhook"`
	// Metric scripts what a named metric returns from now on.
	Metric *MetricValue `yaml:"metric"`
	// Stall makes the canary or primary Deployment stop rolling out.
	Stall string `yaml:"stall"`
	// Apply changes the Canary, as kubectl apply would: a file holding the
	// whole Canary (relative to the scenario), or inline, a JSON merge patch
	// of the Canary as it stands (e.g. {spec: {analysis: {mirror: true}}}).
	Apply *Manifest `yaml:"apply"`
	// Delete deletes the Canary ("canary"): its finalizer runs, if it has
	// one, and the run ends once the Canary is gone.
	Delete string `yaml:"delete"`

	// applied is the Canary as Apply leaves it, resolved when loaded.
	applied *v1.Canary
}

// Applied is the Canary as an apply action leaves it (nil for other verbs).
func (a Action) Applied() *v1.Canary { return a.applied }

// WebhookAnswer sets a webhook's reply.
type WebhookAnswer struct {
	Name  string `yaml:"name"`
	Reply Reply  `yaml:"reply"`
}

// MetricValue scripts a metric: a value, no data, or back to the traffic model.
type MetricValue struct {
	Name   string   `yaml:"name"`
	Value  *float64 `yaml:"value"`
	NoData bool     `yaml:"noData"`
	Model  bool     `yaml:"model"`
}

// Expect is the outcome a scenario asserts.
type Expect struct {
	Phase string `yaml:"phase"`
	// Weights are the canary weights the router was set to, in order.
	Weights []int `yaml:"weights"`
	// Events are the event messages from the start on, in order.
	Events []string `yaml:"events"`
	// Match is "exact" (default: Events is the whole list) or "subsequence".
	Match        string    `yaml:"match"`
	FailedChecks *int      `yaml:"failedChecks"`
	MaxDuration  Duration  `yaml:"maxDuration"`
	Bootstrap    *[]string `yaml:"bootstrapEvents"`
	// Alerts are the alerts sent from the canary's creation on, in order,
	// each as sim.AlertLine writes it: "[error] MESSAGE -> RECEIVERS".
	Alerts []string `yaml:"alerts"`
}

// Duration is a time.Duration written as "30s" or "2m30s".
type Duration time.Duration

// UnmarshalYAML reads a Go duration string.
func (d *Duration) UnmarshalYAML(n *yaml.Node) error {
	v, err := time.ParseDuration(n.Value)
	if err != nil || n.Kind != yaml.ScalarNode {
		value := strconv.Quote(n.Value)
		if n.Kind != yaml.ScalarNode {
			value = n.ShortTag()
		}
		// A TypeError lets the decoder go on and report every problem.
		return &yaml.TypeError{Errors: []string{fmt.Sprintf("line %d: %s is not a duration such as 30s or 2m30s", n.Line, value)}}
	}
	*d = Duration(v)
	return nil
}

// D is the duration as a time.Duration.
func (d Duration) D() time.Duration { return time.Duration(d) }
