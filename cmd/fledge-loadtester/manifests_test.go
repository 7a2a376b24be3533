package main

import (
	"io"
	"os"
	"reflect"
	"slices"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"sigs.k8s.io/yaml"
)

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := yaml.UnmarshalStrict(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// TestManifests checks deploy/loadtester: Flagger's names and port (the
// tutorial's http://flagger-loadtester.test/), arguments this binary
// accepts, a hardened pod, probes on /healthz.
func TestManifests(t *testing.T) {
	var dep appsv1.Deployment
	var svc corev1.Service
	var kust struct {
		APIVersion string   `json:"apiVersion"`
		Kind       string   `json:"kind"`
		Namespace  string   `json:"namespace"`
		Resources  []string `json:"resources"`
	}
	readYAML(t, "../../deploy/loadtester/deployment.yaml", &dep)
	readYAML(t, "../../deploy/loadtester/service.yaml", &svc)
	readYAML(t, "../../deploy/loadtester/kustomization.yaml", &kust)
	if kust.Namespace != "test" || !slices.Equal(kust.Resources, []string{"deployment.yaml", "service.yaml"}) {
		t.Errorf("kustomization: namespace %q, resources %v; want test and both files", kust.Namespace, kust.Resources)
	}
	if dep.Name != "flagger-loadtester" || svc.Name != "flagger-loadtester" {
		t.Errorf("names %q and %q, want flagger-loadtester", dep.Name, svc.Name)
	}
	flaggerSelector := map[string]string{"app": "flagger-loadtester"}
	if !reflect.DeepEqual(dep.Spec.Selector.MatchLabels, flaggerSelector) || !reflect.DeepEqual(svc.Spec.Selector, flaggerSelector) {
		t.Errorf("selectors %v and %v, want Flagger's %v", dep.Spec.Selector.MatchLabels, svc.Spec.Selector, flaggerSelector)
	}
	if dep.Spec.Template.Labels["app"] != "flagger-loadtester" {
		t.Errorf("pod labels %v do not match the selector", dep.Spec.Template.Labels)
	}
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("%d containers, want 1", len(pod.Containers))
	}
	c := pod.Containers[0]
	if !strings.HasPrefix(c.Image, "ghcr.io/fledge-canary/fledge-loadtester:") {
		t.Errorf("image %s", c.Image)
	}
	f, err := parseFlags(c.Args, io.Discard)
	if err != nil {
		t.Fatalf("the Deployment's args %q: %v", c.Args, err)
	}
	if len(c.Ports) != 1 || c.Ports[0].Name != "http" || int(c.Ports[0].ContainerPort) != f.port {
		t.Errorf("container ports %v, want http on -port=%d", c.Ports, f.port)
	}
	if len(svc.Spec.Ports) != 1 || svc.Spec.Ports[0].Port != 80 || svc.Spec.Ports[0].TargetPort != intstr.FromString("http") {
		t.Errorf("service ports %v, want 80 → http", svc.Spec.Ports)
	}
	for name, probe := range map[string]*corev1.Probe{"liveness": c.LivenessProbe, "readiness": c.ReadinessProbe} {
		if probe == nil || probe.HTTPGet == nil || probe.HTTPGet.Path != "/healthz" || probe.HTTPGet.Port != intstr.FromString("http") {
			t.Errorf("%s probe %+v, want GET /healthz on http", name, probe)
		}
	}
	if missing := hardened(pod.SecurityContext, c.SecurityContext); len(missing) > 0 {
		t.Errorf("the pod lacks %s", strings.Join(missing, ", "))
	}
	if !hasTmpVolume(pod) {
		t.Error("no emptyDir at /tmp for the read-only root filesystem")
	}
}

// hardened lists what a pod's and its container's security contexts lack.
func hardened(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) []string {
	var missing []string
	check := func(ok bool, what string) {
		if !ok {
			missing = append(missing, what)
		}
	}
	check(pod != nil && pod.RunAsNonRoot != nil && *pod.RunAsNonRoot, "pod runAsNonRoot")
	check(pod != nil && pod.RunAsUser != nil && *pod.RunAsUser == 65532, "pod runAsUser 65532")
	check(c != nil && c.RunAsNonRoot != nil && *c.RunAsNonRoot, "container runAsNonRoot")
	check(c != nil && c.ReadOnlyRootFilesystem != nil && *c.ReadOnlyRootFilesystem, "readOnlyRootFilesystem")
	check(c != nil && c.AllowPrivilegeEscalation != nil && !*c.AllowPrivilegeEscalation, "allowPrivilegeEscalation: false")
	check(c != nil && c.Capabilities != nil && reflect.DeepEqual(c.Capabilities.Drop, []corev1.Capability{"ALL"}) &&
		len(c.Capabilities.Add) == 0, "capabilities drop [ALL], add none")
	check(c != nil && c.SeccompProfile != nil && c.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault, "seccomp RuntimeDefault")
	return missing
}

func hasTmpVolume(pod corev1.PodSpec) bool {
	for _, m := range pod.Containers[0].VolumeMounts {
		for _, v := range pod.Volumes {
			if m.MountPath == "/tmp" && v.Name == m.Name && v.EmptyDir != nil {
				return true
			}
		}
	}
	return false
}
