package engine

import (
	"context"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

func (t *tick) hooksOf(typ v1.HookType) []v1.CanaryWebhook {
	var hooks []v1.CanaryWebhook
	for _, h := range t.a.Webhooks {
		if h.EffectiveType() == typ {
			hooks = append(hooks, h)
		}
	}
	return hooks
}

// callHook calls one webhook, telling it phase; nil means it passed.
func (t *tick) callHook(ctx context.Context, hook v1.CanaryWebhook, phase v1.CanaryPhase) error {
	p := Payload{
		Name: t.cd.Name, Namespace: t.ns(), Phase: phase,
		Checksum: Checksum(t.st), Metadata: hook.GetMetadata(),
	}
	if len(p.Metadata) == 0 {
		p.Metadata = nil
	}
	err := t.e.Webhooks.Call(ctx, hook, p)
	call := HookCall{Name: hook.Name, Type: hook.EffectiveType(), Phase: phase, Passed: err == nil}
	if err != nil {
		call.Error = err.Error()
	}
	t.rec.Hooks = append(t.rec.Hooks, call)
	return err
}

// runGate runs the hooks of a gate type in order, recording passedFormat
// for each pass, and stops at the first refusal, returning that hook.
func (t *tick) runGate(ctx context.Context, typ v1.HookType, phase v1.CanaryPhase, passedFormat string) (v1.CanaryWebhook, bool) {
	for _, hook := range t.hooksOf(typ) {
		if t.callHook(ctx, hook, phase) != nil {
			return hook, false
		}
		t.normal(passedFormat, hook.Name)
	}
	return v1.CanaryWebhook{}, true
}

func (t *tick) runPreRollout(ctx context.Context) bool {
	for _, hook := range t.hooksOf(v1.PreRolloutHook) {
		if err := t.callHook(ctx, hook, v1.PhaseProgressing); err != nil {
			t.warning("Halt %s.%s advancement pre-rollout check %s failed %v", t.canaryName(), t.ns(), hook.Name, err)
			return false
		}
		t.normal("Pre-rollout check %s passed", hook.Name)
	}
	return true
}

func (t *tick) runRolloutHooks(ctx context.Context) bool {
	for _, hook := range t.hooksOf(v1.RolloutHook) {
		if err := t.callHook(ctx, hook, v1.PhaseProgressing); err != nil {
			t.warning("Halt %s.%s advancement external check %s failed %v", t.canaryName(), t.ns(), hook.Name, err)
			return false
		}
	}
	return true
}

// runPostRollout runs the post-rollout hooks; a failure stops the others
// but does not change the outcome.
func (t *tick) runPostRollout(ctx context.Context, phase v1.CanaryPhase) {
	for _, hook := range t.hooksOf(v1.PostRolloutHook) {
		if err := t.callHook(ctx, hook, phase); err != nil {
			t.warning("Post-rollout hook %s failed %v", hook.Name, err)
			return
		}
		t.normal("Post-rollout check %s passed", hook.Name)
	}
}
