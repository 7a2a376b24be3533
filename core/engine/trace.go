package engine

import (
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// EventType is the Kubernetes event type: Normal or Warning.
type EventType string

// The two Kubernetes event types.
const (
	Normal  EventType = "Normal"
	Warning EventType = "Warning"
)

// Level is the log level Flagger uses for an event: a Warning event may be
// logged at info (a halted check) or at error (a failing query).
type Level string

// The log levels of events.
const (
	LevelInfo  Level = "info"
	LevelError Level = "error"
)

// Event is one event of a tick.
type Event struct {
	Time    time.Time `json:"time"`
	Type    EventType `json:"type"`
	Level   Level     `json:"level"`
	Message string    `json:"message"`
	// Phase is the phase event webhooks are told: the canary's phase, or
	// the phase the event announces ("Scaling up", "Promotion completed",
	// "Canary failed").
	Phase v1.CanaryPhase `json:"phase"`
}

// HookCall is one webhook call of a tick and its outcome.
type HookCall struct {
	Name   string         `json:"name"`
	Type   v1.HookType    `json:"type"`
	Phase  v1.CanaryPhase `json:"phase"`
	Passed bool           `json:"passed"`
	Error  string         `json:"error,omitempty"`
}

// Record is the trace of one tick: when it ran, where the canary stood
// before and after, the routes it left, every check with its verdict, every
// hook call, every event, and why the tick ended where it did.
type Record struct {
	Time         time.Time        `json:"time"`
	Canary       string           `json:"canary"`
	PhaseBefore  v1.CanaryPhase   `json:"phaseBefore"`
	Phase        v1.CanaryPhase   `json:"phase"`
	Routes       *decide.Routes   `json:"routes,omitempty"`
	CanaryWeight int              `json:"canaryWeight"`
	FailedChecks int              `json:"failedChecks"`
	Iterations   int              `json:"iterations"`
	Checks       []decide.Verdict `json:"checks,omitempty"`
	Hooks        []HookCall       `json:"hooks,omitempty"`
	Events       []Event          `json:"events,omitempty"`
	Alerts       []Alert          `json:"alerts,omitempty"`
	// Reason says why the tick ended where it did, for programs; Decision
	// says the same in a few words, with its details, for people.
	Reason   Reason `json:"reason"`
	Decision string `json:"decision"`
}
