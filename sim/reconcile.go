package sim

import (
	"context"
	"slices"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// reconcile does with the canary at r.now what the controller's Reconcile
// does: a deleted canary goes to Finalize, an invalid one to Refuse, and a
// valid one to Tick when a tick is due (an interval after the last one), as
// the controller's schedule decides; a retry of a failed tick at the same
// instant ticks at once. ran is false when nothing ran.
func (r *run) reconcile(ctx context.Context, retry bool) (res engine.Result, ran bool, err error) {
	cd := r.canary
	switch {
	case cd.DeletionTimestamp != nil:
		res, err = r.engine.Finalize(ctx, cd, r.now)
	case len(r.validate(cd)) > 0:
		res, err = r.engine.Refuse(ctx, cd, r.validate(cd), r.now)
	case !retry && r.ticked && r.now.Before(r.lastTick.Add(cd.GetAnalysisInterval())):
		return engine.Result{RequeueAfter: r.lastTick.Add(cd.GetAnalysisInterval()).Sub(r.now)}, false, nil
	default:
		res, err = r.engine.Tick(ctx, cd, r.now)
		r.ticked, r.lastTick = true, r.now
	}
	return res, true, err
}

// validate is the spec's errors as the controller sees them, worked out
// again only when the spec changes (applyCanary makes a new generation).
func (r *run) validate(cd *v1.Canary) v1.FieldErrors {
	if v := r.validated; v != nil && v.generation == cd.Generation {
		return v.errs
	}
	errs, _ := cd.Validate(v1.ValidationOptions{})
	r.validated = &validation{generation: cd.Generation, errs: errs}
	return errs
}

// validation is the errors of one generation of the Canary's spec.
type validation struct {
	generation int64
	errs       v1.FieldErrors
}

// gone reports whether the Canary was deleted and has no finalizer left:
// the API server has removed it.
func (r *run) gone() bool {
	return r.canary.DeletionTimestamp != nil && len(r.canary.Finalizers) == 0
}

// applyCanary changes the Canary as kubectl apply would: a new spec is a
// new generation.
func (r *run) applyCanary(next *v1.Canary) {
	r.canary.Spec = *next.Spec.DeepCopy()
	r.canary.Labels, r.canary.Annotations = next.Labels, next.Annotations
	r.canary.Generation++
	r.changed = true
}

// deleteCanary deletes the Canary, as kubectl delete does: its finalizers
// run first.
func (r *run) deleteCanary() {
	ts := metav1.NewTime(r.now)
	r.canary.DeletionTimestamp = &ts
	r.changed = true
}

// finalizers implements engine.Finalizers on the run's Canary, as the API
// server keeps its metadata.
type finalizers struct{ cd *v1.Canary }

func (f finalizers) AddFinalizer(context.Context, *v1.Canary) error {
	if !slices.Contains(f.cd.Finalizers, v1.Finalizer) {
		f.cd.Finalizers = append(f.cd.Finalizers, v1.Finalizer)
	}
	return nil
}

func (f finalizers) RemoveFinalizer(context.Context, *v1.Canary) error {
	f.cd.Finalizers = slices.DeleteFunc(f.cd.Finalizers, func(s string) bool { return s == v1.Finalizer })
	return nil
}

// NewFinalizers is the simulator's Finalizers port for cd: it edits
// cd.Finalizers in place, as the API server keeps a Canary's metadata.
func NewFinalizers(cd *v1.Canary) engine.Finalizers { return finalizers{cd: cd} }
