package kube

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// ScaleToZero merge-patches the target's spec.replicas to 0.
func (w *Workload) ScaleToZero(ctx context.Context, cd *v1.Canary) error {
	return w.scale(ctx, cd, 0)
}

// ScaleFromZero scales the target up for an analysis: to its own replicas
// when above zero; else to the primary's when there is no autoscaler; else
// to the autoscaler's minReplicas when above one; else to 1.
func (w *Workload) ScaleFromZero(ctx context.Context, cd *v1.Canary) error {
	replicas, err := w.replicasFromZero(ctx, cd)
	if err != nil {
		return err
	}
	return w.scale(ctx, cd, replicas)
}

func (w *Workload) replicasFromZero(ctx context.Context, cd *v1.Canary) (int32, error) {
	target, err := w.getDeployment(ctx, cd.Namespace, cd.Spec.TargetRef.Name)
	if err != nil {
		return 0, err
	}
	if r := target.Spec.Replicas; r != nil && *r > 0 {
		return *r, nil
	}
	if cd.Spec.AutoscalerRef == nil {
		primary, err := w.getDeployment(ctx, cd.Namespace, cd.GetPrimaryName())
		if err != nil {
			return 0, err
		}
		if r := primary.Spec.Replicas; r != nil && *r > 0 {
			return *r, nil
		}
		return 1, nil
	}
	hpa, err := w.getHPA(ctx, cd.Namespace, cd.Spec.AutoscalerRef.Name)
	if err != nil {
		return 0, err
	}
	if r := hpa.Spec.MinReplicas; r != nil && *r > 1 {
		return *r, nil
	}
	return 1, nil
}

// scale merge-patches the target's spec.replicas.
func (w *Workload) scale(ctx context.Context, cd *v1.Canary, replicas int32) error {
	name := cd.Spec.TargetRef.Name
	patch := fmt.Appendf(nil, `{"spec":{"replicas":%d}}`, replicas)
	_, err := w.client.AppsV1().Deployments(cd.Namespace).Patch(ctx, name, types.MergePatchType, patch, metav1.PatchOptions{})
	if err == nil {
		return nil
	}
	if replicas == 0 {
		return fmt.Errorf("scaling down %s.%s to 0 failed: %w", name, cd.Namespace, err)
	}
	return fmt.Errorf("scaling up %s.%s to %d failed: %w", name, cd.Namespace, replicas, err)
}

// ScaleToPrimary scales the target to the primary's replicas, at least
// one, or to one when the primary is gone.
func (w *Workload) ScaleToPrimary(ctx context.Context, cd *v1.Canary) error {
	replicas := int32(1)
	primary, err := w.client.AppsV1().Deployments(cd.Namespace).Get(ctx, cd.GetPrimaryName(), metav1.GetOptions{})
	switch {
	case err == nil && primary.Spec.Replicas != nil:
		replicas = max(1, *primary.Spec.Replicas)
	case err != nil && !apierrors.IsNotFound(err):
		return fmt.Errorf("deployment %s.%s get query error: %w", cd.GetPrimaryName(), cd.Namespace, err)
	}
	return w.scale(ctx, cd, replicas)
}
