package sim

import (
	"context"
	"fmt"
	"sync"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kfake "k8s.io/client-go/kubernetes/fake"

	smifake "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/fake"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// targetObjects are the target Deployment (and its HPA when the canary
// names one) as the tutorial's kustomization creates them.
func targetObjects(cd *v1.Canary, c scenario.Cluster) []any {
	name, labels := cd.Spec.TargetRef.Name, map[string]string{"app": cd.Spec.TargetRef.Name}
	image, container, replicas := c.Image, c.Container, c.Replicas
	var deadline *int32
	if c.ProgressDeadline > 0 {
		secs := int32(c.ProgressDeadline.D().Seconds())
		deadline = &secs
	}
	dep := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: cd.Namespace, Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas:                &replicas,
			ProgressDeadlineSeconds: deadline,
			Selector:                &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: container, Image: image,
					Ports: []corev1.ContainerPort{{Name: "http", ContainerPort: cd.Spec.Service.Port, Protocol: corev1.ProtocolTCP}},
				}}},
			},
		},
	}
	objs := []any{dep}
	if ref := cd.Spec.AutoscalerRef; ref != nil {
		minReplicas := max(replicas, 1)
		objs = append(objs, &autoscalingv2.HorizontalPodAutoscaler{
			ObjectMeta: metav1.ObjectMeta{Name: ref.Name, Namespace: cd.Namespace},
			Spec: autoscalingv2.HorizontalPodAutoscalerSpec{
				ScaleTargetRef: autoscalingv2.CrossVersionObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: name},
				MinReplicas:    &minReplicas, MaxReplicas: max(4, minReplicas),
			},
		})
	}
	return objs
}

// NewClients returns the fake clientsets of a run: the canary's namespace
// and its target Deployment (with its HPA when the canary names one), as
// the tutorial's kustomization creates them, and an empty SMI clientset.
// fledge replay sets its cluster up with it too.
func NewClients(cd *v1.Canary, c scenario.Cluster) (*kfake.Clientset, *smifake.Clientset) {
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: cd.Namespace}}
	// NewSimpleClientset's plain object tracker: NewClientset's field-managed
	// tracker builds a REST mapper on every write, which made a replay
	// twenty times slower. Server-side apply is not used here.
	kube := kfake.NewSimpleClientset(ns) //nolint:staticcheck // see above
	for _, o := range targetObjects(cd, c) {
		switch o := o.(type) {
		case *appsv1.Deployment:
			_ = kube.Tracker().Add(o)
		case *autoscalingv2.HorizontalPodAutoscaler:
			_ = kube.Tracker().Add(o)
		}
	}
	return kube, smifake.NewSimpleClientset()
}

// statusStore keeps the Canary's status, as the API server's status
// subresource would.
type statusStore struct {
	mu     sync.Mutex
	status v1.CanaryStatus
	writes int
}

func (s *statusStore) UpdateStatus(_ context.Context, _ *v1.Canary, st v1.CanaryStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = *st.DeepCopy()
	s.writes++
	return nil
}

// recorder keeps the events with their virtual time.
type recorder struct{ events []engine.Event }

func (r *recorder) Record(_ *v1.Canary, e engine.Event) { r.events = append(r.events, e) }

// templates serves the scenario's MetricTemplates.
type templates map[string]*v1.MetricTemplate

func (t templates) Get(_ context.Context, namespace, name string) (*v1.MetricTemplate, error) {
	if m, ok := t[namespace+"/"+name]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("metrictemplate.flagger.app %q not found", name)
}

// routeLog wraps the router to record every weight it was set to.
type routeLog struct {
	engine.Router
	now    func() time.Time
	writes []RouteWrite
}

// RouteWrite is a weight change of the TrafficSplit.
type RouteWrite struct {
	Time   time.Time     `json:"time"`
	Routes decide.Routes `json:"routes"`
}

func (r *routeLog) SetRoutes(ctx context.Context, cd *v1.Canary, routes decide.Routes) error {
	if err := r.Router.SetRoutes(ctx, cd, routes); err != nil {
		return err
	}
	r.writes = append(r.writes, RouteWrite{Time: r.now(), Routes: routes})
	return nil
}
