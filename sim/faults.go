package sim

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	kfake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/smi"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// Faults are failures injected into the controller's side of a run: one
// crash and restart of the controller, and API errors on a share of its
// calls. The kubelet, the scenario's actions and the traffic model never
// see them. The zero value injects nothing.
type Faults struct {
	// Crash, when set, kills the controller once, at that point.
	Crash *CrashPoint
	// API makes a share of the controller's API calls fail.
	API []APIFault
	// Seed seeds the choice of the calls that fail.
	Seed uint64
}

// CrashPoint says where the controller dies. Tick numbers the controller's
// ticks from 0 in the order the run schedules them. With Write 0 the
// process restarts just before that tick: only in-memory state is lost.
// With Write k > 0 the k-th API write of that tick (the status write
// included) never reaches the server, and nothing after it in the tick
// does either: no write, event or webhook call.
//
// A restarted controller ticks at once, at the same virtual instant (the
// simulator keeps the schedule of the next ticks), so a crashed run can be
// compared step by step with the run without the crash.
type CrashPoint struct{ Tick, Write int }

// FaultKind is the error an injected API fault returns.
type FaultKind string

// The injected API errors.
const (
	// FaultConflict is a 409 Conflict; the call is not applied.
	FaultConflict FaultKind = "conflict"
	// FaultInternal is a 500 Internal Server Error; the call is not applied.
	FaultInternal FaultKind = "internal"
	// FaultTimeout is a 504 server timeout. A write is applied and only its
	// answer is lost, the ambiguous case.
	FaultTimeout FaultKind = "timeout"
)

// APIFault fails a share of the controller's API calls that match it.
type APIFault struct {
	// Verbs ("get", "list", "create", "update", "patch", "delete") and
	// Resources ("deployments", "services", "trafficsplits",
	// "canaries/status" for the status writer, ...) select the calls; empty
	// selects all.
	Verbs, Resources []string
	// Rate is the share of the selected calls that fail, in [0, 1].
	Rate float64
	Kind FaultKind
}

// FaultReport is what the fault injection saw during a run.
type FaultReport struct {
	// Writes is, for each controller tick of the run, the number of API
	// writes its first attempt made: the crash points of a run are
	// (tick, 0..Writes[tick]).
	Writes []int `json:"writes"`
	// Crashed is true once the crash point was reached.
	Crashed bool `json:"crashed"`
	// Injected counts the API errors injected.
	Injected int `json:"injected"`
	// Retries counts the ticks run again at once: after a crash, or after a
	// tick whose status write failed (controller-runtime requeues it).
	Retries int `json:"retries"`
	// Repeatable lists the event messages and RepeatableWeights the canary
	// weights of ticks that did not complete (a crash or an injected fault
	// hit them); a retry may record them again (see SameOutcome).
	Repeatable        []string `json:"repeatable,omitempty"`
	RepeatableWeights []int    `json:"repeatableWeights,omitempty"`
	// Waits lists event prefixes a retry may record any number of times
	// (see retryAllowances).
	Waits []string `json:"waits,omitempty"`
	// Violations are the invariants broken after some tick (see Invariants).
	Violations []string `json:"violations,omitempty"`
}

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

// RunWithFaults replays a scenario as Run does, injecting f into the
// controller, and checks Invariants after every tick.
func RunWithFaults(ctx context.Context, l *scenario.Loaded, f Faults) (*Result, *FaultReport, error) {
	r, err := newRun(l)
	if err != nil {
		return nil, nil, err
	}
	r.faults = &faultState{f: f, rng: rand.New(rand.NewPCG(f.Seed, 0x5eed)), base: *r.engine}
	kc := r.kube.(*kfake.Clientset)
	kc.PrependReactor("*", "*", r.faults.reactor(kc.Tracker()))
	r.smi.PrependReactor("*", "*", r.faults.reactor(r.smi.Tracker()))
	r.restart()
	if err := r.bootstrap(ctx); err != nil {
		return nil, &r.faults.report, err
	}
	if err := r.timeline(ctx); err != nil {
		return nil, &r.faults.report, err
	}
	return r.result(), &r.faults.report, nil
}

// restart replaces the controller by a new process: fresh adapters over
// the same clientsets and status store, the fault gates in front of them.
func (r *run) restart() {
	s := r.faults
	s.dead = false
	r.router.Router = smi.NewRouter(kube.NewServices(r.kube), r.smi)
	e := s.base
	e.Workload = kube.NewWorkload(r.kube, kube.Options{ConfigTracking: true})
	e.Router = r.router
	e.Status = gatedStatus{s: s, next: s.base.Status}
	e.Events = gatedEvents{s: s, next: s.base.Events}
	e.Webhooks = gatedHooks{s: s, next: s.base.Webhooks}
	r.engine = &e
}

// controllerTick runs the controller's tick; with faults, the tick may
// crash or fail, and is then run again at once by a new or the same
// controller, as a restarted process or controller-runtime's requeue would.
func (r *run) controllerTick(ctx context.Context) (engine.Result, error) {
	s := r.faults
	if s == nil {
		return r.engine.Tick(ctx, r.canary, r.now)
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
	res, err := r.attempt(ctx, crashAt)
	s.report.Writes = append(s.report.Writes, s.writes)
	for retries := 0; s.dead || err != nil; retries++ {
		if retries == maxRetries {
			return res, fmt.Errorf("%d retries at one instant: %w", retries, err)
		}
		if s.dead {
			s.report.Crashed = true
			r.restart()
		}
		if err := r.kubelet.Sync(ctx, r.now); err != nil {
			return res, err
		}
		s.report.Retries++
		r.canary.Status = *r.status.status.DeepCopy()
		res, err = r.attempt(ctx, 0)
	}
	return res, nil
}

// attempt runs one tick with the faults armed, remembers what a retry may
// repeat and checks the invariants after it.
func (r *run) attempt(ctx context.Context, crashAt int) (engine.Result, error) {
	s := r.faults
	before, snapErr := TakeSnapshot(ctx, r.kube, r.smi, r.canary)
	events, routes := len(r.events.events), len(r.router.writes)
	s.inTick, s.crashAt, s.writes, s.injected = true, crashAt, 0, 0
	res, err := r.engine.Tick(ctx, r.canary, r.now)
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
		return res, err
	}
	cd := r.canary.DeepCopy()
	cd.Status = *r.status.status.DeepCopy()
	after, snapErr := TakeSnapshot(ctx, r.kube, r.smi, cd)
	if snapErr != nil {
		s.violate(fmt.Sprintf("tick at %v: snapshot after the tick: %v", r.now.Sub(Epoch), snapErr))
		return res, err
	}
	if cut {
		s.retryAllowances(cd, before, after, r.events.events[events:])
	}
	for _, v := range Invariants(cd, before, after) {
		s.violate(fmt.Sprintf("tick at %v: %v", r.now.Sub(Epoch), v))
	}
	return res, err
}

// retryAllowances adds what the retry of a cut tick may record beyond
// repeating it, in two documented cases where the retry cannot tell that
// the cut tick had done its work:
//   - the cut tick copied the canary to the primary but did not record
//     Promoting: the retry finds the primary rolling out, waits for it with
//     one "<primary> not ready" warning a tick, analyses once more at the
//     maximum weight and copies again (the same template: a no-op);
//   - the cut tick's promotion step put all traffic on the primary but did
//     not record Finalising: the retry finds the canary at 0 and reports
//     "Routing all traffic to primary" for the same weights.
func (s *faultState) retryAllowances(cd *v1.Canary, before, after Snapshot, events []engine.Event) {
	if after.PrimaryTemplate != before.PrimaryTemplate {
		s.report.Waits = append(s.report.Waits, cd.GetPrimaryName()+"."+cd.Namespace+" not ready: ")
	}
	last := fmt.Sprintf("Advance %s.%s primary weight %d", cd.Name, cd.Namespace, v1.TotalWeight)
	if slices.ContainsFunc(events, func(e engine.Event) bool { return e.Message == last }) {
		s.report.Repeatable = append(s.report.Repeatable, "Routing all traffic to primary")
	}
}

func (s *faultState) violate(msg string) { s.report.Violations = append(s.report.Violations, msg) }

// call decides the fate of one controller call: err is what it returns,
// apply whether it still takes effect (a write whose answer timed out).
func (s *faultState) call(verb, resource string) (apply bool, err error) {
	if !s.inTick {
		return true, nil
	}
	if s.dead {
		return false, errCrashed
	}
	write := isWrite(verb)
	if write {
		s.writes++
		if s.writes == s.crashAt {
			s.dead = true
			return false, errCrashed
		}
	}
	for _, f := range s.f.API {
		if !matches(f.Verbs, verb) || !matches(f.Resources, resource) || s.rng.Float64() >= f.Rate {
			continue
		}
		s.injected++
		return write && f.Kind == FaultTimeout, injectedError(f.Kind, resource)
	}
	return true, nil
}

func matches(set []string, v string) bool { return len(set) == 0 || slices.Contains(set, v) }

func isWrite(verb string) bool {
	switch verb {
	case "create", "update", "patch", "delete", "delete-collection":
		return true
	}
	return false
}

// InjectedMarker is in the text of every injected API error.
const InjectedMarker = "(injected fault)"

func injectedError(k FaultKind, resource string) error {
	gr := schema.GroupResource{Resource: resource}
	switch k {
	case FaultConflict:
		return apierrors.NewConflict(gr, "", errors.New("the object has been modified "+InjectedMarker))
	case FaultTimeout:
		return apierrors.NewTimeoutError("request timed out "+InjectedMarker, 1)
	}
	return apierrors.NewInternalError(errors.New("etcdserver: leader changed " + InjectedMarker))
}

// reactor puts the faults in front of a fake clientset's tracker.
func (s *faultState) reactor(tracker k8stesting.ObjectTracker) k8stesting.ReactionFunc {
	return func(a k8stesting.Action) (bool, runtime.Object, error) {
		resource := a.GetResource().Resource
		if sub := a.GetSubresource(); sub != "" {
			resource += "/" + sub
		}
		apply, err := s.call(a.GetVerb(), resource)
		if err == nil {
			return false, nil, nil
		}
		if apply {
			_, _, _ = k8stesting.ObjectReaction(tracker)(a)
		}
		return true, nil, err
	}
}

// gatedStatus puts the faults in front of the status writer.
type gatedStatus struct {
	s    *faultState
	next engine.StatusWriter
}

func (g gatedStatus) UpdateStatus(ctx context.Context, cd *v1.Canary, st v1.CanaryStatus) error {
	apply, err := g.s.call("update", "canaries/status")
	if err != nil {
		if apply {
			_ = g.next.UpdateStatus(ctx, cd, st)
		}
		return err
	}
	return g.next.UpdateStatus(ctx, cd, st)
}

// gatedEvents drops the events of a dead controller.
type gatedEvents struct {
	s    *faultState
	next engine.Recorder
}

func (g gatedEvents) Record(cd *v1.Canary, e engine.Event) {
	if !g.s.dead {
		g.next.Record(cd, e)
	}
}

// gatedHooks keeps a dead controller from calling webhooks.
type gatedHooks struct {
	s    *faultState
	next engine.Webhooks
}

func (g gatedHooks) Call(ctx context.Context, hook v1.CanaryWebhook, p engine.Payload) error {
	if g.s.dead {
		return errCrashed
	}
	return g.next.Call(ctx, hook, p)
}

// SameOutcome compares a run with faults to the run of the same scenario
// without them and lists the differences. The final phase and the final
// weights must be equal.
//
// With exact set (crashes, whose retry runs at the same instant), the
// weights the TrafficSplit was set to and the event messages must also be
// equal, in order, but for what a cut tick's retry may record again: each
// event and weight the cut tick had recorded, at most once more, and the
// waits of retryAllowances.
//
// Without exact (API faults: a failed call ends its tick with a Warning and
// the next tick, an interval later, retries), the analysis runs later on
// the scenario's timeline, so a scenario whose metrics change with time may
// take a different number of steps before its rollback. Then the last
// event, leaving out the warnings that carry an injected error, must be
// equal.
func SameOutcome(want, got *Result, rep *FaultReport, exact bool) []string {
	var diffs []string
	if got.Status.Phase != want.Status.Phase {
		diffs = append(diffs, fmt.Sprintf("phase: want %s, got %s", want.Status.Phase, got.Status.Phase))
	}
	if w, g := lastRoutes(want), lastRoutes(got); w != g {
		diffs = append(diffs, fmt.Sprintf("final weights: want %+v, got %+v", w, g))
	}
	wantEvents := slices.Concat(want.BootstrapMessages(), want.Messages())
	gotEvents := slices.Concat(got.BootstrapMessages(), got.Messages())
	if !exact {
		gotEvents = slices.DeleteFunc(gotEvents, func(m string) bool { return strings.Contains(m, InjectedMarker) })
		if w, g := lastOf(wantEvents), lastOf(gotEvents); w != g {
			diffs = append(diffs, fmt.Sprintf("last event: want %q, got %q", w, g))
		}
		return diffs
	}
	none := func(int) bool { return false }
	wait := func(m string) bool {
		return slices.ContainsFunc(rep.Waits, func(p string) bool { return strings.HasPrefix(m, p) })
	}
	if at := withRepeats(want.Weights(), got.Weights(), rep.RepeatableWeights, none); at >= 0 {
		diffs = append(diffs, fmt.Sprintf("weights: want %v, got %v, differing at %d (repeatable %v)",
			want.Weights(), got.Weights(), at, rep.RepeatableWeights))
	}
	if at := withRepeats(wantEvents, gotEvents, rep.Repeatable, wait); at >= 0 {
		diffs = append(diffs, fmt.Sprintf("events: differ at %d: want %q, got %q (repeatable %q)",
			at, around(wantEvents, at), around(gotEvents, at), rep.Repeatable))
	}
	return diffs
}

func lastRoutes(res *Result) decide.Routes {
	if len(res.Routes) == 0 {
		return decide.Routes{Primary: v1.TotalWeight}
	}
	return res.Routes[len(res.Routes)-1].Routes
}

// withRepeats reports whether got is want with elements inserted, each an
// element of repeatable, used at most as often as it is there, or one for
// which free is true: -1 when it is, else the index in got where it stops
// being so. Matching an element
// of got to want as early as possible is never worse than taking it as an
// insertion of the same value.
func withRepeats[T comparable](want, got, repeatable []T, free func(T) bool) int {
	left := map[T]int{}
	for _, v := range repeatable {
		left[v]++
	}
	j := 0
	for i, v := range got {
		switch {
		case j < len(want) && v == want[j]:
			j++
		case left[v] > 0:
			left[v]--
		case free(v):
		default:
			return i
		}
	}
	if j < len(want) {
		return len(got)
	}
	return -1
}

// around is the part of a list near index at, for messages.
func around[T any](list []T, at int) []T {
	lo := min(max(0, at-2), len(list))
	return list[lo:min(len(list), at+3)]
}

func lastOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[len(list)-1]
}
