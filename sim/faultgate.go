package sim

import (
	"context"
	"errors"
	"slices"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fledge-canary/fledge/adapters/kube"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// restart replaces the controller by a new process: fresh adapters over
// the same clientsets and status store, the fault gates in front of them.
func (r *run) restart() {
	s := r.faults
	s.dead = false
	r.router.Router = r.newRouter()
	e := s.base
	e.Workload = kube.NewWorkload(r.kube, kube.Options{ConfigTracking: true})
	e.Router = r.router
	e.Status = gatedStatus{s: s, next: s.base.Status}
	e.Finalizers = gatedFinalizers{s: s, next: s.base.Finalizers}
	e.Events = gatedEvents{s: s, next: s.base.Events}
	e.Webhooks = gatedHooks{s: s, next: s.base.Webhooks}
	r.engine = &e
}

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
	apply, err := g.s.call("patch", "canaries/status")
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

// gatedFinalizers puts the faults in front of the finalizer writes.
type gatedFinalizers struct {
	s    *faultState
	next engine.Finalizers
}

func (g gatedFinalizers) AddFinalizer(ctx context.Context, cd *v1.Canary) error {
	return g.gate(ctx, cd, g.next.AddFinalizer)
}

func (g gatedFinalizers) RemoveFinalizer(ctx context.Context, cd *v1.Canary) error {
	return g.gate(ctx, cd, g.next.RemoveFinalizer)
}

func (g gatedFinalizers) gate(ctx context.Context, cd *v1.Canary, write func(context.Context, *v1.Canary) error) error {
	apply, err := g.s.call("patch", "canaries")
	if apply {
		if werr := write(ctx, cd); err == nil {
			err = werr
		}
	}
	return err
}
