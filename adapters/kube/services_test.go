package kube

import (
	"context"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

var podinfoTarget = engine.Target{SelectorLabel: "app", SelectorValue: "podinfo"}

func getService(t *testing.T, c *fake.Clientset, name string) *corev1.Service {
	t.Helper()
	svc, err := c.CoreV1().Services("test").Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get service %s: %v", name, err)
	}
	return svc
}

func countVerb(c *fake.Clientset, verb, resource string) int {
	n := 0
	for _, a := range c.Actions() {
		if a.GetVerb() == verb && a.GetResource().Resource == resource {
			n++
		}
	}
	return n
}

func TestServicesCreate(t *testing.T) {
	c := fake.NewClientset()
	cd := kubetest.Canary(func(cd *v1.Canary) {
		cd.Spec.Service.Apex = &v1.CustomMetadata{
			Labels:      map[string]string{"tier": "web", "kustomize.toolkit.fluxcd.io/name": "apps"},
			Annotations: map[string]string{"note": "apex"},
		}
	})
	if err := NewServices(c).Reconcile(context.Background(), cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct{ name, selector string }{
		{"podinfo", "podinfo-primary"}, {"podinfo-primary", "podinfo-primary"}, {"podinfo-canary", "podinfo"},
	} {
		checkService(t, getService(t, c, tt.name), tt.selector, cd)
	}
	apex := getService(t, c, "podinfo")
	if len(apex.Labels) != 2 || apex.Labels["tier"] != "web" || apex.Annotations["note"] != "apex" {
		t.Errorf("apex metadata: %v %v", apex.Labels, apex.Annotations)
	}
	if n := countVerb(c, "create", "services"); n != 3 {
		t.Errorf("%d creates, want 3", n)
	}
	if err := NewServices(c).Reconcile(context.Background(), cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	if n := countVerb(c, "update", "services"); n != 0 {
		t.Errorf("%d updates of unchanged services", n)
	}
}

// checkService checks a created Service: ClusterIP, one port 9898, the
// selector, the label naming it and the Canary owner.
func checkService(t *testing.T, svc *corev1.Service, selector string, cd *v1.Canary) {
	t.Helper()
	if svc.Spec.Type != corev1.ServiceTypeClusterIP || svc.Spec.Selector["app"] != selector || len(svc.Spec.Selector) != 1 {
		t.Errorf("%s: type %s, selector %v", svc.Name, svc.Spec.Type, svc.Spec.Selector)
	}
	want := corev1.ServicePort{Name: "http", Protocol: corev1.ProtocolTCP, Port: 9898, TargetPort: intstr.FromInt32(9898)}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0] != want {
		t.Errorf("%s: ports %+v", svc.Name, svc.Spec.Ports)
	}
	if svc.Labels["app"] != svc.Name {
		t.Errorf("%s: labels %v", svc.Name, svc.Labels)
	}
	if !equalOwner(svc.OwnerReferences, OwnerReference(cd)) {
		t.Errorf("%s: owners %+v", svc.Name, svc.OwnerReferences)
	}
}

func TestServicesPorts(t *testing.T) {
	tests := []struct {
		name    string
		service v1.CanaryService
		want    []corev1.ServicePort
		cip     string
	}{
		{
			name:    "named target port, app protocol, headless",
			service: v1.CanaryService{Port: 80, PortName: "grpc", TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("grpc"), Headless: true},
			want: []corev1.ServicePort{
				{Name: "grpc", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromString("http"), AppProtocol: ptr.To("grpc")},
			},
			cip: corev1.ClusterIPNone,
		},
		{
			name:    "port discovery",
			service: v1.CanaryService{Port: 9898, PortDiscovery: true},
			want: []corev1.ServicePort{
				{Name: "http", Protocol: corev1.ProtocolTCP, Port: 9898, TargetPort: intstr.FromInt32(9898)},
				{Name: "http-metrics", Protocol: corev1.ProtocolTCP, Port: 9797, TargetPort: intstr.FromInt32(9797)},
				{Name: "tcp-podinfod-2", Protocol: corev1.ProtocolUDP, Port: 9999, TargetPort: intstr.FromInt32(9999)},
			},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dep := kubetest.Deployment(func(d *appsv1.Deployment) {
				c := &d.Spec.Template.Spec.Containers[0]
				c.Ports = append(c.Ports,
					corev1.ContainerPort{Name: "http-metrics", ContainerPort: 9797},
					corev1.ContainerPort{ContainerPort: 9999, Protocol: corev1.ProtocolUDP})
				d.Spec.Template.Spec.Containers = append(d.Spec.Template.Spec.Containers, corev1.Container{
					Name: "envoy", Ports: []corev1.ContainerPort{{Name: "admin", ContainerPort: 15000}},
				})
			})
			c := fake.NewClientset(dep)
			cd := kubetest.Canary(func(cd *v1.Canary) { cd.Spec.Service = tt.service })
			if err := NewServices(c).Reconcile(context.Background(), cd, podinfoTarget); err != nil {
				t.Fatal(err)
			}
			svc := getService(t, c, "podinfo-canary")
			if !portsEqual(svc.Spec.Ports, tt.want) || svc.Spec.ClusterIP != tt.cip {
				t.Errorf("ports %+v, clusterIP %q", svc.Spec.Ports, svc.Spec.ClusterIP)
			}
		})
	}
}

func TestServicesTakeOverApex(t *testing.T) {
	apex := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: "test", Labels: map[string]string{"owner": "user"}},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeNodePort,
			Selector: map[string]string{"app": "podinfo"},
			Ports:    []corev1.ServicePort{{Name: "http", Protocol: corev1.ProtocolTCP, Port: 80, TargetPort: intstr.FromInt32(9898), NodePort: 30080}},
		},
	}
	c := fake.NewClientset(apex)
	if err := NewServices(c).Reconcile(context.Background(), kubetest.Canary(), podinfoTarget); err != nil {
		t.Fatal(err)
	}
	got := getService(t, c, "podinfo")
	if got.Spec.Selector["app"] != "podinfo-primary" || got.Spec.Ports[0].Port != 9898 {
		t.Errorf("apex not taken over: %+v", got.Spec)
	}
	if got.Spec.Ports[0].NodePort != 30080 || got.Spec.Type != corev1.ServiceTypeNodePort {
		t.Errorf("node port or type lost: %+v", got.Spec)
	}
	if len(got.Labels) != 1 || got.Labels["owner"] != "user" || len(got.OwnerReferences) != 0 {
		t.Errorf("metadata of an unowned apex touched: %v %v", got.Labels, got.OwnerReferences)
	}
}

func TestServicesOwnedMetadata(t *testing.T) {
	c := fake.NewClientset()
	cd := kubetest.Canary(func(cd *v1.Canary) {
		cd.Spec.Service.UnmanagedMetadata = &v1.UnmanagedMetadata{Annotations: []string{"keep"}}
	})
	s := NewServices(c)
	ctx := context.Background()
	if err := s.Reconcile(ctx, cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	svc := getService(t, c, "podinfo-canary")
	svc.Annotations = map[string]string{"keep": "1", "drop": "2"}
	if _, err := c.CoreV1().Services("test").Update(ctx, svc, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	cd.Spec.Service.Canary = &v1.CustomMetadata{Annotations: map[string]string{"new": "3"}}
	if err := s.Reconcile(ctx, cd, podinfoTarget); err != nil {
		t.Fatal(err)
	}
	got := getService(t, c, "podinfo-canary").Annotations
	if len(got) != 2 || got["keep"] != "1" || got["new"] != "3" {
		t.Errorf("annotations = %v, want keep and new", got)
	}
}

func TestServicesErrors(t *testing.T) {
	s := NewServices(fake.NewClientset())
	ctx := context.Background()
	if err := s.Reconcile(ctx, kubetest.Canary(), engine.Target{}); err == nil {
		t.Error("no selector label accepted")
	}
	cd := kubetest.Canary(func(cd *v1.Canary) { cd.Spec.Service.PortDiscovery = true })
	err := s.Reconcile(ctx, cd, podinfoTarget)
	if err == nil || !strings.HasPrefix(err.Error(), "deployment podinfo.test get query error: ") {
		t.Errorf("port discovery without a target: %v", err)
	}
}
