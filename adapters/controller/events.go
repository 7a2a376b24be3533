package controller

import (
	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// EventReason is the reason of every event, as Flagger's.
const EventReason = "Synced"

// EventSink receives events for event webhooks; nil disables them.
type EventSink interface {
	Send(cd *v1.Canary, e engine.Event)
}

// recorder turns the engine's events into Kubernetes Events (reason Synced,
// from component fledge), JSON log lines with the message in msg and the
// canary in canary, and event-webhook calls.
type recorder struct {
	events *eventWriter
	log    logr.Logger
	sink   EventSink
}

var _ engine.Recorder = (*recorder)(nil)

func (r *recorder) Record(cd *v1.Canary, e engine.Event) {
	log := r.log.WithValues("canary", cd.Name+"."+cd.Namespace)
	if e.Level == engine.LevelError {
		log.Error(nil, e.Message)
	} else {
		log.Info(e.Message)
	}
	typ := corev1.EventTypeNormal
	if e.Type == engine.Warning {
		typ = corev1.EventTypeWarning
	}
	r.events.Event(cd, typ, EventReason, e.Message)
	if r.sink != nil {
		r.sink.Send(cd, e)
	}
}
