package kube

import (
	"context"
	"fmt"
	"reflect"

	autoscalingv2 "k8s.io/api/autoscaling/v2"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// hpaKind is the only autoscaler kind Fledge manages (KEDA's ScaledObject
// is not supported).
const hpaKind = "HorizontalPodAutoscaler"

// EnsurePrimaryScaler creates <hpa>-primary, scaling <target>-primary, when
// absent. Outside initialisation it also updates one whose replicas bounds,
// metrics, behavior, labels or annotations drifted from the target HPA's.
//
// The autoscalerRef may name autoscaling/v2beta2 (as Flagger's examples
// do); the HPA is always read and written through autoscaling/v2, which
// serves every HPA.
func (w *Workload) EnsurePrimaryScaler(ctx context.Context, cd *v1.Canary, initializing bool) error {
	ref := cd.Spec.AutoscalerRef
	if ref == nil {
		return nil
	}
	if ref.Kind != "" && ref.Kind != hpaKind {
		return fmt.Errorf("autoscalerRef %s.%s: kind %s is not supported, only %s", ref.Name, cd.Namespace, ref.Kind, hpaKind)
	}
	src, err := w.getHPA(ctx, cd.Namespace, ref.Name)
	if err != nil {
		return err
	}
	want := w.primaryHPA(cd, src)
	api := w.client.AutoscalingV2().HorizontalPodAutoscalers(cd.Namespace)
	got, err := api.Get(ctx, want.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if _, err := api.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating HorizontalPodAutoscaler %s.%s failed: %w", want.Name, want.Namespace, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("HorizontalPodAutoscaler %s.%s get query error: %w", want.Name, want.Namespace, err)
	}
	if initializing {
		return nil
	}
	next := syncedHPA(got, want)
	if unchanged(got, next) {
		return nil
	}
	if _, err := api.Update(ctx, next, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("updating HorizontalPodAutoscaler %s.%s failed: %w", want.Name, want.Namespace, err)
	}
	return nil
}

func (w *Workload) getHPA(ctx context.Context, ns, name string) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	hpa, err := w.client.AutoscalingV2().HorizontalPodAutoscalers(ns).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("HorizontalPodAutoscaler %s.%s get query error: %w", name, ns, err)
	}
	return hpa, nil
}

// primaryHPA builds the primary HPA from the target's: it scales the
// primary Deployment, with primaryScalerReplicas overriding min and max.
func (w *Workload) primaryHPA(cd *v1.Canary, src *autoscalingv2.HorizontalPodAutoscaler) *autoscalingv2.HorizontalPodAutoscaler {
	spec := src.Spec.DeepCopy()
	spec.ScaleTargetRef.Name = cd.GetPrimaryName()
	if r := cd.Spec.AutoscalerRef.PrimaryScalerReplicas; r != nil {
		if r.MinReplicas != nil {
			spec.MinReplicas = copyInt32(r.MinReplicas)
		}
		if r.MaxReplicas != nil {
			spec.MaxReplicas = *r.MaxReplicas
		}
	}
	return &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{
			Name:            src.Name + primarySuffix,
			Namespace:       src.Namespace,
			Labels:          filterMeta(src.Labels, w.opts.IncludeLabelPrefixes),
			Annotations:     filterMeta(src.Annotations, w.opts.IncludeLabelPrefixes),
			OwnerReferences: []metav1.OwnerReference{OwnerReference(cd)},
		},
		Spec: *spec,
	}
}

// syncedHPA is got with want's replica bounds, metrics and behavior, and
// want's labels and annotations added (others' keys are kept).
func syncedHPA(got, want *autoscalingv2.HorizontalPodAutoscaler) *autoscalingv2.HorizontalPodAutoscaler {
	next := got.DeepCopy()
	next.Spec.MinReplicas = want.Spec.MinReplicas
	next.Spec.MaxReplicas = want.Spec.MaxReplicas
	next.Spec.Metrics = want.Spec.Metrics
	next.Spec.Behavior = want.Spec.Behavior
	next.Labels = mergeMaps(next.Labels, want.Labels)
	next.Annotations = mergeMaps(next.Annotations, want.Annotations)
	return next
}

// mergeMaps returns a copy of base with over's entries set.
func mergeMaps(base, over map[string]string) map[string]string {
	out := make(map[string]string, len(base)+len(over))
	for k, v := range base {
		out[k] = v
	}
	for k, v := range over {
		out[k] = v
	}
	return out
}

// unchanged reports whether next is semantically got: identical objects
// are (reflect.DeepEqual, which allocates nothing per field, answers the
// common case of a tick with no drift), else equality.Semantic decides
// (quantities, times, nil and empty maps).
func unchanged(got, next *autoscalingv2.HorizontalPodAutoscaler) bool {
	return reflect.DeepEqual(got, next) || equality.Semantic.DeepEqual(got, next)
}
