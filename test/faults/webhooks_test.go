package faults

import (
	"fmt"
	"testing"

	"github.com/fledge-canary/fledge/adapters/webhook"
	"github.com/fledge-canary/fledge/adapters/webhook/hooktest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine/enginetest"
)

// hookRun is one hook type's scenario against a receiver: the harness has
// the canary with the hook, at Initialized; f and url say what the hook
// answers. It asserts what Flagger does for that type (docs/flagger-compatibility.md, Hooks).
type hookRun func(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string)

// TestHookFaults gives a hook of every type a receiver that misbehaves in
// every way of the catalogue, through the real webhook adapter. Each call
// ends within the hook's timeout (the adapter's error says so; nothing is
// measured), and the canary does what Flagger does for that type when
// the hook fails, and when it passes (a huge 200).
func TestHookFaults(t *testing.T) {
	runs := map[v1.HookType]hookRun{
		v1.ConfirmRolloutHook: confirmRollout, v1.PreRolloutHook: preRollout, v1.RolloutHook: rollout,
		v1.ConfirmTrafficIncreaseHook: confirmTrafficIncrease, v1.ConfirmPromotionHook: confirmPromotion,
		v1.PostRolloutHook: postRollout, v1.RollbackHook: rollbackHook,
	}
	for typ, run := range runs {
		for _, f := range hooktest.Faults() {
			t.Run(fmt.Sprintf("%s %s", typ, f.Name), func(t *testing.T) {
				t.Parallel()
				url := hooktest.Serve(t, f)
				hook := v1.CanaryWebhook{Name: "hook", Type: typ, URL: url}
				hook.Timeout = "1m" // no fault may time out on a loaded machine
				if f.HookTimeout != "" {
					hook.Timeout = f.HookTimeout
				}
				cd := newCanary(func(cd *v1.Canary) { cd.Spec.Analysis.Webhooks = []v1.CanaryWebhook{hook} })
				h := enginetest.NewHarness(cd, "podinfo:6.0.0")
				h.World.AutoReady = true
				h.World.Values[v1.BuiltinSuccessRate], h.World.Values[v1.BuiltinDuration] = 100, 100
				h.Engine.Webhooks = webhook.New(webhook.Options{})
				tickChecked(t, h)
				h.World.SetTemplate("podinfo:6.0.1")
				run(t, h, f, url)
				checkHookErrors(t, h, f, url)
			})
		}
	}
}

// checkHookErrors: every call the trace recorded has the fault's outcome.
func checkHookErrors(t *testing.T, h *enginetest.Harness, f hooktest.Fault, url string) {
	t.Helper()
	calls := 0
	for _, rec := range h.Log {
		for _, c := range rec.Hooks {
			calls++
			if c.Passed != (f.Err == "") || (f.Err != "" && !f.Match(c.Error, "", url)) {
				t.Errorf("hook call passed=%v error %.300q, want %.300q", c.Passed, c.Error, f.Err)
			}
		}
	}
	if calls == 0 {
		t.Error("the hook was never called")
	}
}

// expectEvents checks the events of a tick: want, in which "%s" is the
// hook's error text for the fault.
func expectEvents(t *testing.T, got []string, f hooktest.Fault, url string, want ...string) {
	t.Helper()
	ok := len(got) == len(want)
	for i := 0; ok && i < len(want); i++ {
		prefix, rest, hasErr := cutVerb(want[i])
		if hasErr {
			ok = rest == "" && f.Match(got[i], prefix, url)
		} else {
			ok = got[i] == want[i]
		}
	}
	if !ok {
		t.Errorf("events %.600q\nwant %.600q with %%s = %.200q", got, want, f.Err)
	}
}

func cutVerb(s string) (before, after string, found bool) {
	for i := 0; i+1 < len(s); i++ {
		if s[i] == '%' && s[i+1] == 's' {
			return s[:i], s[i+2:], true
		}
	}
	return s, "", false
}

func checkState(t *testing.T, h *enginetest.Harness, phase v1.CanaryPhase, weight, failedChecks int, primary string) {
	t.Helper()
	st := h.Canary.Status
	if st.Phase != phase || h.World.Split.Canary != weight || st.FailedChecks != failedChecks || h.World.Primary.Template != primary {
		t.Errorf("phase %s, weight %d, failedChecks %d, primary %s; want %s, %d, %d, %s",
			st.Phase, h.World.Split.Canary, st.FailedChecks, h.World.Primary.Template, phase, weight, failedChecks, primary)
	}
}
