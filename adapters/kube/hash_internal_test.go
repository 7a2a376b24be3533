package kube

import (
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
)

func TestHashMemoHashesEachVersionOnce(t *testing.T) {
	dep := func(uid types.UID, version, image string) *appsv1.Deployment {
		return &appsv1.Deployment{
			ObjectMeta: metav1.ObjectMeta{UID: uid, ResourceVersion: version},
			Spec: appsv1.DeploymentSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
				Containers: []corev1.Container{{Name: "podinfod", Image: image}},
			}}},
		}
	}
	hashOf := func(image string) string {
		h, err := TemplateHash(&dep("", "", image).Spec.Template)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	var m hashMemo
	steps := []struct {
		name string
		dep  *appsv1.Deployment
		want string
	}{
		{"first read", dep("u1", "10", "podinfo:6.0.0"), hashOf("podinfo:6.0.0")},
		// A changed template under the same version cannot happen on an
		// API server: it shows that the memo answered.
		{"same version", dep("u1", "10", "podinfo:6.0.1"), hashOf("podinfo:6.0.0")},
		{"new version", dep("u1", "11", "podinfo:6.0.1"), hashOf("podinfo:6.0.1")},
		{"another deployment", dep("u2", "11", "podinfo:6.0.2"), hashOf("podinfo:6.0.2")},
		{"no version: hashed", dep("", "", "podinfo:6.0.3"), hashOf("podinfo:6.0.3")},
	}
	for _, s := range steps {
		got, err := m.of(s.dep)
		if err != nil {
			t.Fatal(err)
		}
		if got != s.want {
			t.Errorf("%s: hash %s, want %s", s.name, got, s.want)
		}
	}
}
