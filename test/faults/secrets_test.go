package faults

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/adapters/prometheus"
	"github.com/fledge-canary/fledge/adapters/prometheus/promtest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
)

// planted are the credentials of the metric template's Secret; no output
// may show them in any form (they hold characters JSON, URL and HTML
// encoders change).
var planted = promtest.Credentials{
	Token: `planted/token+5be1&<x>"`, Username: "planted-user-a11c<&>", Password: `planted/pass"word+77d0`,
}

// secretStore is a SecretGetter over a map keyed by namespace/name.
type secretStore map[string]map[string][]byte

func (s secretStore) GetSecret(_ context.Context, ns, name string) (map[string][]byte, error) {
	data, ok := s[ns+"/"+name]
	if !ok {
		return nil, fmt.Errorf("secrets %q not found", name)
	}
	return data, nil
}

var store = secretStore{
	"default/bearer": {"token": []byte(planted.Token)},
	"default/basic":  {"username": []byte(planted.Username), "password": []byte(planted.Password)},
}

// withTemplateMetric replaces the builtins by one MetricTemplate metric.
func withTemplateMetric(cd *v1.Canary) {
	cd.Spec.Analysis.Metrics = []v1.CanaryMetric{{
		Name: "latency", Interval: "1m", TemplateRef: &v1.CrossNamespaceObjectReference{Name: "latency"},
		ThresholdRange: &v1.CanaryThresholdRange{Max: ptr(500.0)},
	}}
}

func metricTemplate(address, secret string) *v1.MetricTemplate {
	tmpl := &v1.MetricTemplate{}
	tmpl.Namespace, tmpl.Name = "default", "latency"
	tmpl.Spec.Query = `histogram_quantile(0.99, sum(rate(latency_bucket{namespace="{{ namespace }}"}[{{ interval }}])) by (le))`
	tmpl.Spec.Provider = v1.MetricTemplateProvider{Type: "prometheus", Address: address, SecretRef: &v1.SecretReference{Name: secret}}
	return tmpl
}

// TestSecretsNeverInOutputs sends a template's bearer token or basic-auth
// pair to every misbehaving Prometheus, including servers that echo the
// credentials back in every text an error quotes, runs the canary through
// two failed checks and the rollback, and searches every event, trace
// record and status it produced, marshalled to JSON, for the credentials.
func TestSecretsNeverInOutputs(t *testing.T) {
	faults := append(promtest.Faults(), promtest.EchoFaults()...)
	for _, f := range faults {
		for _, secret := range []string{"bearer", "basic"} {
			t.Run(f.Name+" "+secret, func(t *testing.T) {
				t.Parallel()
				h := enginetest.NewHarness(newCanary(withTemplateMetric), "podinfo:6.0.0")
				tmpl := metricTemplate(healthyPrometheus(t), secret)
				h.World.MetricTemplates["default/latency"] = tmpl
				h = startWith(t, h, prometheus.Options{Timeout: timeout(f), Secrets: store})
				advanceTo(t, h, 30)
				tmpl.Spec.Provider.Address = promtest.Serve(t, f)
				for range 3 {
					tickChecked(t, h)
				}
				if h.Canary.Status.Phase != v1.PhaseFailed {
					t.Errorf("phase %s after three faulty ticks, want Failed", h.Canary.Status.Phase)
				}
				searchOutputs(t, h)
			})
		}
	}
}

// startWith is newHarness for a harness built by the caller.
func startWith(t *testing.T, h *enginetest.Harness, opts prometheus.Options) *enginetest.Harness {
	t.Helper()
	h.World.AutoReady = true
	h.Engine.Metrics = prometheus.New(opts)
	tickChecked(t, h)
	h.World.SetTemplate("podinfo:6.0.1")
	tickChecked(t, h)
	if h.Canary.Status.Phase != v1.PhaseProgressing {
		t.Fatalf("phase %s after a new revision, want Progressing; events %q", h.Canary.Status.Phase, enginetest.Lines(h.World.Events))
	}
	return h
}

// searchOutputs marshals everything the run produced and looks for every
// form of the planted credentials and for the first half of each.
func searchOutputs(t *testing.T, h *enginetest.Harness) {
	t.Helper()
	outputs := map[string]any{
		"events": h.World.Events, "trace": h.Log, "status": h.Canary.Status, "stored status": h.World.Stored,
	}
	failed := false
	for name, out := range outputs {
		js, err := json.Marshal(out)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range planted.Forms() {
			if half := s[:len(s)/2]; strings.Contains(string(js), half) {
				t.Errorf("the %s show %q (or its first half)", name, s)
				failed = true
			}
		}
	}
	if failed {
		t.Logf("events: %.2000q", enginetest.Lines(h.World.Events))
	}
}
