package controller

import (
	"github.com/go-logr/logr"

	"github.com/fledge-canary/fledge/adapters/webhook"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// eventHooks sends every event to the canary's `type: event` webhooks, or
// to the controller's -event-webhook when the canary has none, in the
// background so that a slow receiver never stalls a tick.
type eventHooks struct {
	sender *webhook.EventSender
	global string
	log    logr.Logger
}

var _ EventSink = (*eventHooks)(nil)

func (h *eventHooks) Send(cd *v1.Canary, e engine.Event) {
	var hooks []v1.CanaryWebhook
	for _, w := range cd.GetAnalysis().Webhooks {
		if w.Type == v1.EventHook {
			hooks = append(hooks, w)
		}
	}
	if len(hooks) == 0 && h.global != "" {
		hooks = append(hooks, webhook.GlobalHook(h.global))
	}
	base := engine.Payload{Name: cd.Name, Namespace: cd.Namespace, Phase: cd.Status.Phase, Checksum: engine.Checksum(cd.Status)}
	for _, hook := range hooks {
		if !h.sender.Send(hook, webhook.EventPayload(base, hook, e)) {
			h.log.Info("event webhook queue full: event dropped", "canary", cd.Name+"."+cd.Namespace, "webhook", hook.Name)
		}
	}
}
