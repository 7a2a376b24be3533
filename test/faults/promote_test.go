package faults

import (
	"context"
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/adapters/prometheus"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// changingGate is a confirm-promotion hook during which the user changes
// the target (kubectl set image while the last analysis tick runs).
type changingGate struct {
	engine.Webhooks
	change func()
}

func (g changingGate) Call(ctx context.Context, hook v1.CanaryWebhook, p engine.Payload) error {
	if hook.Type == v1.ConfirmPromotionHook && g.change != nil {
		g.change()
	}
	return g.Webhooks.Call(ctx, hook, p)
}

// TestRevisionChangedDuringThePromotionTick: a target changed after the
// tick observed it is never copied to the primary. The tick ends with a
// Warning, the next one starts the new revision's analysis, and the primary
// keeps the promoted revision until that one passes.
func TestRevisionChangedDuringThePromotionTick(t *testing.T) {
	cd := newCanary(func(cd *v1.Canary) {
		cd.Spec.Analysis.Webhooks = []v1.CanaryWebhook{{Name: "gate", Type: v1.ConfirmPromotionHook, URL: "http://gate/"}}
	})
	h := newHarness(t, cd, prometheus.Options{})
	advanceTo(t, h, 30)
	gate := &changingGate{Webhooks: h.Engine.Webhooks}
	gate.change = func() { h.World.SetTemplate("podinfo:6.0.2"); gate.change = nil }
	h.Engine.Webhooks = gate
	events := tickChecked(t, h)
	want := "deployment podinfo.default not promoted: pod template changed after the analysis"
	if !strings.Contains(strings.Join(events, "\n"), want) {
		t.Fatalf("events of the promotion tick %q, want a Warning %q", events, want)
	}
	if got := h.World.Primary.Template; got != "podinfo:6.0.0" {
		t.Fatalf("the primary runs %s, want podinfo:6.0.0 (the last promoted)", got)
	}
	tickChecked(t, h)
	if h.Canary.Status.Phase != v1.PhaseProgressing || h.Canary.Status.LastAppliedSpec != "podinfo:6.0.2" {
		t.Errorf("after the refusal: phase %s, applied %s; want Progressing with podinfo:6.0.2",
			h.Canary.Status.Phase, h.Canary.Status.LastAppliedSpec)
	}
	if h.World.Primary.Template != "podinfo:6.0.0" || h.World.Split.Primary != v1.TotalWeight {
		t.Errorf("primary %s with %d%%, want podinfo:6.0.0 with all traffic", h.World.Primary.Template, h.World.Split.Primary)
	}
}
