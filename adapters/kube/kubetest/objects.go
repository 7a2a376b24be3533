package kubetest

import (
	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// The tutorial's names.
const (
	Namespace = "test"
	Name      = "podinfo"
	Image     = "ghcr.io/stefanprodan/podinfo:6.0.0"
	Port      = 9898
	CanaryUID = "6f1d2c3b-0000-4000-8000-000000000001"
)

// Canary is the tutorial's podinfo Canary: target Deployment podinfo, HPA
// podinfo, service port 9898, OSM provider, stepWeight 5 up to 50.
func Canary(mods ...func(*v1.Canary)) *v1.Canary {
	cd := &v1.Canary{
		TypeMeta:   metav1.TypeMeta{APIVersion: v1.SchemeGroupVersion.String(), Kind: "Canary"},
		ObjectMeta: metav1.ObjectMeta{Name: Name, Namespace: Namespace, UID: CanaryUID},
		Spec: v1.CanarySpec{
			Provider:  v1.ProviderOSM,
			TargetRef: v1.LocalObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: Name},
			AutoscalerRef: &v1.AutoscalerReference{
				APIVersion: "autoscaling/v2", Kind: "HorizontalPodAutoscaler", Name: Name,
			},
			Service: v1.CanaryService{Port: Port},
			Analysis: &v1.CanaryAnalysis{
				Interval: "30s", Threshold: 5, MaxWeight: 50, StepWeight: 5,
			},
		},
	}
	for _, m := range mods {
		m(cd)
	}
	return cd
}

// Deployment is the tutorial's podinfo Deployment: labels and selector
// app=podinfo, one replica, container podinfod listening on 9898.
func Deployment(mods ...func(*appsv1.Deployment)) *appsv1.Deployment {
	labels := map[string]string{"app": Name}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: Name, Namespace: Namespace, Labels: map[string]string{"app": Name}},
		Spec: appsv1.DeploymentSpec{
			Replicas:                ptr.To[int32](1),
			MinReadySeconds:         3,
			RevisionHistoryLimit:    ptr.To[int32](5),
			ProgressDeadlineSeconds: ptr.To[int32](60),
			Strategy: appsv1.DeploymentStrategy{
				Type: appsv1.RollingUpdateDeploymentStrategyType,
			},
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": Name}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:    "podinfod",
					Image:   Image,
					Command: []string{"./podinfo", "--port=9898"},
					Ports:   []corev1.ContainerPort{{Name: "http", ContainerPort: Port, Protocol: corev1.ProtocolTCP}},
				}}},
			},
		},
	}
	for _, m := range mods {
		m(dep)
	}
	return dep
}

// HPA is the tutorial's podinfo HPA (autoscaling/v2): 2 to 4 replicas at
// 99% CPU.
func HPA(mods ...func(*autoscalingv2.HorizontalPodAutoscaler)) *autoscalingv2.HorizontalPodAutoscaler {
	hpa := &autoscalingv2.HorizontalPodAutoscaler{
		ObjectMeta: metav1.ObjectMeta{Name: Name, Namespace: Namespace},
		Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
			ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: Name},
			MinReplicas:    ptr.To[int32](2),
			MaxReplicas:    4,
			Metrics: []autoscalingv2.MetricSpec{{
				Type: autoscalingv2.ResourceMetricSourceType,
				Resource: &autoscalingv2.ResourceMetricSource{
					Name:   corev1.ResourceCPU,
					Target: autoscalingv2.MetricTarget{Type: autoscalingv2.UtilizationMetricType, AverageUtilization: ptr.To[int32](99)},
				},
			}},
		},
	}
	for _, m := range mods {
		m(hpa)
	}
	return hpa
}

// WithoutAutoscaler drops the Canary's autoscalerRef.
func WithoutAutoscaler(cd *v1.Canary) { cd.Spec.AutoscalerRef = nil }

// WithReplicas sets a Deployment's spec.replicas.
func WithReplicas(n int32) func(*appsv1.Deployment) {
	return func(d *appsv1.Deployment) { d.Spec.Replicas = ptr.To(n) }
}

// WithImage sets the image of a Deployment's first container.
func WithImage(image string) func(*appsv1.Deployment) {
	return func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = image }
}
