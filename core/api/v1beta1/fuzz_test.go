package v1beta1

import (
	"os"
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/core/query"
)

// FuzzDecodeValidate feeds arbitrary bytes through everything a
// `fledge validate` run does with a file: Decode, UnknownFields, Documents, Validate,
// and every defaulting accessor. None of it may panic, whatever the input.
func FuzzDecodeValidate(f *testing.F) {
	for _, path := range []string{
		"testdata/podinfo-canary.yaml",
		"testdata/metrictemplate-404s.yaml",
		"../../../scenarios/manifests/podinfo-canary-404s.yaml",
	} {
		data, err := os.ReadFile(path)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
		// Broken variants: cut short, doubled, tabs for indentation.
		f.Add(data[:len(data)/2])
		f.Add([]byte(string(data) + "---\n" + string(data)))
		f.Add([]byte(strings.ReplaceAll(string(data), "  ", "\t")))
	}
	f.Add([]byte(canaryDoc + "  canaryAnalysis: {interval: 1s, sessionAffinity: {cookieName: a}}\n"))
	f.Add([]byte(canaryDoc + "  analysis: {stepWeights: [50, 10], metrics: [{name: x, thresholdRange: {}}], alerts: [{}]}\n"))
	f.Add([]byte(canaryDoc + "  autoscalerRef: {name: h, primaryScalerReplicas: {minReplicas: 0}}\n  service: {targetPort: x_y}\n"))
	f.Add([]byte(canaryDoc + "  analysis: {webhooks: [{name: w, timeout: 99999999999h, retries: 2147483647}]}\n"))
	f.Add([]byte("--- &a [*a]\n--- {apiVersion: flagger.app/v1beta1, kind: Canary, spec: null}\n"))
	f.Add([]byte("{apiVersion: flagger.app/v1beta1, kind: Canary, spec: &s {analysis: *s, service: *s}}\n"))
	f.Add([]byte(canaryDoc + "  analysis: {threshold: five, stepWeights: {a: 1}, metrics: [{name: x, thresholdRange: {min: [1]}}]}\n"))
	f.Fuzz(func(_ *testing.T, data []byte) {
		m, _ := Decode(data)
		_ = UnknownFields(data)
		for _, d := range Documents(data) {
			_, _ = d.Object()
			_ = d.LineOf("spec.analysis.metrics[0].thresholdRange.min")
			if d.Canary != nil {
				exerciseCanary(d.Canary)
			}
		}
		for i := range m.Canaries {
			exerciseCanary(&m.Canaries[i])
		}
		for i := range m.MetricTemplates {
			mt := &m.MetricTemplates[i]
			_ = mt.Validate()
			_, _ = query.Render(mt.Spec.Query, query.Model{Name: mt.Name, Namespace: mt.Namespace, Interval: "1m"})
		}
	})
}

// exerciseCanary validates c both ways and calls every accessor.
func exerciseCanary(c *Canary) {
	_, _ = c.Validate(ValidationOptions{})
	_, _ = c.Validate(ValidationOptions{NoCrossNamespaceRefs: true})
	a := c.GetAnalysis()
	_ = c.GetAnalysisInterval()
	_ = c.GetThreshold()
	_ = c.GetProgressDeadline()
	_ = c.GetProgressDeadlineSeconds()
	_ = c.GetPrimaryReadyThreshold()
	_ = c.GetCanaryReadyThreshold()
	_ = c.GetProvider(ProviderOSM)
	_ = c.GetServiceNames()
	_ = c.GetPrimaryName()
	_ = c.Spec.Service.GetPortName()
	_ = c.Spec.Service.GetTargetPort()
	for _, m := range a.Metrics {
		_ = m.GetMetricInterval()
		_ = m.IsBuiltin()
	}
	for _, w := range a.Webhooks {
		_ = w.GetTimeout()
		_ = w.GetMetadata()
		_ = w.EffectiveType()
	}
	_ = c.DeepCopy()
}
