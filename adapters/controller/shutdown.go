package controller

import (
	"context"
	"sync/atomic"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// ShutdownTimeout bounds how long the controller's shutdown waits for the
// reconciles still running and then for the event webhooks still queued.
const ShutdownTimeout = 10 * time.Second

// Close stops what the reconciler runs in the background, once: it waits
// for the reconciles still running, delivers the queued event webhooks
// and alerts and creates the queued Kubernetes Events until ctx ends (then
// drops the rest). Events recorded later are dropped. It returns ctx's error when it
// gave up waiting.
func (r *Reconciler) Close(ctx context.Context) error {
	var err error
	r.closeOnce.Do(func() {
		err = r.drain(ctx)
		if sendErr := r.sender.Close(ctx); err == nil {
			err = sendErr
		}
		if alertErr := r.alerts.Close(ctx); err == nil {
			err = alertErr
		}
		if eventErr := r.events.Close(ctx); err == nil {
			err = eventErr
		}
		if err != nil {
			r.log.Error(err, "shutdown: event webhooks, alerts or events dropped", "dropped", r.sender.Dropped(), "alertsDropped", r.alerts.Dropped())
		}
	})
	return err
}

// drain waits until no reconcile runs, or ctx ends.
func (r *Reconciler) drain(ctx context.Context) error {
	tick := time.NewTicker(10 * time.Millisecond)
	defer tick.Stop()
	for r.running.Load() > 0 {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
	}
	return nil
}

// closers are the manager's Runnables that Close the reconciler when the
// manager stops. The leader's closer stops with the reconcilers (the
// leader-election group), so it waits for their last ticks; a standby,
// whose reconcilers never ran, is closed by the other closer, which every
// process runs.
func (r *Reconciler) closers() []manager.Runnable {
	state := &closerState{rec: r}
	return []manager.Runnable{leaderCloser{state}, standbyCloser{state}}
}

type closerState struct {
	rec     *Reconciler
	leading atomic.Bool
}

func (s *closerState) close() {
	ctx, cancel := context.WithTimeout(context.Background(), ShutdownTimeout)
	defer cancel()
	_ = s.rec.Close(ctx) // logged by Close
}

type leaderCloser struct{ *closerState }

func (leaderCloser) NeedLeaderElection() bool { return true }

func (c leaderCloser) Start(ctx context.Context) error {
	c.leading.Store(true)
	<-ctx.Done()
	c.close()
	return nil
}

type standbyCloser struct{ *closerState }

func (standbyCloser) NeedLeaderElection() bool { return false }

func (c standbyCloser) Start(ctx context.Context) error {
	<-ctx.Done()
	if !c.leading.Load() {
		c.close()
	}
	return nil
}
