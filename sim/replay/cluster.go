package replay

import (
	"context"
	"errors"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kfake "k8s.io/client-go/kubernetes/fake"

	smifake "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/fake"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// The cluster a replay runs in: the target Deployment (and its HPA when
// the canary names one) in fake clientsets, as the simulator sets them up.

func targetDeployment(cd *v1.Canary, c scenario.Cluster) *appsv1.Deployment {
	name, labels := cd.Spec.TargetRef.Name, map[string]string{"app": cd.Spec.TargetRef.Name}
	replicas := c.Replicas
	var deadline *int32
	if c.ProgressDeadline > 0 {
		secs := int32(c.ProgressDeadline.D().Seconds())
		deadline = &secs
	}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: cd.Namespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas:                &replicas,
			ProgressDeadlineSeconds: deadline,
			Selector:                &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: c.Container, Image: c.Image,
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: cd.Spec.Service.Port, Protocol: corev1.ProtocolTCP}},
				}}},
			},
		},
	}
}

func newClients(cd *v1.Canary, c scenario.Cluster) (*kfake.Clientset, *smifake.Clientset, error) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: cd.Namespace}}
	// The plain object tracker, as the simulator uses: the field-managed
	// one is many times slower and server-side apply is not used.
	kube := kfake.NewSimpleClientset(ns) //nolint:staticcheck // see above
	if err := kube.Tracker().Add(targetDeployment(cd, c)); err != nil {
		return nil, nil, fmt.Errorf("target deployment: %w", err)
	}
	if ref := cd.Spec.AutoscalerRef; ref != nil {
		minReplicas := max(c.Replicas, 1)
		hpa := &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Name: ref.Name, Namespace: cd.Namespace},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: cd.Spec.TargetRef.Name},
				MinReplicas:    &minReplicas, MaxReplicas: max(4, minReplicas),
			},
		}
		if err := kube.Tracker().Add(hpa); err != nil {
			return nil, nil, fmt.Errorf("target autoscaler: %w", err)
		}
	}
	return kube, smifake.NewSimpleClientset(), nil
}

// statusStore keeps the Canary's status, as the status subresource would.
type statusStore struct {
	mu     sync.Mutex
	status v1.CanaryStatus
}

func (s *statusStore) UpdateStatus(_ context.Context, _ *v1.Canary, st v1.CanaryStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = *st.DeepCopy()
	return nil
}

func (s *statusStore) get() v1.CanaryStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.status.DeepCopy()
}

// recorder keeps the events.
type recorder struct{ events []engine.Event }

func (r *recorder) Record(_ *v1.Canary, e engine.Event) { r.events = append(r.events, e) }

// templates serves the MetricTemplates given with the canary.
type templates map[string]*v1.MetricTemplate

func templatesOf(ts []v1.MetricTemplate, defaultNS string) templates {
	out := templates{}
	for i := range ts {
		t := ts[i].DeepCopy()
		ns := t.Namespace
		if ns == "" {
			ns = defaultNS
		}
		out[ns+"/"+t.Name] = t
	}
	return out
}

func (t templates) Get(_ context.Context, namespace, name string) (*v1.MetricTemplate, error) {
	if m, ok := t[namespace+"/"+name]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("metrictemplate.flagger.app %q not found", name)
}

// webhooks answers every hook as told (--webhook NAME=pass|fail); hooks
// not named pass. Nothing is called: a replay has no loadtester.
type webhooks map[string]scenario.Reply

func (w webhooks) Call(_ context.Context, hook v1.CanaryWebhook, _ engine.Payload) error {
	if r, ok := w[hook.Name]; ok {
		if pass, body, _ := r.Parse(); !pass {
			return errors.New(body)
		}
	}
	return nil
}
