package kubecache

import (
	"context"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"
	typedappsv1 "k8s.io/client-go/kubernetes/typed/apps/v1"
	typedautoscalingv2 "k8s.io/client-go/kubernetes/typed/autoscaling/v2"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
)

// The wrappers below embed the clientset's own interfaces and replace only
// Get (from the caches) and the writes the adapters issue (to record their
// answers); everything else is the clientset's.

type kubeClientset struct {
	kubernetes.Interface
	r *readers
}

func (c kubeClientset) AppsV1() typedappsv1.AppsV1Interface {
	return appsV1{AppsV1Interface: c.Interface.AppsV1(), r: c.r}
}

func (c kubeClientset) CoreV1() typedcorev1.CoreV1Interface {
	return coreV1{CoreV1Interface: c.Interface.CoreV1(), r: c.r}
}

func (c kubeClientset) AutoscalingV2() typedautoscalingv2.AutoscalingV2Interface {
	return autoscalingV2{AutoscalingV2Interface: c.Interface.AutoscalingV2(), r: c.r}
}

type appsV1 struct {
	typedappsv1.AppsV1Interface
	r *readers
}

func (a appsV1) Deployments(ns string) typedappsv1.DeploymentInterface {
	return deployments{DeploymentInterface: a.AppsV1Interface.Deployments(ns), ns: ns, r: a.r}
}

type deployments struct {
	typedappsv1.DeploymentInterface
	ns string
	r  *readers
}

func (d deployments) Get(ctx context.Context, name string, opts metav1.GetOptions) (*appsv1.Deployment, error) {
	if live(opts) {
		return d.DeploymentInterface.Get(ctx, name, opts)
	}
	return d.r.deployments.get(ctx, d.ns, name, getter(ctx, d.DeploymentInterface.Get, name))
}

func (d deployments) Create(ctx context.Context, obj *appsv1.Deployment, opts metav1.CreateOptions) (*appsv1.Deployment, error) {
	got, err := d.DeploymentInterface.Create(ctx, obj, opts)
	return written(d.r, "Deployment", d.ns, got, err)
}

func (d deployments) Update(ctx context.Context, obj *appsv1.Deployment, opts metav1.UpdateOptions) (*appsv1.Deployment, error) {
	got, err := d.DeploymentInterface.Update(ctx, obj, opts)
	return written(d.r, "Deployment", d.ns, got, err)
}

func (d deployments) Patch(ctx context.Context, name string, pt types.PatchType, data []byte, opts metav1.PatchOptions, sub ...string) (*appsv1.Deployment, error) {
	got, err := d.DeploymentInterface.Patch(ctx, name, pt, data, opts, sub...)
	return written(d.r, "Deployment", d.ns, got, err)
}

type coreV1 struct {
	typedcorev1.CoreV1Interface
	r *readers
}

func (c coreV1) Services(ns string) typedcorev1.ServiceInterface {
	return services{ServiceInterface: c.CoreV1Interface.Services(ns), ns: ns, r: c.r}
}

func (c coreV1) ConfigMaps(ns string) typedcorev1.ConfigMapInterface {
	return configMaps{ConfigMapInterface: c.CoreV1Interface.ConfigMaps(ns), ns: ns, r: c.r}
}

func (c coreV1) Secrets(ns string) typedcorev1.SecretInterface {
	return secrets{SecretInterface: c.CoreV1Interface.Secrets(ns), ns: ns, r: c.r}
}

type services struct {
	typedcorev1.ServiceInterface
	ns string
	r  *readers
}

func (s services) Get(ctx context.Context, name string, opts metav1.GetOptions) (*corev1.Service, error) {
	if live(opts) {
		return s.ServiceInterface.Get(ctx, name, opts)
	}
	return s.r.services.get(ctx, s.ns, name, getter(ctx, s.ServiceInterface.Get, name))
}

func (s services) Create(ctx context.Context, obj *corev1.Service, opts metav1.CreateOptions) (*corev1.Service, error) {
	got, err := s.ServiceInterface.Create(ctx, obj, opts)
	return written(s.r, "Service", s.ns, got, err)
}

func (s services) Update(ctx context.Context, obj *corev1.Service, opts metav1.UpdateOptions) (*corev1.Service, error) {
	got, err := s.ServiceInterface.Update(ctx, obj, opts)
	return written(s.r, "Service", s.ns, got, err)
}

type configMaps struct {
	typedcorev1.ConfigMapInterface
	ns string
	r  *readers
}

func (c configMaps) Get(ctx context.Context, name string, opts metav1.GetOptions) (*corev1.ConfigMap, error) {
	if live(opts) {
		return c.ConfigMapInterface.Get(ctx, name, opts)
	}
	return c.r.configMaps.get(ctx, c.ns, name, getter(ctx, c.ConfigMapInterface.Get, name))
}

func (c configMaps) Create(ctx context.Context, obj *corev1.ConfigMap, opts metav1.CreateOptions) (*corev1.ConfigMap, error) {
	got, err := c.ConfigMapInterface.Create(ctx, obj, opts)
	return written(c.r, "ConfigMap", c.ns, got, err)
}

func (c configMaps) Update(ctx context.Context, obj *corev1.ConfigMap, opts metav1.UpdateOptions) (*corev1.ConfigMap, error) {
	got, err := c.ConfigMapInterface.Update(ctx, obj, opts)
	return written(c.r, "ConfigMap", c.ns, got, err)
}

type secrets struct {
	typedcorev1.SecretInterface
	ns string
	r  *readers
}

func (s secrets) Get(ctx context.Context, name string, opts metav1.GetOptions) (*corev1.Secret, error) {
	if live(opts) {
		return s.SecretInterface.Get(ctx, name, opts)
	}
	return s.r.secrets.get(ctx, s.ns, name, getter(ctx, s.SecretInterface.Get, name))
}

func (s secrets) Create(ctx context.Context, obj *corev1.Secret, opts metav1.CreateOptions) (*corev1.Secret, error) {
	got, err := s.SecretInterface.Create(ctx, obj, opts)
	return written(s.r, "Secret", s.ns, got, err)
}

func (s secrets) Update(ctx context.Context, obj *corev1.Secret, opts metav1.UpdateOptions) (*corev1.Secret, error) {
	got, err := s.SecretInterface.Update(ctx, obj, opts)
	return written(s.r, "Secret", s.ns, got, err)
}

type autoscalingV2 struct {
	typedautoscalingv2.AutoscalingV2Interface
	r *readers
}

func (a autoscalingV2) HorizontalPodAutoscalers(ns string) typedautoscalingv2.HorizontalPodAutoscalerInterface {
	return hpas{HorizontalPodAutoscalerInterface: a.AutoscalingV2Interface.HorizontalPodAutoscalers(ns), ns: ns, r: a.r}
}

type hpas struct {
	typedautoscalingv2.HorizontalPodAutoscalerInterface
	ns string
	r  *readers
}

func (h hpas) Get(ctx context.Context, name string, opts metav1.GetOptions) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	if live(opts) {
		return h.HorizontalPodAutoscalerInterface.Get(ctx, name, opts)
	}
	return h.r.hpas.get(ctx, h.ns, name, getter(ctx, h.HorizontalPodAutoscalerInterface.Get, name))
}

func (h hpas) Create(ctx context.Context, obj *autoscalingv2.HorizontalPodAutoscaler, opts metav1.CreateOptions) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	got, err := h.HorizontalPodAutoscalerInterface.Create(ctx, obj, opts)
	return written(h.r, "HorizontalPodAutoscaler", h.ns, got, err)
}

func (h hpas) Update(ctx context.Context, obj *autoscalingv2.HorizontalPodAutoscaler, opts metav1.UpdateOptions) (*autoscalingv2.HorizontalPodAutoscaler, error) {
	got, err := h.HorizontalPodAutoscalerInterface.Update(ctx, obj, opts)
	return written(h.r, "HorizontalPodAutoscaler", h.ns, got, err)
}
