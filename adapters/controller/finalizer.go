package controller

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/util/retry"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Finalizer is Flagger's finalizer, which the engine adds to canaries with
// revertOnDeletion.
const Finalizer = v1.Finalizer

// finalizers adds and removes the finalizer with an update of the Canary
// (the RBAC's `update` on canaries), re-reading it from the API server on
// a conflict, as the status writer does.
type finalizers struct {
	client client.Client
	reader client.Reader // uncached, for conflict retries
}

var _ engine.Finalizers = finalizers{}

func (f finalizers) AddFinalizer(ctx context.Context, cd *v1.Canary) error {
	err := f.update(ctx, cd, func(obj *v1.Canary) bool { return controllerutil.AddFinalizer(obj, Finalizer) })
	if err != nil {
		return fmt.Errorf("adding finalizer to canary %s.%s: %w", cd.Name, cd.Namespace, err)
	}
	return nil
}

func (f finalizers) RemoveFinalizer(ctx context.Context, cd *v1.Canary) error {
	err := f.update(ctx, cd, func(obj *v1.Canary) bool { return controllerutil.RemoveFinalizer(obj, Finalizer) })
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("removing finalizer of canary %s.%s: %w", cd.Name, cd.Namespace, err)
	}
	return nil
}

// update applies change to a copy of cd and writes it when it changed
// something; on a conflict it re-reads the Canary and tries again.
func (f finalizers) update(ctx context.Context, cd *v1.Canary, change func(*v1.Canary) bool) error {
	obj := cd.DeepCopy()
	first := true
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		if !first {
			if err := f.reader.Get(ctx, client.ObjectKeyFromObject(cd), obj); err != nil {
				return err
			}
		}
		first = false
		if !change(obj) {
			return nil
		}
		return f.client.Update(ctx, obj)
	})
}
