package kube

import (
	"context"
	"fmt"
	"sort"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// upsertPrimaryConfigs creates or updates the -primary copy of every
// tracked ConfigMap and Secret: data (and Secret type) copied, labels and
// annotations filtered by the include prefixes, the Canary added to the
// owners while other owners are kept.
func (w *Workload) upsertPrimaryConfigs(ctx context.Context, cd *v1.Canary, set *configSet) error {
	for _, name := range sortedKeys(set.configMaps) {
		if err := w.upsertConfigMap(ctx, cd, set.configMaps[name]); err != nil {
			return err
		}
	}
	for _, name := range sortedKeys(set.secrets) {
		if err := w.upsertSecret(ctx, cd, set.secrets[name]); err != nil {
			return err
		}
	}
	return nil
}

// primaryConfigMeta is the metadata of the -primary copy of src.
func (w *Workload) primaryConfigMeta(cd *v1.Canary, src *metav1.ObjectMeta) metav1.ObjectMeta {
	return metav1.ObjectMeta{
		Name:            src.Name + primarySuffix,
		Namespace:       src.Namespace,
		Labels:          filterMeta(src.Labels, w.opts.IncludeLabelPrefixes),
		Annotations:     filterMeta(src.Annotations, w.opts.IncludeLabelPrefixes),
		OwnerReferences: []metav1.OwnerReference{sharedOwnerReference(cd)},
	}
}

func (w *Workload) upsertConfigMap(ctx context.Context, cd *v1.Canary, src *corev1.ConfigMap) error {
	want := &corev1.ConfigMap{
		ObjectMeta: w.primaryConfigMeta(cd, &src.ObjectMeta),
		Data:       src.Data,
		BinaryData: src.BinaryData,
	}
	api := w.client.CoreV1().ConfigMaps(src.Namespace)
	got, err := api.Get(ctx, want.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if _, err := api.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating configmap %s.%s failed: %w", want.Name, want.Namespace, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("configmap %s.%s get query error: %w", want.Name, want.Namespace, err)
	}
	next := got.DeepCopy()
	next.Data, next.BinaryData = want.Data, want.BinaryData
	mergeConfigMeta(&next.ObjectMeta, &want.ObjectMeta)
	if equality.Semantic.DeepEqual(got, next) {
		return nil
	}
	if _, err := api.Update(ctx, next, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("updating configmap %s.%s failed: %w", want.Name, want.Namespace, err)
	}
	return nil
}

func (w *Workload) upsertSecret(ctx context.Context, cd *v1.Canary, src *corev1.Secret) error {
	want := &corev1.Secret{
		ObjectMeta: w.primaryConfigMeta(cd, &src.ObjectMeta),
		Type:       src.Type,
		Data:       src.Data,
	}
	api := w.client.CoreV1().Secrets(src.Namespace)
	got, err := api.Get(ctx, want.Name, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		if _, err := api.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			return fmt.Errorf("creating secret %s.%s failed: %w", want.Name, want.Namespace, err)
		}
		return nil
	}
	if err != nil {
		return fmt.Errorf("secret %s.%s get query error: %w", want.Name, want.Namespace, err)
	}
	next := got.DeepCopy()
	next.Data, next.StringData = want.Data, nil
	mergeConfigMeta(&next.ObjectMeta, &want.ObjectMeta)
	if equality.Semantic.DeepEqual(got, next) {
		return nil
	}
	if _, err := api.Update(ctx, next, metav1.UpdateOptions{}); err != nil {
		return fmt.Errorf("updating secret %s.%s failed: %w", want.Name, want.Namespace, err)
	}
	return nil
}

// mergeConfigMeta sets the copied labels and annotations on an existing
// -primary config and adds the Canary to its owners, keeping the others.
func mergeConfigMeta(dst, want *metav1.ObjectMeta) {
	dst.Labels, dst.Annotations = want.Labels, want.Annotations
	for _, ref := range want.OwnerReferences {
		dst.OwnerReferences = withOwner(dst.OwnerReferences, ref)
	}
}

// rewriteConfigRefs points the pod spec's references to tracked ConfigMaps
// and Secrets at their -primary copies. Untracked ones are left alone.
func rewriteConfigRefs(spec *corev1.PodSpec, set *configSet) {
	cm := func(name *string) {
		if _, ok := set.configMaps[*name]; ok {
			*name += primarySuffix
		}
	}
	sec := func(name *string) {
		if _, ok := set.secrets[*name]; ok {
			*name += primarySuffix
		}
	}
	for i := range spec.Volumes {
		rewriteVolume(&spec.Volumes[i], cm, sec)
	}
	for _, c := range allContainers(spec) {
		rewriteContainer(c, cm, sec)
	}
}

func rewriteVolume(v *corev1.Volume, cm, sec func(*string)) {
	if v.ConfigMap != nil {
		cm(&v.ConfigMap.Name)
	}
	if v.Secret != nil {
		sec(&v.Secret.SecretName)
	}
	if v.Projected == nil {
		return
	}
	for i := range v.Projected.Sources {
		src := &v.Projected.Sources[i]
		if src.ConfigMap != nil {
			cm(&src.ConfigMap.Name)
		}
		if src.Secret != nil {
			sec(&src.Secret.Name)
		}
	}
}

func rewriteContainer(c *corev1.Container, cm, sec func(*string)) {
	for i := range c.Env {
		from := c.Env[i].ValueFrom
		if from == nil {
			continue
		}
		if from.ConfigMapKeyRef != nil {
			cm(&from.ConfigMapKeyRef.Name)
		}
		if from.SecretKeyRef != nil {
			sec(&from.SecretKeyRef.Name)
		}
	}
	for i := range c.EnvFrom {
		if ref := c.EnvFrom[i].ConfigMapRef; ref != nil {
			cm(&ref.Name)
		}
		if ref := c.EnvFrom[i].SecretRef; ref != nil {
			sec(&ref.Name)
		}
	}
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}
