package enginetest

import (
	"context"
	"fmt"
	"slices"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Epoch is the virtual time of a harness' first tick.
var Epoch = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

// Harness ticks one Canary through a World, feeding each written status to
// the next tick, in virtual time that moves by the canary's interval.
type Harness struct {
	World  *World
	Engine *engine.Engine
	Canary *v1.Canary
	Now    time.Time
	Log    []engine.Record
}

// NewHarness wires an engine to a fresh world whose target runs template.
func NewHarness(cd *v1.Canary, template string) *Harness {
	w := NewWorld(template)
	h := &Harness{World: w, Canary: cd.DeepCopy(), Now: Epoch}
	w.Finalizers = slices.Clone(cd.Finalizers)
	h.Engine = &engine.Engine{
		Workload: w, Router: w, Metrics: w, Templates: w, Webhooks: w, Status: w, Finalizers: w, Events: w,
		Config: engine.Config{MeshProvider: v1.ProviderOSM, MetricsServer: "http://prometheus:9090"},
	}
	return h
}

// Tick runs one tick at the current virtual time, then moves the clock on
// by the interval. It returns the lines of the events the tick recorded.
func (h *Harness) Tick() []string {
	before := len(h.World.Events)
	res, err := h.Engine.Tick(context.Background(), h.Canary, h.Now)
	if err == nil {
		h.Canary.Status = res.Status
	}
	h.Canary.Finalizers = slices.Clone(h.World.Finalizers)
	h.Log = append(h.Log, res.Record)
	h.Now = h.Now.Add(res.RequeueAfter)
	return Lines(h.World.Events[before:])
}

// Lines renders events as "Normal <message>" / "Warning <message>".
func Lines(events []engine.Event) []string {
	lines := make([]string, len(events))
	for i, e := range events {
		lines[i] = fmt.Sprintf("%s %s", e.Type, e.Message)
	}
	return lines
}

// Weights returns the canary weight of every routes write, in order.
func (h *Harness) Weights() []int {
	ws := make([]int, len(h.World.RouteLog))
	for i, r := range h.World.RouteLog {
		ws[i] = r.Canary
	}
	return ws
}

// Refuse refuses the canary's spec for errs at the current virtual time, as
// the controller does with a spec that does not validate, and returns the
// lines of the events recorded.
func (h *Harness) Refuse(errs v1.FieldErrors) ([]string, engine.Result, error) {
	return h.call(func() (engine.Result, error) {
		return h.Engine.Refuse(context.Background(), h.Canary, errs, h.Now)
	})
}

// Finalize runs the finalizer of the canary, which must be deleted, at the
// current virtual time, and returns the lines of the events recorded. The
// clock moves on by the result's RequeueAfter.
func (h *Harness) Finalize() ([]string, engine.Result, error) {
	return h.call(func() (engine.Result, error) {
		return h.Engine.Finalize(context.Background(), h.Canary, h.Now)
	})
}

func (h *Harness) call(f func() (engine.Result, error)) ([]string, engine.Result, error) {
	before := len(h.World.Events)
	res, err := f()
	if h.World.Stored != nil { // what the API server holds, also after an error
		h.Canary.Status = *h.World.Stored.DeepCopy()
	}
	h.Canary.Finalizers = slices.Clone(h.World.Finalizers)
	h.Log = append(h.Log, res.Record)
	h.Now = h.Now.Add(res.RequeueAfter)
	return Lines(h.World.Events[before:]), res, err
}
