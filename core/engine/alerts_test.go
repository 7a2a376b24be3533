package engine_test

import (
	"errors"
	"fmt"
	"strings"
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/core/engine/enginetest"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"
)

// sentAlerts is an Alerts port that keeps what it is sent.
type sentAlerts struct{ got []engine.Alert }

func (s *sentAlerts) Send(a engine.Alert) { s.got = append(s.got, a) }

var _ engine.Alerts = (*sentAlerts)(nil)

// alertLines renders alerts as "severity message -> receivers".
func alertLines(alerts []engine.Alert) []string {
	out := []string{}
	for _, a := range alerts {
		to := "global"
		if !a.Global {
			names := make([]string, len(a.Receivers))
			for i, r := range a.Receivers {
				names[i] = r.Name + "@" + r.Provider + "." + r.ProviderNamespace
			}
			to = strings.Join(names, ",")
		}
		out = append(out, fmt.Sprintf("%s %s -> %s", a.Severity, a.Message, to))
	}
	return out
}

func withAlerts(alerts ...v1.CanaryAlert) func(*v1.Canary) {
	return withAnalysis(func(a *v1.CanaryAnalysis) { a.Alerts = alerts })
}

func alertTo(name, severity, provider, namespace string) v1.CanaryAlert {
	return v1.CanaryAlert{Name: name, Severity: severity,
		ProviderRef: v1.CrossNamespaceObjectReference{Name: provider, Namespace: namespace}}
}

var _ = Describe("Alerts", func() {
	It("alerts a threshold rollback to the receivers whose severity takes each alert", func() {
		cd := newCanary(withAlerts(
			alertTo("all", "info", "slack", ""),
			alertTo("on-call", "error", "pager", "ops"),
			alertTo("warnings", "warn", "teams", ""),
		))
		sent := &sentAlerts{}
		h := enginetest.NewHarness(cd, "podinfo:6.0.0")
		h.Engine.Alerts = sent
		h.World.AutoReady = true
		healthy(h)
		h.Tick()
		h.World.SetTemplate("podinfo:6.0.1")
		h.Tick()
		h.Tick() // starting, weight 10
		h.World.Values[v1.BuiltinSuccessRate] = 50
		h.Tick()
		h.Tick()
		h.Tick() // rollback
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseFailed))
		Expect(alertLines(sent.got)).To(Equal([]string{
			"info New Deployment detected, initialization completed. -> all@slack.default",
			"info New revision detected, progressing canary analysis. -> all@slack.default",
			"error Failed checks threshold reached 2 -> all@slack.default,on-call@pager.ops,warnings@teams.default",
		}))
		Expect(sent.got[0].Fields).To(Equal([]engine.AlertField{
			{Name: "Target", Value: "Deployment/podinfo.default"},
			{Name: "Failed checks threshold", Value: "2"},
			{Name: "Progress deadline", Value: "600s"},
			{Name: "Traffic routing", Value: "Weight step: 10 max: 30"},
		}))
		Expect(sent.got[2].Fields).To(BeEmpty(), "only the announcements carry the metadata")
		Expect(sent.got[2].Time).To(Equal(h.Log[5].Time))
		Expect(alertLines(h.Log[5].Alerts)).To(Equal(alertLines(sent.got[2:])), "the trace records what was sent")
	})

	It("sends to the global notifier, with the cluster name, only when there is one", func() {
		for _, global := range []bool{false, true} {
			sent := &sentAlerts{}
			h := enginetest.NewHarness(newCanary(), "podinfo:6.0.0")
			h.Engine.Alerts = sent
			h.Engine.Config.GlobalAlerts, h.Engine.Config.ClusterName = global, "prod-eu"
			h.World.AutoReady = true
			h.Tick()
			if !global {
				Expect(sent.got).To(BeEmpty())
				Expect(h.Log[0].Alerts).To(BeEmpty())
				continue
			}
			Expect(alertLines(sent.got)).To(Equal([]string{"info New Deployment detected, initialization completed. -> global"}))
			Expect(sent.got[0].Fields[0]).To(Equal(engine.AlertField{Name: "Cluster", Value: "prod-eu"}))
			Expect(sent.got[0].Fields).To(HaveLen(5))
		}
	})

	It("alerts a waiting gate once, on entry, unless the hook mutes its alerts", func() {
		for _, muted := range []bool{false, true} {
			cd := newCanary(withAlerts(alertTo("all", "warn", "slack", "")), withHook(v1.ConfirmRolloutHook, "gate"))
			cd.Spec.Analysis.Webhooks[0].MuteAlert = muted
			sent := &sentAlerts{}
			h := enginetest.NewHarness(cd, "podinfo:6.0.0")
			h.Engine.Alerts = sent
			h.World.AutoReady = true
			h.Tick()
			h.World.Hooks["gate"] = errors.New("Forbidden")
			h.World.SetTemplate("podinfo:6.0.1")
			h.Tick()
			h.Tick()
			Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseWaiting))
			want := []string{"warn Canary is waiting for approval. -> all@slack.default"}
			if muted {
				want = []string{}
			}
			Expect(alertLines(sent.got)).To(Equal(want), "muteAlert=%v", muted)
		}
	})

	It("alerts a traffic-increase gate on every refusal, and a manual rollback", func() {
		cd := newCanary(withAlerts(alertTo("all", "info", "slack", "")),
			withHook(v1.ConfirmTrafficIncreaseHook, "more"), withHook(v1.RollbackHook, "rb"))
		h := bootstrapped(cd)
		h.World.Hooks["more"] = errors.New("Forbidden")
		h.World.Hooks["rb"] = errors.New("Forbidden")
		h.Tick()
		h.Tick()
		h.World.Hooks["rb"] = nil
		h.Tick()
		var got []engine.Alert
		for _, r := range h.Log[2:] {
			got = append(got, r.Alerts...)
		}
		Expect(alertLines(got)).To(Equal([]string{
			"warn Canary traffic increase is waiting for approval. -> all@slack.default",
			"warn Canary traffic increase is waiting for approval. -> all@slack.default",
			"warn Rolling back manual webhook invoked -> all@slack.default",
		}))
	})

	It("alerts a promotion", func() {
		h := bootstrapped(newCanary(withAlerts(alertTo("all", "info", "slack", ""))))
		for range 6 {
			h.Tick()
		}
		Expect(h.Canary.Status.Phase).To(Equal(v1.PhaseSucceeded))
		Expect(alertLines(h.Log[len(h.Log)-1].Alerts)).To(Equal([]string{
			"info Canary analysis completed successfully, promotion finished. -> all@slack.default",
		}))
	})
})

func TestReceives(t *testing.T) {
	cases := []struct {
		receiver string
		takes    map[string]bool
	}{
		{"info", map[string]bool{"info": true, "warn": true, "error": true}},
		{"", map[string]bool{"info": true, "warn": true, "error": true}},
		{"warn", map[string]bool{"info": false, "warn": true, "error": true}},
		{"error", map[string]bool{"info": false, "warn": false, "error": true}},
	}
	for _, tc := range cases {
		for alert, want := range tc.takes {
			if got := engine.Receives(tc.receiver, alert); got != want {
				t.Errorf("Receives(%q, %q) = %v, want %v", tc.receiver, alert, got, want)
			}
		}
	}
}

func TestAlertMetadataRouting(t *testing.T) {
	cases := []struct {
		name     string
		analysis func(*v1.CanaryAnalysis)
		want     string
	}{
		{"step weight, max unset", func(a *v1.CanaryAnalysis) { a.MaxWeight = 0 }, "Weight step: 10 max: 100"},
		{"step weights", func(a *v1.CanaryAnalysis) { a.StepWeight, a.StepWeights = 0, []int{5, 25, 60} }, "Weight steps: 5,25,60 max: 60"},
		{"blue/green", func(a *v1.CanaryAnalysis) { a.StepWeight, a.Iterations = 0, 10 }, "Blue/Green"},
		{"none", func(a *v1.CanaryAnalysis) { a.StepWeight = 0 }, ""},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			fields := engine.AlertMetadata(newCanary(withAnalysis(tc.analysis)))
			got := ""
			if len(fields) == 4 {
				got = fields[3].Value
			}
			if got != tc.want || (tc.want == "" && len(fields) != 3) {
				t.Errorf("Traffic routing = %q (%d fields), want %q", got, len(fields), tc.want)
			}
		})
	}
}
