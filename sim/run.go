package sim

import (
	"context"
	"fmt"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/traffic"
)

// Epoch is the virtual time at which every run starts: the Canary is
// applied then, and the scenario's clock starts once it is initialised.
var Epoch = time.Unix(0, 0).UTC()

// maxBootstrap bounds the initialisation before a scenario's timeline.
const maxBootstrap = 30 * time.Minute

// Run replays a scenario and returns what happened.
func Run(ctx context.Context, l *scenario.Loaded) (*Result, error) {
	r, err := newRun(l)
	if err != nil {
		return nil, err
	}
	r.cacheReads()
	r.readThroughCache()
	if err := r.bootstrap(ctx); err != nil {
		return nil, err
	}
	if err := r.timeline(ctx); err != nil {
		return nil, err
	}
	res := r.result()
	r.releaseStore()
	return res, nil
}

// bootstrap ticks until the canary is initialised; the scenario's time
// starts at the next tick.
func (r *run) bootstrap(ctx context.Context) error {
	for r.status.status.Phase != v1.PhaseInitialized {
		if r.now.Sub(Epoch) > maxBootstrap {
			return fmt.Errorf("the canary was not initialised within %v (phase %q)", maxBootstrap, r.status.status.Phase)
		}
		if err := r.stepTo(ctx, r.nextTick, nil); err != nil {
			return err
		}
	}
	r.start = r.nextTick
	r.bootstrapEvents = len(r.events.events)
	return nil
}

// timeline plays the actions and ticks until the canary settles after the
// last action, or until the scenario's time is up.
func (r *run) timeline(ctx context.Context) error {
	end := r.start.Add(r.s.Until.D())
	next := 0
	for r.now.Before(end) {
		if (next == len(r.s.Actions) && r.settled()) || r.gone() {
			break
		}
		at := r.nextTick
		if next < len(r.s.Actions) {
			if t := r.start.Add(r.s.Actions[next].At.D()); t.Before(at) || t.Equal(at) {
				at = t
			}
		}
		var due []scenario.Action
		for next < len(r.s.Actions) && !r.start.Add(r.s.Actions[next].At.D()).After(at) {
			due = append(due, r.s.Actions[next])
			next++
		}
		if err := r.stepTo(ctx, at, due); err != nil {
			return err
		}
	}
	return nil
}

// settled reports whether the analysis of the last revision is over.
func (r *run) settled() bool {
	p := r.status.status.Phase
	return r.analysed && (p == v1.PhaseSucceeded || p == v1.PhaseFailed)
}

// stepTo moves virtual time to at: traffic up to at, the kubelet's changes
// on the way, the actions due, then the controller's tick if one is due.
func (r *run) stepTo(ctx context.Context, at time.Time, actions []scenario.Action) error {
	for {
		k := r.kubelet.Next(r.now)
		if k.IsZero() || k.After(at) {
			break
		}
		if err := r.advance(ctx, k); err != nil {
			return err
		}
	}
	if err := r.advance(ctx, at); err != nil {
		return err
	}
	for _, a := range actions {
		if err := r.apply(ctx, a); err != nil {
			return err
		}
	}
	if len(actions) > 0 { // advance has synced the kubelet at r.now
		if err := r.kubelet.Sync(ctx, r.now); err != nil {
			return err
		}
	}
	changed := r.changed
	r.changed = false
	switch {
	case r.gone():
		return nil
	case at.Equal(r.nextTick):
		return r.tick(ctx, true)
	case changed:
		return r.tick(ctx, false)
	}
	return nil
}

func (r *run) advance(ctx context.Context, to time.Time) error {
	if to.After(r.now) {
		if err := r.traffic.Advance(to, r.weights); err != nil {
			return fmt.Errorf("traffic: %w", err)
		}
		r.now = to
	}
	return r.kubelet.Sync(ctx, r.now)
}

// tick runs the controller's reconcile at r.now: scheduled, or brought by
// a change to the Canary (see reconcile). The next one is the earlier of
// the one scheduled and the one this reconcile asks for, as the work
// queue keeps the earlier of two.
func (r *run) tick(ctx context.Context, scheduled bool) error {
	r.canary.Status = *r.status.status.DeepCopy()
	res, ran, err := r.controllerTick(ctx)
	if err != nil {
		return fmt.Errorf("tick at %v: %w", r.now.Sub(Epoch), err)
	}
	if !ran { // not due: the reconcile only says when it will be
		if next := r.now.Add(res.RequeueAfter); scheduled || next.Before(r.nextTick) {
			r.nextTick = next
		}
		return nil
	}
	r.records = append(r.records, res.Record)
	// The Deployment controller sees the tick's changes at once.
	if err := r.kubelet.Sync(ctx, r.now); err != nil {
		return err
	}
	if r.status.status.Phase == v1.PhaseProgressing && !r.start.IsZero() {
		r.analysed = true
	}
	next := r.now.Add(res.RequeueAfter)
	if scheduled || next.Before(r.nextTick) {
		r.nextTick = next
	}
	return nil
}

// startCommand turns a traffic command into a source named name.
func (r *run) startCommand(c scenario.Command, name string, until time.Time) {
	src := traffic.Source{
		Name: name, Target: targetOf(r.l.TargetOf(c.Service)), RPS: c.RPS,
		Codes: map[int]float64{c.Code: 1}, Latency: defaultLatency().Plus(c.Delay), Until: until,
	}
	if err := r.traffic.Add(src); err != nil {
		r.notef("traffic %q: %v", name, err)
	}
}

func (r *run) notef(format string, args ...any) {
	r.notes = append(r.notes, Note{Time: r.now, Text: fmt.Sprintf(format, args...)})
}

var _ engine.Webhooks = (*loadtester)(nil)
