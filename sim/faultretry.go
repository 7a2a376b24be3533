package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// maxRetries bounds the ticks run again at one instant.
const maxRetries = 50

var errCrashed = errors.New("the controller process is dead")

// faultState is the fault injection of one run.
type faultState struct {
	f      Faults
	rng    *rand.Rand
	base   engine.Engine // the ports the simulator gave the first controller
	inTick bool
	dead   bool
	// crashAt is the write of the current tick at which the process dies.
	crashAt, writes, injected int
	report                    FaultReport
}

// controllerTick runs the controller's reconcile; with faults, it may
// crash or fail, and is then run again at once by a new or the same
// controller, as a restarted process or controller-runtime's requeue would.
func (r *run) controllerTick(ctx context.Context) (engine.Result, bool, error) {
	s := r.faults
	if s == nil {
		return r.reconcile(ctx, false)
	}
	n := len(s.report.Writes)
	crashAt := 0
	if c := s.f.Crash; c != nil && c.Tick == n {
		if c.Write == 0 {
			s.report.Crashed = true
			r.restart()
		}
		crashAt = c.Write
	}
	res, ran, err := r.attempt(ctx, false, crashAt)
	s.report.Writes = append(s.report.Writes, s.writes)
	for retries := 0; s.dead || err != nil; retries++ {
		if retries == maxRetries {
			return res, ran, fmt.Errorf("%d retries at one instant: %w", retries, err)
		}
		if s.dead {
			s.report.Crashed = true
			r.restart()
		}
		if err := r.kubelet.Sync(ctx, r.now); err != nil {
			return res, ran, err
		}
		s.report.Retries++
		r.canary.Status = *r.status.status.DeepCopy()
		res, ran, err = r.attempt(ctx, true, 0)
	}
	return res, ran, nil
}

// attempt runs one reconcile with the faults armed, remembers what a
// retry may repeat and checks the invariants after it.
func (r *run) attempt(ctx context.Context, retry bool, crashAt int) (engine.Result, bool, error) {
	s := r.faults
	before, snapErr := TakeSnapshot(ctx, r.kube, r.routeClients(), r.canary)
	events, routes := len(r.events.events), len(r.router.writes)
	s.inTick, s.crashAt, s.writes, s.injected = true, crashAt, 0, 0
	res, ran, err := r.reconcile(ctx, retry)
	s.inTick = false
	cut := s.dead || s.injected > 0 || err != nil
	if cut {
		for _, e := range r.events.events[events:] {
			s.report.Repeatable = append(s.report.Repeatable, e.Message)
		}
		for _, w := range r.router.writes[routes:] {
			s.report.RepeatableWeights = append(s.report.RepeatableWeights, w.Routes.Canary)
		}
	}
	s.report.Injected += s.injected
	if snapErr != nil {
		s.violate(fmt.Sprintf("tick at %v: snapshot before the tick: %v", r.now.Sub(Epoch), snapErr))
		return res, ran, err
	}
	cd := r.canary.DeepCopy()
	cd.Status = *r.status.status.DeepCopy()
	after, snapErr := TakeSnapshot(ctx, r.kube, r.routeClients(), cd)
	if snapErr != nil {
		s.violate(fmt.Sprintf("tick at %v: snapshot after the tick: %v", r.now.Sub(Epoch), snapErr))
		return res, ran, err
	}
	if cut {
		s.retryAllowances(before, after, res.Record)
	}
	for _, v := range Invariants(cd, before, after) {
		s.violate(fmt.Sprintf("tick at %v: %v", r.now.Sub(Epoch), v))
	}
	return res, ran, err
}

// retryAllowances adds the ticks the retry of a cut tick may run beyond
// repeating it, in two documented cases where the retry cannot tell that
// the cut tick had done its work, told apart by the cut tick's trace
// record and the cluster's state:
//   - the cut tick copied the canary to the primary but did not record
//     Promoting: the retry finds the primary rolling out and waits for it
//     (PrimaryNotReady ticks), analyses once more at the maximum weight and
//     copies again (the same template: a no-op);
//   - the cut tick's last promotion step put all traffic on the primary
//     (PrimaryWeightStepped to 100) but did not record Finalising: the
//     retry finds the canary at 0 and routes all traffic to the primary
//     again (an AllTrafficToPrimary tick) for the same weights.
func (s *faultState) retryAllowances(before, after Snapshot, cut engine.Record) {
	if after.PrimaryTemplate != before.PrimaryTemplate {
		s.report.ExtraTicks = append(s.report.ExtraTicks, engine.ReasonPrimaryNotReady)
	}
	if cut.Reason == engine.ReasonPrimaryWeightStepped && cut.Routes != nil && cut.Routes.Primary == v1.TotalWeight {
		s.report.ExtraTicks = append(s.report.ExtraTicks, engine.ReasonAllTrafficToPrimary)
	}
}

func (s *faultState) violate(msg string) { s.report.Violations = append(s.report.Violations, msg) }
