package kube

import (
	"context"
	"errors"
	"maps"
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
	"k8s.io/utils/ptr"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	"github.com/fledge-canary/fledge/core/engine"
)

func TestPodConfigRefs(t *testing.T) {
	cmVol := func(name string, opt *bool) corev1.Volume {
		return corev1.Volume{Name: name, VolumeSource: corev1.VolumeSource{ConfigMap: &corev1.ConfigMapVolumeSource{
			LocalObjectReference: corev1.LocalObjectReference{Name: name}, Optional: opt,
		}}}
	}
	tests := []struct {
		name string
		spec corev1.PodSpec
		want configRefs
	}{
		{name: "none", spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "c"}}}, want: configRefs{}},
		{
			name: "volumes and projected sources",
			spec: corev1.PodSpec{Volumes: []corev1.Volume{
				cmVol("cm-vol", nil),
				{Name: "s", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "sec-vol", Optional: ptr.To(true)}}},
				{Name: "p", VolumeSource: corev1.VolumeSource{Projected: &corev1.ProjectedVolumeSource{Sources: []corev1.VolumeProjection{
					{ConfigMap: &corev1.ConfigMapProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "cm-proj"}}},
					{Secret: &corev1.SecretProjection{LocalObjectReference: corev1.LocalObjectReference{Name: "sec-proj"}}},
				}}}},
			}},
			want: configRefs{
				{configMapKind, "cm-vol"}: false, {secretKind, "sec-vol"}: true,
				{configMapKind, "cm-proj"}: false, {secretKind, "sec-proj"}: false,
			},
		},
		{
			name: "env, envFrom and init containers",
			spec: corev1.PodSpec{
				InitContainers: []corev1.Container{{Name: "init", EnvFrom: []corev1.EnvFromSource{
					{SecretRef: &corev1.SecretEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "sec-init"}}},
				}}},
				Containers: []corev1.Container{{
					Name: "c",
					Env: []corev1.EnvVar{
						{Name: "A", Value: "plain"},
						{Name: "B", ValueFrom: &corev1.EnvVarSource{ConfigMapKeyRef: &corev1.ConfigMapKeySelector{
							LocalObjectReference: corev1.LocalObjectReference{Name: "cm-env"}, Key: "k", Optional: ptr.To(true),
						}}},
						{Name: "C", ValueFrom: &corev1.EnvVarSource{SecretKeyRef: &corev1.SecretKeySelector{
							LocalObjectReference: corev1.LocalObjectReference{Name: "sec-env"}, Key: "k",
						}}},
					},
					EnvFrom: []corev1.EnvFromSource{
						{ConfigMapRef: &corev1.ConfigMapEnvSource{LocalObjectReference: corev1.LocalObjectReference{Name: "cm-from"}}},
					},
				}},
			},
			want: configRefs{
				{secretKind, "sec-init"}: false, {configMapKind, "cm-env"}: true,
				{secretKind, "sec-env"}: false, {configMapKind, "cm-from"}: false,
			},
		},
		{
			name: "required if any use is",
			spec: corev1.PodSpec{Volumes: []corev1.Volume{cmVol("cm", ptr.To(true)), cmVol("cm", ptr.To(false))}},
			want: configRefs{{configMapKind, "cm"}: false},
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := podConfigRefs(&tt.spec); !maps.Equal(got, tt.want) {
				t.Errorf("refs = %v, want %v", got, tt.want)
			}
		})
	}
}

// configDeployment uses ConfigMap podinfo-config through env and Secret
// podinfo-secret through a volume.
func configDeployment(mods ...func(*appsv1.Deployment)) *appsv1.Deployment {
	return kubetest.Deployment(append([]func(*appsv1.Deployment){func(d *appsv1.Deployment) {
		spec := &d.Spec.Template.Spec
		spec.Volumes = []corev1.Volume{{Name: "certs", VolumeSource: corev1.VolumeSource{
			Secret: &corev1.SecretVolumeSource{SecretName: "podinfo-secret"},
		}}}
		spec.Containers[0].Env = []corev1.EnvVar{{Name: "COLOR", ValueFrom: &corev1.EnvVarSource{
			ConfigMapKeyRef: &corev1.ConfigMapKeySelector{LocalObjectReference: corev1.LocalObjectReference{Name: "podinfo-config"}, Key: "color"},
		}}}
	}}, mods...)...)
}

func configMap(data map[string]string, annotations map[string]string) *corev1.ConfigMap {
	return &corev1.ConfigMap{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo-config", Namespace: "test", Labels: map[string]string{"app": "podinfo"}, Annotations: annotations},
		Data:       data,
	}
}

func secret(typ corev1.SecretType, data string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "podinfo-secret", Namespace: "test"},
		Type:       typ,
		Data:       map[string][]byte{"token": []byte(data)},
	}
}

func observeConfigs(t *testing.T, objs ...runtime.Object) (map[string]string, error) {
	t.Helper()
	w := NewWorkload(fake.NewClientset(objs...), Options{ConfigTracking: true})
	target, err := w.Observe(context.Background(), kubetest.Canary())
	return target.Configs, err
}

func TestObserveConfigs(t *testing.T) {
	base, err := observeConfigs(t, configDeployment(), configMap(map[string]string{"color": "blue"}, nil), secret(corev1.SecretTypeOpaque, "a"))
	if err != nil {
		t.Fatal(err)
	}
	if len(base) != 2 || len(base["configmap/podinfo-config"]) != 16 || len(base["secret/podinfo-secret"]) != 16 {
		t.Fatalf("configs = %v, want two 16-hex-digit checksums", base)
	}
	tests := []struct {
		name    string
		objs    []runtime.Object
		want    func(map[string]string) bool
		wantErr string
	}{
		{
			name: "configmap data changed",
			objs: []runtime.Object{configMap(map[string]string{"color": "green"}, nil), secret(corev1.SecretTypeOpaque, "a")},
			want: func(c map[string]string) bool {
				return c["configmap/podinfo-config"] != base["configmap/podinfo-config"] && c["secret/podinfo-secret"] == base["secret/podinfo-secret"]
			},
		},
		{
			name: "secret data changed",
			objs: []runtime.Object{configMap(map[string]string{"color": "blue"}, nil), secret(corev1.SecretTypeOpaque, "b")},
			want: func(c map[string]string) bool {
				return c["configmap/podinfo-config"] == base["configmap/podinfo-config"] && c["secret/podinfo-secret"] != base["secret/podinfo-secret"]
			},
		},
		{
			name: "tracking disabled by annotation",
			objs: []runtime.Object{
				configMap(map[string]string{"color": "blue"}, map[string]string{configTrackingAnnotation: "disabled"}),
				secret(corev1.SecretTypeOpaque, "a"),
			},
			want: func(c map[string]string) bool { _, ok := c["configmap/podinfo-config"]; return len(c) == 1 && !ok },
		},
		{
			name: "untracked secret type",
			objs: []runtime.Object{configMap(map[string]string{"color": "blue"}, nil), secret(corev1.SecretTypeDockercfg, "a")},
			want: func(c map[string]string) bool { return len(c) == 1 && c["configmap/podinfo-config"] != "" },
		},
		{
			name:    "missing required secret",
			objs:    []runtime.Object{configMap(map[string]string{"color": "blue"}, nil)},
			wantErr: "config tracking of deployment podinfo.test failed: secret podinfo-secret.test get query error: ",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := observeConfigs(t, append(tt.objs, configDeployment())...)
			if tt.wantErr != "" {
				if err == nil || !strings.HasPrefix(err.Error(), tt.wantErr) {
					t.Fatalf("error = %v, want prefix %q", err, tt.wantErr)
				}
				return
			}
			if err != nil || !tt.want(got) {
				t.Errorf("configs = %v, %v (base %v)", got, err, base)
			}
		})
	}
}

func TestObserveConfigsOptionalMissing(t *testing.T) {
	dep := configDeployment(func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.Volumes[0].Secret.Optional = ptr.To(true)
	})
	got, err := observeConfigs(t, dep, configMap(map[string]string{"color": "blue"}, nil))
	if err != nil || len(got) != 1 {
		t.Errorf("configs = %v, %v: want the ConfigMap only", got, err)
	}
	got, err = observeConfigs(t, kubetest.Deployment())
	if err != nil || got == nil || len(got) != 0 {
		t.Errorf("configs = %#v, %v: want an empty, non-nil map", got, err)
	}
}

func TestChecksumBinaryData(t *testing.T) {
	cm := configMap(map[string]string{"color": "blue"}, nil)
	set := &configSet{configMaps: map[string]*corev1.ConfigMap{"podinfo-config": cm}}
	plain, _ := set.checksums()
	// Without binaryData the checksum is over data alone.
	if want, _ := checksum(cm.Data); plain["configmap/podinfo-config"] != want {
		t.Errorf("checksum %s, want %s", plain["configmap/podinfo-config"], want)
	}
	cm.BinaryData = map[string][]byte{"logo": {1, 2}}
	withBinary, _ := set.checksums()
	cm.BinaryData["logo"] = []byte{1, 3}
	changed, _ := set.checksums()
	if withBinary["configmap/podinfo-config"] == plain["configmap/podinfo-config"] ||
		changed["configmap/podinfo-config"] == withBinary["configmap/podinfo-config"] {
		t.Errorf("binaryData changes not seen: %v %v %v", plain, withBinary, changed)
	}
}

func TestPrimaryConfigs(t *testing.T) {
	ctx := context.Background()
	sa := &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Name: "sa-token", Namespace: "test"},
		Type:       corev1.SecretTypeServiceAccountToken,
	}
	dep := configDeployment(func(d *appsv1.Deployment) {
		d.Spec.Template.Spec.Volumes = append(d.Spec.Template.Spec.Volumes, corev1.Volume{
			Name: "sa", VolumeSource: corev1.VolumeSource{Secret: &corev1.SecretVolumeSource{SecretName: "sa-token"}},
		})
	})
	c := fake.NewClientset(dep, sa, configMap(map[string]string{"color": "blue"}, nil), secret(corev1.SecretTypeTLS, "a"))
	w := NewWorkload(c, Options{ConfigTracking: true})
	cd := kubetest.Canary()
	if err := w.EnsurePrimary(ctx, cd); err != nil {
		t.Fatal(err)
	}
	cm, err := c.CoreV1().ConfigMaps("test").Get(ctx, "podinfo-config-primary", metav1.GetOptions{})
	if err != nil || cm.Data["color"] != "blue" || cm.Labels["app"] != "podinfo" {
		t.Fatalf("configmap copy = %+v, %v", cm, err)
	}
	if len(cm.OwnerReferences) != 1 || cm.OwnerReferences[0].Name != "podinfo" || *cm.OwnerReferences[0].Controller {
		t.Errorf("configmap copy owners = %+v, want the Canary, not as controller", cm.OwnerReferences)
	}
	sec, err := c.CoreV1().Secrets("test").Get(ctx, "podinfo-secret-primary", metav1.GetOptions{})
	if err != nil || sec.Type != corev1.SecretTypeTLS || string(sec.Data["token"]) != "a" {
		t.Fatalf("secret copy = %+v, %v", sec, err)
	}
	spec := getDeployment(t, c, "podinfo-primary").Spec.Template.Spec
	if got := spec.Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Name; got != "podinfo-config-primary" {
		t.Errorf("env ref = %s", got)
	}
	if got := spec.Volumes[0].Secret.SecretName; got != "podinfo-secret-primary" {
		t.Errorf("secret volume = %s", got)
	}
	if got := spec.Volumes[1].Secret.SecretName; got != "sa-token" {
		t.Errorf("untracked secret volume rewritten to %s", got)
	}
	if got := getDeployment(t, c, "podinfo").Spec.Template.Spec.Volumes[0].Secret.SecretName; got != "podinfo-secret" {
		t.Errorf("target's ref changed to %s", got)
	}
	testPromoteConfigs(t, c, w)
	testPromoteRefusesChangedConfigs(t, c, w)
}

// testPromoteRefusesChangedConfigs changes the ConfigMap after the tick
// observed the target: the promotion copies nothing.
func testPromoteRefusesChangedConfigs(t *testing.T, c *fake.Clientset, w *Workload) {
	ctx := context.Background()
	analysed := observe(t, w, kubetest.Canary())
	if _, err := c.CoreV1().ConfigMaps("test").Update(ctx, configMap(map[string]string{"color": "green"}, nil), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := w.Promote(ctx, kubetest.Canary(), analysed)
	if !errors.Is(err, engine.ErrTargetChanged) || !strings.Contains(err.Error(), "ConfigMaps or Secrets changed after the analysis") {
		t.Fatalf("Promote = %v, want ErrTargetChanged for the configs", err)
	}
	if cm, _ := c.CoreV1().ConfigMaps("test").Get(ctx, "podinfo-config-primary", metav1.GetOptions{}); cm.Data["color"] != "red" {
		t.Errorf("the primary's ConfigMap copy changed to %v", cm.Data)
	}
}

// testPromoteConfigs changes the ConfigMap, adds an owner to its copy and
// promotes: the copy gets the new data and keeps both owners.
func testPromoteConfigs(t *testing.T, c *fake.Clientset, w *Workload) {
	ctx := context.Background()
	if _, err := c.CoreV1().ConfigMaps("test").Update(ctx, configMap(map[string]string{"color": "red"}, nil), metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	cm, _ := c.CoreV1().ConfigMaps("test").Get(ctx, "podinfo-config-primary", metav1.GetOptions{})
	other := metav1.OwnerReference{APIVersion: "flagger.app/v1beta1", Kind: "Canary", Name: "other", UID: "u2"}
	cm.OwnerReferences = append(cm.OwnerReferences, other)
	if _, err := c.CoreV1().ConfigMaps("test").Update(ctx, cm, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	if err := w.Promote(ctx, kubetest.Canary(), observe(t, w, kubetest.Canary())); err != nil {
		t.Fatal(err)
	}
	cm, _ = c.CoreV1().ConfigMaps("test").Get(ctx, "podinfo-config-primary", metav1.GetOptions{})
	if cm.Data["color"] != "red" || len(cm.OwnerReferences) != 2 {
		t.Errorf("configmap copy after promotion = %+v", cm)
	}
	ref := getDeployment(t, c, "podinfo-primary").Spec.Template.Spec.Containers[0].Env[0].ValueFrom.ConfigMapKeyRef.Name
	if ref != "podinfo-config-primary" {
		t.Errorf("promoted env ref = %s", ref)
	}
}
