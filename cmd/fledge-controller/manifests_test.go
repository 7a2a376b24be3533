package main

import (
	"os"
	"reflect"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	"sigs.k8s.io/yaml"
)

func readYAML(t *testing.T, path string, into any) {
	t.Helper()
	data, err := os.ReadFile(path)
	must(t, err)
	if err := yaml.Unmarshal(data, into); err != nil {
		t.Fatalf("%s: %v", path, err)
	}
}

// hardened lists what a container's and its pod's security contexts
// lack: non-root, read-only root filesystem, no privilege escalation,
// every capability dropped, the runtime's seccomp profile.
func hardened(pod *corev1.PodSecurityContext, c *corev1.SecurityContext) []string {
	var missing []string
	check := func(ok bool, what string) {
		if !ok {
			missing = append(missing, what)
		}
	}
	check(pod != nil && pod.RunAsNonRoot != nil && *pod.RunAsNonRoot, "pod runAsNonRoot")
	check(pod != nil && pod.RunAsUser != nil && *pod.RunAsUser != 0, "pod runAsUser not 0")
	check(c != nil && c.RunAsNonRoot != nil && *c.RunAsNonRoot, "container runAsNonRoot")
	check(c != nil && c.ReadOnlyRootFilesystem != nil && *c.ReadOnlyRootFilesystem, "readOnlyRootFilesystem")
	check(c != nil && c.AllowPrivilegeEscalation != nil && !*c.AllowPrivilegeEscalation, "allowPrivilegeEscalation: false")
	check(c != nil && c.Privileged == nil || c != nil && !*c.Privileged, "not privileged")
	check(c != nil && c.Capabilities != nil && reflect.DeepEqual(c.Capabilities.Drop, []corev1.Capability{"ALL"}) &&
		len(c.Capabilities.Add) == 0, "capabilities drop [ALL], add none")
	check(c != nil && c.SeccompProfile != nil && c.SeccompProfile.Type == corev1.SeccompProfileTypeRuntimeDefault, "seccomp RuntimeDefault")
	return missing
}

// TestManifestsHardened checks the controller's Deployment in deploy/ and
// the Helm chart's values (its template puts .Values.podSecurityContext
// and .Values.securityContext.context, Flagger's shape, on the pod and the
// container while securityContext.enabled, the default).
func TestManifestsHardened(t *testing.T) {
	var dep appsv1.Deployment
	readYAML(t, "../../deploy/controller/deployment.yaml", &dep)
	pod := dep.Spec.Template.Spec
	if len(pod.Containers) != 1 {
		t.Fatalf("deploy/controller/deployment.yaml: %d containers, want 1", len(pod.Containers))
	}
	if missing := hardened(pod.SecurityContext, pod.Containers[0].SecurityContext); len(missing) > 0 {
		t.Errorf("deploy/controller/deployment.yaml lacks %s", strings.Join(missing, ", "))
	}
	if !hasTmpVolume(pod) {
		t.Error("deploy/controller/deployment.yaml: no emptyDir at /tmp for the read-only root filesystem")
	}

	var values struct {
		PodSecurityContext *corev1.PodSecurityContext `json:"podSecurityContext"`
		SecurityContext    struct {
			Enabled bool                    `json:"enabled"`
			Context *corev1.SecurityContext `json:"context"`
		} `json:"securityContext"`
	}
	readYAML(t, "../../deploy/chart/fledge/values.yaml", &values)
	if !values.SecurityContext.Enabled {
		t.Error("deploy/chart/fledge/values.yaml: securityContext.enabled is false")
	}
	if missing := hardened(values.PodSecurityContext, values.SecurityContext.Context); len(missing) > 0 {
		t.Errorf("deploy/chart/fledge/values.yaml lacks %s", strings.Join(missing, ", "))
	}
	tpl, err := os.ReadFile("../../deploy/chart/fledge/templates/deployment.yaml")
	must(t, err)
	for _, want := range []string{"{{- with $ctx.Values.podSecurityContext }}\n      securityContext:",
		"{{- with $ctx.Values.securityContext.context }}\n          securityContext:", "mountPath: /tmp"} {
		if !strings.Contains(string(tpl), want) {
			t.Errorf("the chart's deployment template lacks %q", want)
		}
	}
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

// TestChartRBACMatchesDeploy keeps the chart's ClusterRole rules equal to
// deploy/rbac's, which TestShippedRBAC and TestLeastRBAC prove, and checks
// neither has a wildcard.
func TestChartRBACMatchesDeploy(t *testing.T) {
	var shipped rbacv1.ClusterRole
	readYAML(t, "../../deploy/rbac/clusterrole.yaml", &shipped)
	tpl, err := os.ReadFile("../../deploy/chart/fledge/templates/rbac.yaml")
	must(t, err)
	// The rules block of the chart's ClusterRole has no template actions.
	text := string(tpl)
	start := strings.Index(text, "rules:\n")
	end := strings.Index(text, "---\n")
	if start < 0 || end < start {
		t.Fatal("the chart's rbac.yaml has no ClusterRole rules block")
	}
	var chart rbacv1.ClusterRole
	if err := yaml.Unmarshal([]byte(text[start:end]), &chart); err != nil {
		t.Fatalf("the chart's ClusterRole rules: %v", err)
	}
	if !reflect.DeepEqual(chart.Rules, shipped.Rules) {
		t.Errorf("the chart's ClusterRole rules differ from deploy/rbac/clusterrole.yaml:\nchart:  %v\ndeploy: %v", chart.Rules, shipped.Rules)
	}
	for _, r := range shipped.Rules {
		for _, s := range append(append(append([]string(nil), r.Verbs...), r.Resources...), r.APIGroups...) {
			if s == "*" {
				t.Errorf("wildcard in rule %v", r)
			}
		}
	}
}
