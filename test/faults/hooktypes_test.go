package faults

import (
	"testing"

	"github.com/fledge-canary/fledge/adapters/webhook/hooktest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
)

const (
	old, next = "podinfo:6.0.0", "podinfo:6.0.1"
	starting  = "Normal Starting canary analysis for podinfo.default"
)

// confirmRollout: a failing gate keeps the canary Waiting, counts nothing
// and starts nothing; a passing one lets the revision start.
func confirmRollout(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string) {
	events := tickChecked(t, h)
	if f.Err == "" {
		expectEvents(t, events, f, url, "Normal Confirm-rollout check hook passed", "Normal New revision detected! Scaling up podinfo.default")
		checkState(t, h, v1.PhaseProgressing, 0, 0, old)
		return
	}
	expectEvents(t, events, f, url, "Warning Halt podinfo.default advancement waiting for approval hook")
	expectEvents(t, tickChecked(t, h), f, url)
	checkState(t, h, v1.PhaseWaiting, 0, 0, old)
}

// preRollout: a failing check halts the start and counts a failed check,
// with no metric evaluated.
func preRollout(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string) {
	tickChecked(t, h)
	events := tickChecked(t, h)
	if f.Err == "" {
		expectEvents(t, events, f, url, starting, "Normal Pre-rollout check hook passed", "Normal Advance podinfo.default canary weight 10")
		checkState(t, h, v1.PhaseProgressing, 10, 0, old)
		return
	}
	expectEvents(t, events, f, url, starting, "Warning Halt podinfo.default advancement pre-rollout check hook failed %s")
	checkState(t, h, v1.PhaseProgressing, 0, 1, old)
	if len(h.World.Queries) != 0 {
		t.Errorf("%d metric queries after a failed pre-rollout check", len(h.World.Queries))
	}
}

// rollout: a failing load-test hook counts a failed check before any
// metric, holding the weight.
func rollout(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string) {
	tickChecked(t, h)
	tickChecked(t, h) // weight 0 to 10: rollout hooks run from the next tick
	queries := len(h.World.Queries)
	events := tickChecked(t, h)
	if f.Err == "" {
		expectEvents(t, events, f, url, "Normal Advance podinfo.default canary weight 20")
		checkState(t, h, v1.PhaseProgressing, 20, 0, old)
		return
	}
	expectEvents(t, events, f, url, "Warning Halt podinfo.default advancement external check hook failed %s")
	checkState(t, h, v1.PhaseProgressing, 10, 1, old)
	if len(h.World.Queries) != queries {
		t.Errorf("metrics queried after a failed rollout hook")
	}
}

// confirmTrafficIncrease: a refusal holds the weight and counts nothing.
func confirmTrafficIncrease(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string) {
	tickChecked(t, h)
	events := tickChecked(t, h)
	if f.Err == "" {
		expectEvents(t, events, f, url, starting, "Normal Confirm-traffic-increase check hook passed", "Normal Advance podinfo.default canary weight 10")
		checkState(t, h, v1.PhaseProgressing, 10, 0, old)
		return
	}
	expectEvents(t, events, f, url, starting, "Warning Halt podinfo.default advancement waiting for traffic increase approval hook")
	checkState(t, h, v1.PhaseProgressing, 0, 0, old)
}

// confirmPromotion: at the last step a refusal waits for promotion, on
// every tick, without promoting or counting.
func confirmPromotion(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string) {
	tickChecked(t, h)
	advanceTo(t, h, 30)
	events := tickChecked(t, h)
	if f.Err == "" {
		expectEvents(t, events, f, url, "Normal Confirm-promotion check hook passed", "Normal Copying podinfo.default template spec to podinfo-primary.default")
		checkState(t, h, v1.PhasePromoting, 30, 0, next)
		return
	}
	expectEvents(t, events, f, url, "Warning Halt podinfo.default advancement waiting for promotion approval hook")
	tickChecked(t, h)
	checkState(t, h, v1.PhaseWaitingPromotion, 30, 0, old)
}

// postRollout: a failure is reported and the promotion stands.
func postRollout(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string) {
	for range 8 {
		tickChecked(t, h)
		if h.Canary.Status.Phase == v1.PhaseSucceeded {
			break
		}
	}
	events := enginetest.Lines(lastRecord(h).Events)
	want := "Warning Post-rollout hook hook failed %s"
	if f.Err == "" {
		want = "Normal Post-rollout check hook passed"
	}
	expectEvents(t, events, f, url, want, "Normal Promotion completed! Scaling down podinfo.default")
	if st := h.Canary.Status; st.Phase != v1.PhaseSucceeded || h.World.Primary.Template != next || h.World.Split.Canary != 0 {
		t.Errorf("phase %s, primary %s, weight %d; want Succeeded, %s, 0", st.Phase, h.World.Primary.Template, h.World.Split.Canary, next)
	}
}

// rollbackHook: a failing rollback hook signals nothing and the analysis
// goes on; a 2xx, even with a huge body, rolls back.
func rollbackHook(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string) {
	tickChecked(t, h)
	events := tickChecked(t, h)
	if f.Err == "" {
		expectEvents(t, events, f, url, "Warning Rollback check hook passed",
			"Warning Rolling back podinfo.default manual webhook invoked", "Warning Canary failed! Scaling down podinfo.default")
		checkState(t, h, v1.PhaseFailed, 0, 0, old)
		return
	}
	expectEvents(t, events, f, url, "Normal Rollback hook hook not signaling a rollback", starting, "Normal Advance podinfo.default canary weight 10")
	checkState(t, h, v1.PhaseProgressing, 10, 0, old)
}
