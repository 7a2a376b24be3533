package kube

import (
	"context"
	"fmt"
	"maps"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/uuid"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// FlaggerIDAnnotation is the pod-template annotation that gets a fresh UUID
// on every copy of the template to the primary, forcing a rollout.
const FlaggerIDAnnotation = "flagger-id"

// EnsurePrimary creates the primary Deployment, and the -primary copies of
// the tracked ConfigMaps and Secrets, when the primary does not exist. An
// existing primary is left alone: Promote updates it.
func (w *Workload) EnsurePrimary(ctx context.Context, cd *v1.Canary) error {
	name := cd.GetPrimaryName()
	_, err := w.client.AppsV1().Deployments(cd.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err == nil {
		return nil
	}
	if !apierrors.IsNotFound(err) {
		return fmt.Errorf("deployment %s.%s get query error: %w", name, cd.Namespace, err)
	}
	target, err := w.getDeployment(ctx, cd.Namespace, cd.Spec.TargetRef.Name)
	if err != nil {
		return err
	}
	label, value, err := w.selectorLabel(target)
	if err != nil {
		return err
	}
	set, err := w.primaryConfigs(ctx, cd, target)
	if err != nil {
		return err
	}
	primary := w.newPrimary(cd, target, label, value, set)
	if _, err := w.client.AppsV1().Deployments(cd.Namespace).Create(ctx, primary, metav1.CreateOptions{}); err != nil {
		return fmt.Errorf("creating deployment %s.%s failed: %w", name, cd.Namespace, err)
	}
	return nil
}

// newPrimary builds the primary Deployment from the target.
func (w *Workload) newPrimary(cd *v1.Canary, target *appsv1.Deployment, label, value string, set *configSet) *appsv1.Deployment {
	replicas := int32(1)
	if target.Spec.Replicas != nil && *target.Spec.Replicas > 0 {
		replicas = *target.Spec.Replicas
	}
	primaryValue := value + primarySuffix
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{
			Name:            cd.GetPrimaryName(),
			Namespace:       cd.Namespace,
			Labels:          w.primaryLabels(target.Labels, label, primaryValue),
			Annotations:     filterMeta(target.Annotations, w.opts.IncludeLabelPrefixes),
			OwnerReferences: []metav1.OwnerReference{OwnerReference(cd)},
		},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{label: primaryValue}},
		},
	}
	copySpec(&dep.Spec, &target.Spec, label, value, set)
	return dep
}

// primaryLabels are the target's labels, filtered, with the selector label
// set to the primary's value.
func (w *Workload) primaryLabels(labels map[string]string, label, primaryValue string) map[string]string {
	out := filterMeta(labels, w.opts.IncludeLabelPrefixes)
	out[label] = primaryValue
	return out
}

// primaryConfigs reads the tracked configs of the target and upserts their
// -primary copies. Without config tracking it returns an empty set.
func (w *Workload) primaryConfigs(ctx context.Context, cd *v1.Canary, target *appsv1.Deployment) (*configSet, error) {
	if !w.opts.ConfigTracking {
		return &configSet{}, nil
	}
	set, err := readConfigs(ctx, w.client.CoreV1(), target.Namespace, &target.Spec.Template.Spec)
	if err != nil {
		return nil, fmt.Errorf("config tracking of deployment %s.%s failed: %w", target.Name, target.Namespace, err)
	}
	if err := w.upsertPrimaryConfigs(ctx, cd, set); err != nil {
		return nil, err
	}
	return set, nil
}

// checkAnalysed returns an error wrapping engine.ErrTargetChanged when the
// target's pod template or tracked configs are not the ones analysed.
func (w *Workload) checkAnalysed(ctx context.Context, target *appsv1.Deployment, analysed engine.Target) error {
	if analysed.TemplateHash == "" {
		return nil
	}
	hash, err := TemplateHash(&target.Spec.Template)
	if err != nil {
		return fmt.Errorf("deployment %s.%s: %w", target.Name, target.Namespace, err)
	}
	if hash != analysed.TemplateHash {
		return fmt.Errorf("deployment %s.%s not promoted: pod template %w", target.Name, target.Namespace, engine.ErrTargetChanged)
	}
	if !w.opts.ConfigTracking || analysed.Configs == nil {
		return nil
	}
	set, err := readConfigs(ctx, w.client.CoreV1(), target.Namespace, &target.Spec.Template.Spec)
	if err != nil {
		return fmt.Errorf("config tracking of deployment %s.%s failed: %w", target.Name, target.Namespace, err)
	}
	sums, err := set.checksums()
	if err != nil {
		return err
	}
	if !maps.Equal(sums, analysed.Configs) {
		return fmt.Errorf("deployment %s.%s not promoted: ConfigMaps or Secrets %w", target.Name, target.Namespace, engine.ErrTargetChanged)
	}
	return nil
}

// copySpec copies what the primary takes from the target, replicas and
// selector aside: the pod template (made the primary's) and the rollout
// settings.
func copySpec(dst, src *appsv1.DeploymentSpec, label, value string, set *configSet) {
	dst.ProgressDeadlineSeconds = copyInt32(src.ProgressDeadlineSeconds)
	dst.MinReadySeconds = src.MinReadySeconds
	dst.RevisionHistoryLimit = copyInt32(src.RevisionHistoryLimit)
	dst.Strategy = *src.Strategy.DeepCopy()
	dst.Template = primaryTemplate(&src.Template, label, value, set)
}

func copyInt32(p *int32) *int32 {
	if p == nil {
		return nil
	}
	return ptr.To(*p)
}

// primaryTemplate turns the target's pod template into the primary's: the
// selector label gets the -primary value (in the labels and in the pod
// (anti-)affinity and topology spread selectors), tracked config refs point
// at the -primary copies, and flagger-id gets a fresh UUID.
func primaryTemplate(src *corev1.PodTemplateSpec, label, value string, set *configSet) corev1.PodTemplateSpec {
	t := src.DeepCopy()
	if t.Labels == nil {
		t.Labels = map[string]string{}
	}
	t.Labels[label] = value + primarySuffix
	if t.Annotations == nil {
		t.Annotations = map[string]string{}
	}
	t.Annotations[FlaggerIDAnnotation] = string(uuid.NewUUID())
	rewriteConfigRefs(&t.Spec, set)
	rewriteSelectors(&t.Spec, label, value)
	return *t
}

// rewriteSelectors points the pod (anti-)affinity and topology spread
// selectors that match the selector label's value at the -primary value,
// so that primary pods spread among themselves as the target's pods did.
//
// Flagger rewrites label values equal to the target's name, whatever the
// key; Fledge rewrites exactly the label it changed on the pods.
func rewriteSelectors(spec *corev1.PodSpec, label, value string) {
	fix := func(sel *metav1.LabelSelector) { rewriteSelector(sel, label, value) }
	if a := spec.Affinity; a != nil {
		if a.PodAffinity != nil {
			rewriteTerms(a.PodAffinity.RequiredDuringSchedulingIgnoredDuringExecution,
				a.PodAffinity.PreferredDuringSchedulingIgnoredDuringExecution, fix)
		}
		if a.PodAntiAffinity != nil {
			rewriteTerms(a.PodAntiAffinity.RequiredDuringSchedulingIgnoredDuringExecution,
				a.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution, fix)
		}
	}
	for i := range spec.TopologySpreadConstraints {
		fix(spec.TopologySpreadConstraints[i].LabelSelector)
	}
}

func rewriteTerms(required []corev1.PodAffinityTerm, preferred []corev1.WeightedPodAffinityTerm, fix func(*metav1.LabelSelector)) {
	for i := range required {
		fix(required[i].LabelSelector)
	}
	for i := range preferred {
		fix(preferred[i].PodAffinityTerm.LabelSelector)
	}
}

func rewriteSelector(sel *metav1.LabelSelector, label, value string) {
	if sel == nil {
		return
	}
	if v, ok := sel.MatchLabels[label]; ok && v == value {
		sel.MatchLabels[label] = value + primarySuffix
	}
	for i := range sel.MatchExpressions {
		e := &sel.MatchExpressions[i]
		if e.Key != label {
			continue
		}
		for j := range e.Values {
			if e.Values[j] == value {
				e.Values[j] = value + primarySuffix
			}
		}
	}
}

// Promote copies the target's pod template, configs and rollout settings
// to the primary (and its replicas, without an autoscaler), retrying on
// conflicts — if the target is still the revision analysed: a template or
// tracked config that changed since the tick observed it is not copied.
// An empty analysed.TemplateHash skips that check.
func (w *Workload) Promote(ctx context.Context, cd *v1.Canary, analysed engine.Target) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		return w.promoteOnce(ctx, cd, analysed)
	})
}

func (w *Workload) promoteOnce(ctx context.Context, cd *v1.Canary, analysed engine.Target) error {
	target, err := w.getDeployment(ctx, cd.Namespace, cd.Spec.TargetRef.Name)
	if err != nil {
		return err
	}
	if err := w.checkAnalysed(ctx, target, analysed); err != nil {
		return err
	}
	primary, err := w.getDeployment(ctx, cd.Namespace, cd.GetPrimaryName())
	if err != nil {
		return err
	}
	label, value, err := w.selectorLabel(target)
	if err != nil {
		return err
	}
	set, err := w.primaryConfigs(ctx, cd, target)
	if err != nil {
		return err
	}
	next := primary.DeepCopy()
	copySpec(&next.Spec, &target.Spec, label, value, set)
	// A target at zero replicas is never copied: it would scale the primary,
	// which serves all traffic, to zero.
	if cd.Spec.AutoscalerRef == nil && target.Spec.Replicas != nil && *target.Spec.Replicas > 0 {
		next.Spec.Replicas = ptr.To(*target.Spec.Replicas)
	}
	next.Labels = w.primaryLabels(target.Labels, label, value+primarySuffix)
	next.Annotations = filterMeta(target.Annotations, w.opts.IncludeLabelPrefixes)
	if _, err := w.client.AppsV1().Deployments(cd.Namespace).Update(ctx, next, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("updating deployment %s.%s template spec failed: %w", next.Name, next.Namespace, err)
	}
	return nil
}
