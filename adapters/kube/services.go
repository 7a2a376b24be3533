package kube

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Services manages the apex, -primary and -canary Services of a Canary.
type Services struct {
	client kubernetes.Interface
	seen   seenServices
}

// NewServices returns a Services that talks to the API through client.
func NewServices(client kubernetes.Interface) *Services {
	return &Services{client: client}
}

// serviceRole is one of the three Services: its name, the selector value
// of the pods it selects and the custom metadata of spec.service.
type serviceRole struct {
	name, value string
	meta        *v1.CustomMetadata
}

// Reconcile creates or updates the -canary Service (selecting the target's
// pods), the -primary Service and the apex Service (both selecting the
// primary's pods), in that order. When neither the Canary's spec (its
// generation), the target's selector nor the Services moved since a
// Reconcile found them in sync, they are still in sync: nothing is built
// or compared.
func (s *Services) Reconcile(ctx context.Context, cd *v1.Canary, target engine.Target) error {
	if target.SelectorLabel == "" {
		return fmt.Errorf("services of canary %s.%s: the target's selector label is unknown", cd.Name, cd.Namespace)
	}
	names := cd.GetServiceNames()
	primaryValue := target.SelectorValue + primarySuffix
	roles := [3]serviceRole{
		{names.Canary, target.SelectorValue, cd.Spec.Service.Canary},
		{names.Primary, primaryValue, cd.Spec.Service.Primary},
		{names.Apex, primaryValue, cd.Spec.Service.Apex},
	}
	got, err := s.read(ctx, cd.Namespace, roles)
	if err != nil {
		return err
	}
	key := types.NamespacedName{Namespace: cd.Namespace, Name: cd.Name}
	memo, inputs := memoizable(cd), wants(cd, target)
	if memo && s.seen.matches(key, inputs, got) {
		return nil
	}
	ports, err := s.ports(ctx, cd)
	if err != nil {
		return err
	}
	wrote := false
	for i, r := range roles {
		want := newService(cd, r, target.SelectorLabel, ports)
		changed, err := s.reconcile(ctx, cd, want, got[i])
		if err != nil {
			return err
		}
		wrote = wrote || changed
	}
	if memo && !wrote {
		s.seen.remember(key, inputs, got)
	}
	return nil
}

// Forget drops what Reconcile remembered of a Canary that is gone.
func (s *Services) Forget(namespace, name string) {
	s.seen.forget(types.NamespacedName{Namespace: namespace, Name: name})
}

// read gets the Services of the roles; nil for one that does not exist.
// What it answers is only read: it may be a cache's.
func (s *Services) read(ctx context.Context, namespace string, roles [3]serviceRole) ([3]*corev1.Service, error) {
	var got [3]*corev1.Service
	api := s.client.CoreV1().Services(namespace)
	for i, r := range roles {
		svc, err := api.Get(ctx, r.name, metav1.GetOptions{})
		if apierrors.IsNotFound(err) {
			continue
		}
		if err != nil {
			return got, fmt.Errorf("service %s.%s get query error: %w", r.name, namespace, err)
		}
		got[i] = svc
	}
	return got, nil
}

// newService builds a Service as the Canary wants it.
func newService(cd *v1.Canary, r serviceRole, label string, ports []corev1.ServicePort) *corev1.Service {
	labels := map[string]string{label: r.name}
	var annotations map[string]string
	if r.meta != nil {
		maps.Copy(labels, filterMeta(r.meta.Labels, nil))
		annotations = filterMeta(r.meta.Annotations, nil)
	}
	svc := &corev1.Service{
		ObjectMeta: metav1.ObjectMeta{
			Name:            r.name,
			Namespace:       cd.Namespace,
			Labels:          labels,
			Annotations:     annotations,
			OwnerReferences: []metav1.OwnerReference{OwnerReference(cd)},
		},
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: map[string]string{label: r.value},
			Ports:    slices.Clone(ports),
		},
	}
	if cd.Spec.Service.Headless {
		svc.Spec.ClusterIP = corev1.ClusterIPNone
	}
	if td := cd.Spec.Service.TrafficDistribution; td != "" {
		svc.Spec.TrafficDistribution = ptr.To(td)
	}
	return svc
}

// reconcile creates the Service when got is nil, or updates got when its
// ports or selector differ (and, when the Canary owns it, its metadata or
// traffic distribution). An existing Service the Canary does not own gets
// only its selector and ports overwritten. It reports whether it wrote.
func (s *Services) reconcile(ctx context.Context, cd *v1.Canary, want, got *corev1.Service) (bool, error) {
	api := s.client.CoreV1().Services(want.Namespace)
	if got == nil {
		if _, err := api.Create(ctx, want, metav1.CreateOptions{}); err != nil {
			return false, fmt.Errorf("creating service %s.%s failed: %w", want.Name, want.Namespace, err)
		}
		return true, nil
	}
	next := syncedService(got, want, cd)
	if next == nil {
		return false, nil
	}
	if _, err := api.Update(ctx, next, metav1.UpdateOptions{}); err != nil {
		return false, fmt.Errorf("updating service %s.%s failed: %w", want.Name, want.Namespace, err)
	}
	return true, nil
}

// syncedService returns a copy of got with want's ports and selector (and,
// when the Canary owns got, its metadata and traffic distribution), or nil
// when got has them already. got is only read: it may be a cache's.
func syncedService(got, want *corev1.Service, cd *v1.Canary) *corev1.Service {
	portsDiffer := !portsEqual(got.Spec.Ports, want.Spec.Ports)
	selectorDiffers := !maps.Equal(got.Spec.Selector, want.Spec.Selector)
	owned := isOwnedBy(&got.ObjectMeta, cd)
	var labels, annotations map[string]string
	metaDiffers := false
	if owned {
		labels, annotations = ownedMeta(got, want, cd.Spec.Service.UnmanagedMetadata)
		metaDiffers = !maps.Equal(labels, got.Labels) || !maps.Equal(annotations, got.Annotations) ||
			ptr.Deref(got.Spec.TrafficDistribution, "") != ptr.Deref(want.Spec.TrafficDistribution, "")
	}
	if !portsDiffer && !selectorDiffers && !metaDiffers {
		return nil
	}
	next := got.DeepCopy()
	if portsDiffer {
		next.Spec.Ports = withNodePorts(want.Spec.Ports, got.Spec.Ports)
	}
	if selectorDiffers {
		next.Spec.Selector = maps.Clone(want.Spec.Selector)
	}
	if owned {
		next.Labels, next.Annotations = labels, annotations
		next.Spec.TrafficDistribution = want.Spec.TrafficDistribution
	}
	return next
}

// ownedMeta are the labels and annotations of a Service the Canary owns:
// the wanted ones, keeping the unmanaged keys' current values.
func ownedMeta(got, want *corev1.Service, unmanaged *v1.UnmanagedMetadata) (labels, annotations map[string]string) {
	var keepLabels, keepAnnotations []string
	if unmanaged != nil {
		keepLabels, keepAnnotations = unmanaged.Labels, unmanaged.Annotations
	}
	return withKept(want.Labels, got.Labels, keepLabels), withKept(want.Annotations, got.Annotations, keepAnnotations)
}

// withKept returns want plus the current values of the kept keys.
func withKept(want, current map[string]string, keep []string) map[string]string {
	out := maps.Clone(want)
	if out == nil {
		out = map[string]string{}
	}
	for _, k := range keep {
		if v, ok := current[k]; ok {
			out[k] = v
		}
	}
	return out
}

// ports are the Service ports: the managed port, then with portDiscovery
// the target's container ports.
func (s *Services) ports(ctx context.Context, cd *v1.Canary) ([]corev1.ServicePort, error) {
	spec := cd.Spec.Service
	main := corev1.ServicePort{
		Name:        spec.GetPortName(),
		Protocol:    corev1.ProtocolTCP,
		Port:        spec.Port,
		TargetPort:  intstr.Parse(spec.GetTargetPort()),
		AppProtocol: spec.AppProtocol,
	}
	if !spec.PortDiscovery {
		return []corev1.ServicePort{main}, nil
	}
	name := cd.Spec.TargetRef.Name
	dep, err := s.client.AppsV1().Deployments(cd.Namespace).Get(ctx, name, metav1.GetOptions{})
	if err != nil {
		return nil, fmt.Errorf("deployment %s.%s get query error: %w", name, cd.Namespace, err)
	}
	return append([]corev1.ServicePort{main}, discoverPorts(dep.Spec.Template.Spec.Containers, main)...), nil
}

// discoverPorts lists the container ports as Service ports, skipping the
// mesh sidecars (istio-proxy, envoy), the managed port and its target
// port, and duplicates. An unnamed port is named tcp-<container>-<index>.
func discoverPorts(containers []corev1.Container, main corev1.ServicePort) []corev1.ServicePort {
	var out []corev1.ServicePort
	seen := map[string]bool{}
	for _, c := range containers {
		if c.Name == "istio-proxy" || c.Name == "envoy" {
			continue
		}
		for i, p := range c.Ports {
			if isMainPort(p, main) {
				continue
			}
			sp := corev1.ServicePort{
				Name:       p.Name,
				Protocol:   p.Protocol,
				Port:       p.ContainerPort,
				TargetPort: intstr.FromInt32(p.ContainerPort),
			}
			if sp.Name == "" {
				sp.Name = fmt.Sprintf("tcp-%s-%d", c.Name, i)
			}
			if sp.Protocol == "" {
				sp.Protocol = corev1.ProtocolTCP
			}
			key := fmt.Sprintf("%d/%s", sp.Port, sp.Protocol)
			if seen[key] || seen[sp.Name] {
				continue
			}
			seen[key], seen[sp.Name] = true, true
			out = append(out, sp)
		}
	}
	return out
}

func isMainPort(p corev1.ContainerPort, main corev1.ServicePort) bool {
	if p.ContainerPort == main.Port {
		return true
	}
	if main.TargetPort.Type == intstr.String {
		return p.Name == main.TargetPort.StrVal
	}
	return p.ContainerPort == main.TargetPort.IntVal
}

// portsEqual compares ports by name, protocol, port, target port and app
// protocol, in name order; node ports are the API's and are ignored.
func portsEqual(a, b []corev1.ServicePort) bool {
	if len(a) != len(b) {
		return false
	}
	if slices.EqualFunc(a, b, samePort) {
		return true // in the same order already: nothing to sort
	}
	return slices.EqualFunc(sortedPorts(a), sortedPorts(b), samePort)
}

// samePort compares what portsEqual compares of one port.
func samePort(x, y corev1.ServicePort) bool {
	return x.Name == y.Name && x.Protocol == y.Protocol && x.Port == y.Port && x.TargetPort == y.TargetPort &&
		ptr.Deref(x.AppProtocol, "") == ptr.Deref(y.AppProtocol, "")
}

func sortedPorts(ports []corev1.ServicePort) []corev1.ServicePort {
	out := slices.Clone(ports)
	slices.SortFunc(out, func(x, y corev1.ServicePort) int {
		if c := strings.Compare(x.Name, y.Name); c != 0 {
			return c
		}
		return int(x.Port) - int(y.Port)
	})
	return out
}

// withNodePorts returns the wanted ports with the node ports the existing
// ports of the same name were given.
func withNodePorts(want, current []corev1.ServicePort) []corev1.ServicePort {
	out := slices.Clone(want)
	for i := range out {
		for _, c := range current {
			if c.Name == out[i].Name && c.NodePort != 0 {
				out[i].NodePort = c.NodePort
			}
		}
	}
	return out
}
