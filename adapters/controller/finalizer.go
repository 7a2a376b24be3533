package controller

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/controller/controllerutil"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Finalizer is Flagger's finalizer, which the engine adds to canaries with
// revertOnDeletion.
const Finalizer = v1.Finalizer

// finalizers adds and removes the finalizer with a JSON merge patch of
// metadata.finalizers, so that a Canary read from a stale cache does not
// conflict.
type finalizers struct{ client client.Client }

var _ engine.Finalizers = finalizers{}

func (f finalizers) AddFinalizer(ctx context.Context, cd *v1.Canary) error {
	obj := cd.DeepCopy()
	controllerutil.AddFinalizer(obj, Finalizer)
	if err := f.client.Patch(ctx, obj, client.MergeFrom(cd)); err != nil {
		return fmt.Errorf("adding finalizer to canary %s.%s: %w", cd.Name, cd.Namespace, err)
	}
	return nil
}

func (f finalizers) RemoveFinalizer(ctx context.Context, cd *v1.Canary) error {
	obj := cd.DeepCopy()
	controllerutil.RemoveFinalizer(obj, Finalizer)
	if err := f.client.Patch(ctx, obj, client.MergeFrom(cd)); err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("removing finalizer of canary %s.%s: %w", cd.Name, cd.Namespace, err)
	}
	return nil
}
