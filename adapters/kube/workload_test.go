package kube

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"
	"k8s.io/utils/ptr"

	"github.com/fledge-canary/fledge/adapters/kube/kubetest"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

func getDeployment(t *testing.T, c *fake.Clientset, name string) *appsv1.Deployment {
	t.Helper()
	dep, err := c.AppsV1().Deployments(kubetest.Namespace).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("get deployment %s: %v", name, err)
	}
	return dep
}

func TestObserveSelectorLabel(t *testing.T) {
	tests := []struct {
		name       string
		matchLabel map[string]string
		opts       Options
		wantLabel  string
		wantValue  string
		wantErr    string
	}{
		{name: "app", matchLabel: map[string]string{"app": "podinfo"}, wantLabel: "app", wantValue: "podinfo"},
		{name: "name", matchLabel: map[string]string{"name": "pi"}, wantLabel: "name", wantValue: "pi"},
		{
			name:       "first in order wins",
			matchLabel: map[string]string{"app.kubernetes.io/name": "k", "name": "n"},
			wantLabel:  "name", wantValue: "n",
		},
		{
			name:       "custom selector labels",
			matchLabel: map[string]string{"app": "a", "team": "t"},
			opts:       Options{SelectorLabels: []string{"team"}},
			wantLabel:  "team", wantValue: "t",
		},
		{
			name:       "none",
			matchLabel: map[string]string{"tier": "web"},
			wantErr:    "getSelectorLabel failed: deployment podinfo.test spec.selector.matchLabels must contain one of [app name app.kubernetes.io/name]",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dep := kubetest.Deployment(func(d *appsv1.Deployment) { d.Spec.Selector.MatchLabels = tt.matchLabel })
			w := NewWorkload(fake.NewClientset(dep), tt.opts)
			got, err := w.Observe(context.Background(), kubetest.Canary())
			if tt.wantErr != "" {
				if err == nil || err.Error() != tt.wantErr {
					t.Fatalf("error = %v, want %q", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got.SelectorLabel != tt.wantLabel || got.SelectorValue != tt.wantValue {
				t.Errorf("selector = %s=%s, want %s=%s", got.SelectorLabel, got.SelectorValue, tt.wantLabel, tt.wantValue)
			}
			if got.TemplateHash == "" || got.Configs != nil {
				t.Errorf("hash %q, configs %v: want a hash and no configs without tracking", got.TemplateHash, got.Configs)
			}
		})
	}
}

func TestObserveMissingDeployment(t *testing.T) {
	w := NewWorkload(fake.NewClientset(), Options{})
	_, err := w.Observe(context.Background(), kubetest.Canary())
	if err == nil || !strings.HasPrefix(err.Error(), "deployment podinfo.test get query error: ") {
		t.Fatalf("error = %v", err)
	}
	if !apierrors.IsNotFound(err) {
		t.Errorf("error %v does not wrap the NotFound error", err)
	}
}

func TestTemplateHash(t *testing.T) {
	hash := func(mods ...func(*appsv1.Deployment)) string {
		h, err := TemplateHash(&kubetest.Deployment(mods...).Spec.Template)
		if err != nil {
			t.Fatal(err)
		}
		return h
	}
	base := hash()
	if again := hash(); again != base {
		t.Errorf("equal templates hash to %q and %q", base, again)
	}
	if other := hash(kubetest.WithReplicas(7)); other != base {
		t.Errorf("replicas are not part of the template, yet the hash moved: %q vs %q", other, base)
	}
	if other := hash(kubetest.WithImage("ghcr.io/stefanprodan/podinfo:6.0.1")); other == base {
		t.Errorf("a new image kept the hash %q", base)
	}
	annotated := hash(func(d *appsv1.Deployment) {
		d.Spec.Template.Annotations = map[string]string{"rollout": "1"}
	})
	if annotated == base {
		t.Errorf("a pod-template annotation kept the hash %q", base)
	}
	// The hash depends on the template's JSON only: pin it so that a change of
	// the algorithm (or of the encoding) is a deliberate one.
	const golden = "98648b9b7"
	if base != golden {
		t.Errorf("hash of the podinfo template = %q, want %q", base, golden)
	}
}

type statusCase struct {
	name      string
	status    appsv1.DeploymentStatus
	want      decide.DeploymentStatus
	ready     bool
	retriable bool
}

// statusCases are Deployment statuses, what Status maps them to and the
// readiness verdict at since+2m with a 1m deadline.
func statusCases(since time.Time) []statusCase {
	return []statusCase{
		{
			name:   "ready",
			status: appsv1.DeploymentStatus{ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1},
			want: decide.DeploymentStatus{
				Name: "podinfo", Generation: 2, ObservedGeneration: 2, Replicas: ptr.To[int32](1),
				StatusReplicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1,
			},
			ready: true, retriable: true,
		},
		{
			name: "unavailable past the deadline",
			status: appsv1.DeploymentStatus{
				ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1,
				Conditions: []appsv1.DeploymentCondition{
					{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "ReplicaSetUpdated"},
					{
						Type: appsv1.DeploymentAvailable, Status: corev1.ConditionFalse, Reason: "MinimumReplicasUnavailable",
						LastUpdateTime: metav1.NewTime(since),
					},
				},
			},
			want: decide.DeploymentStatus{
				Name: "podinfo", Generation: 2, ObservedGeneration: 2, Replicas: ptr.To[int32](1),
				StatusReplicas: 1, UpdatedReplicas: 1,
				HasProgressing: true, ProgressingReason: "ReplicaSetUpdated", Unavailable: true, UnavailableSince: since,
			},
		},
		{
			name: "progress deadline exceeded",
			status: appsv1.DeploymentStatus{
				ObservedGeneration: 2, Replicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1,
				Conditions: []appsv1.DeploymentCondition{
					{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"},
					{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
				},
			},
			want: decide.DeploymentStatus{
				Name: "podinfo", Generation: 2, ObservedGeneration: 2, Replicas: ptr.To[int32](1),
				StatusReplicas: 1, UpdatedReplicas: 1, AvailableReplicas: 1,
				HasProgressing: true, ProgressingReason: "ProgressDeadlineExceeded",
			},
		},
		{
			name:   "generation not observed",
			status: appsv1.DeploymentStatus{ObservedGeneration: 1},
			want: decide.DeploymentStatus{
				Name: "podinfo", Generation: 2, ObservedGeneration: 1, Replicas: ptr.To[int32](1),
			},
			retriable: true,
		},
	}
}

func TestDeploymentStatus(t *testing.T) {
	since := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	now := since.Add(2 * time.Minute)
	tests := statusCases(since)
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			dep := kubetest.Deployment(func(d *appsv1.Deployment) { d.Generation = 2; d.Status = tt.status })
			w := NewWorkload(fake.NewClientset(dep), Options{})
			got, err := w.Status(context.Background(), kubetest.Canary(), engine.RoleCanary)
			if err != nil {
				t.Fatal(err)
			}
			if !equalStatus(got, tt.want) {
				t.Errorf("status = %+v, want %+v", got, tt.want)
			}
			r := decide.DeploymentReadiness(got, time.Minute, 100, now)
			if r.Ready != tt.ready || r.Retriable != tt.retriable {
				t.Errorf("readiness = %+v, want ready %v retriable %v", r, tt.ready, tt.retriable)
			}
		})
	}
}

func equalStatus(a, b decide.DeploymentStatus) bool {
	ra, rb := ptr.Deref(a.Replicas, -1), ptr.Deref(b.Replicas, -1)
	a.Replicas, b.Replicas = nil, nil
	return ra == rb && a.UnavailableSince.Equal(b.UnavailableSince) && a.Name == b.Name &&
		a.Generation == b.Generation && a.ObservedGeneration == b.ObservedGeneration &&
		a.StatusReplicas == b.StatusReplicas && a.UpdatedReplicas == b.UpdatedReplicas &&
		a.AvailableReplicas == b.AvailableReplicas && a.HasProgressing == b.HasProgressing &&
		a.ProgressingReason == b.ProgressingReason && a.Unavailable == b.Unavailable
}

func TestStatusPrimaryAndMissing(t *testing.T) {
	primary := kubetest.Deployment(func(d *appsv1.Deployment) { d.Name = "podinfo-primary" })
	w := NewWorkload(fake.NewClientset(primary), Options{})
	got, err := w.Status(context.Background(), kubetest.Canary(), engine.RolePrimary)
	if err != nil || got.Name != "podinfo-primary" {
		t.Fatalf("primary status = %+v, %v", got, err)
	}
	_, err = w.Status(context.Background(), kubetest.Canary(), engine.RoleCanary)
	if err == nil || !strings.HasPrefix(err.Error(), "deployment podinfo.test get query error: ") {
		t.Fatalf("error = %v", err)
	}
}

func TestScaleToZero(t *testing.T) {
	c := fake.NewClientset(kubetest.Deployment(kubetest.WithReplicas(3)))
	w := NewWorkload(c, Options{})
	if err := w.ScaleToZero(context.Background(), kubetest.Canary()); err != nil {
		t.Fatal(err)
	}
	if got := *getDeployment(t, c, "podinfo").Spec.Replicas; got != 0 {
		t.Errorf("replicas = %d, want 0", got)
	}
}

func TestScaleFromZero(t *testing.T) {
	tests := []struct {
		name            string
		target, primary *int32
		hpaMin          *int32
		autoscaler      bool
		want            int32
	}{
		{name: "target above zero", target: ptr.To[int32](3), primary: ptr.To[int32](2), autoscaler: true, want: 3},
		{name: "primary's without autoscaler", target: ptr.To[int32](0), primary: ptr.To[int32](4), want: 4},
		{name: "primary unset without autoscaler", target: ptr.To[int32](0), want: 1},
		{name: "hpa min above one", target: ptr.To[int32](0), primary: ptr.To[int32](4), hpaMin: ptr.To[int32](3), autoscaler: true, want: 3},
		{name: "hpa min one", target: ptr.To[int32](0), hpaMin: ptr.To[int32](1), autoscaler: true, want: 1},
		{name: "hpa min unset", target: ptr.To[int32](0), autoscaler: true, want: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			target := kubetest.Deployment(func(d *appsv1.Deployment) { d.Spec.Replicas = tt.target })
			primary := kubetest.Deployment(func(d *appsv1.Deployment) { d.Name = "podinfo-primary"; d.Spec.Replicas = tt.primary })
			hpa := kubetest.HPA(func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MinReplicas = tt.hpaMin })
			c := fake.NewClientset(target, primary, hpa)
			cd := kubetest.Canary()
			if !tt.autoscaler {
				cd = kubetest.Canary(kubetest.WithoutAutoscaler)
			}
			if err := NewWorkload(c, Options{}).ScaleFromZero(context.Background(), cd); err != nil {
				t.Fatal(err)
			}
			if got := *getDeployment(t, c, "podinfo").Spec.Replicas; got != tt.want {
				t.Errorf("replicas = %d, want %d", got, tt.want)
			}
		})
	}
}

func TestScaleErrors(t *testing.T) {
	c := fake.NewClientset(kubetest.Deployment(kubetest.WithReplicas(2)))
	c.PrependReactor("patch", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) {
		return true, nil, errors.New("boom")
	})
	w := NewWorkload(c, Options{})
	err := w.ScaleFromZero(context.Background(), kubetest.Canary())
	if err == nil || err.Error() != "scaling up podinfo.test to 2 failed: boom" {
		t.Errorf("scale up error = %v", err)
	}
	err = w.ScaleToZero(context.Background(), kubetest.Canary())
	if err == nil || err.Error() != "scaling down podinfo.test to 0 failed: boom" {
		t.Errorf("scale down error = %v", err)
	}
}

func TestEnsurePrimary(t *testing.T) {
	target := kubetest.Deployment(kubetest.WithReplicas(0), func(d *appsv1.Deployment) {
		d.Labels["team"] = "web"
		d.Labels["kustomize.toolkit.fluxcd.io/name"] = "apps"
		d.Annotations = map[string]string{"note": "x", "kustomize.toolkit.fluxcd.io/checksum": "y"}
		d.Spec.Template.Spec.Affinity = &corev1.Affinity{PodAntiAffinity: &corev1.PodAntiAffinity{
			PreferredDuringSchedulingIgnoredDuringExecution: []corev1.WeightedPodAffinityTerm{{
				Weight: 1, PodAffinityTerm: corev1.PodAffinityTerm{
					TopologyKey:   "kubernetes.io/hostname",
					LabelSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "podinfo", "tier": "podinfo"}},
				},
			}},
		}}
	})
	c := fake.NewClientset(target)
	w := NewWorkload(c, Options{})
	cd := kubetest.Canary()
	if err := w.EnsurePrimary(context.Background(), cd); err != nil {
		t.Fatal(err)
	}
	p := getDeployment(t, c, "podinfo-primary")
	checkPrimary(t, p, target)
	if got := p.Labels; len(got) != 2 || got["app"] != "podinfo-primary" || got["team"] != "web" {
		t.Errorf("labels = %v", got)
	}
	if got := p.Annotations; len(got) != 1 || got["note"] != "x" {
		t.Errorf("annotations = %v", got)
	}
	if *p.Spec.Replicas != 1 {
		t.Errorf("replicas = %d, want 1 for a target at 0", *p.Spec.Replicas)
	}
	sel := p.Spec.Template.Spec.Affinity.PodAntiAffinity.PreferredDuringSchedulingIgnoredDuringExecution[0].PodAffinityTerm.LabelSelector
	if sel.MatchLabels["app"] != "podinfo-primary" || sel.MatchLabels["tier"] != "podinfo" {
		t.Errorf("anti-affinity selector = %v", sel.MatchLabels)
	}
	if !equalOwner(p.OwnerReferences, OwnerReference(cd)) {
		t.Errorf("owner references = %+v", p.OwnerReferences)
	}

	id := p.Spec.Template.Annotations[FlaggerIDAnnotation]
	if err := w.EnsurePrimary(context.Background(), cd); err != nil {
		t.Fatal(err)
	}
	if again := getDeployment(t, c, "podinfo-primary").Spec.Template.Annotations[FlaggerIDAnnotation]; again != id {
		t.Errorf("an existing primary was rewritten: flagger-id %s became %s", id, again)
	}
}

// checkPrimary checks what a primary takes from its target.
func checkPrimary(t *testing.T, p, target *appsv1.Deployment) {
	t.Helper()
	if got := p.Spec.Selector.MatchLabels; len(got) != 1 || got["app"] != "podinfo-primary" {
		t.Errorf("selector = %v", got)
	}
	if got := p.Spec.Template.Labels["app"]; got != "podinfo-primary" {
		t.Errorf("template label app = %q", got)
	}
	if id := p.Spec.Template.Annotations[FlaggerIDAnnotation]; len(id) != 36 {
		t.Errorf("flagger-id = %q, want a UUID", id)
	}
	if p.Spec.MinReadySeconds != target.Spec.MinReadySeconds ||
		*p.Spec.RevisionHistoryLimit != *target.Spec.RevisionHistoryLimit ||
		*p.Spec.ProgressDeadlineSeconds != *target.Spec.ProgressDeadlineSeconds ||
		p.Spec.Strategy.Type != target.Spec.Strategy.Type {
		t.Errorf("rollout settings not copied: %+v", p.Spec)
	}
	if got, want := p.Spec.Template.Spec.Containers[0].Image, target.Spec.Template.Spec.Containers[0].Image; got != want {
		t.Errorf("image = %s, want %s", got, want)
	}
}

func equalOwner(refs []metav1.OwnerReference, want metav1.OwnerReference) bool {
	return len(refs) == 1 && refs[0].APIVersion == "flagger.app/v1beta1" && refs[0].Kind == "Canary" &&
		refs[0].Name == want.Name && refs[0].UID == want.UID && ptr.Deref(refs[0].Controller, false) ==
		ptr.Deref(want.Controller, false)
}

func TestPromote(t *testing.T) {
	tests := []struct {
		name         string
		autoscaler   bool
		wantReplicas int32
	}{
		{name: "replicas copied without autoscaler", wantReplicas: 3},
		{name: "replicas kept with autoscaler", autoscaler: true, wantReplicas: 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := fake.NewClientset(kubetest.Deployment(), kubetest.HPA())
			w := NewWorkload(c, Options{IncludeLabelPrefixes: []string{"app", "team"}})
			cd := kubetest.Canary()
			if !tt.autoscaler {
				cd = kubetest.Canary(kubetest.WithoutAutoscaler)
			}
			ctx := context.Background()
			if err := w.EnsurePrimary(ctx, cd); err != nil {
				t.Fatal(err)
			}
			oldID := getDeployment(t, c, "podinfo-primary").Spec.Template.Annotations[FlaggerIDAnnotation]
			target := getDeployment(t, c, "podinfo")
			kubetest.WithImage("ghcr.io/stefanprodan/podinfo:6.0.1")(target)
			kubetest.WithReplicas(3)(target)
			target.Labels = map[string]string{"app": "podinfo", "team": "web", "other": "no"}
			target.Spec.MinReadySeconds = 9
			if _, err := c.AppsV1().Deployments("test").Update(ctx, target, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := w.Promote(ctx, cd, observe(t, w, cd)); err != nil {
				t.Fatal(err)
			}
			p := getDeployment(t, c, "podinfo-primary")
			checkPrimary(t, p, target)
			if p.Spec.Template.Annotations[FlaggerIDAnnotation] == oldID {
				t.Errorf("flagger-id %s was not renewed", oldID)
			}
			if *p.Spec.Replicas != tt.wantReplicas {
				t.Errorf("replicas = %d, want %d", *p.Spec.Replicas, tt.wantReplicas)
			}
			if got := p.Labels; len(got) != 2 || got["app"] != "podinfo-primary" || got["team"] != "web" {
				t.Errorf("labels = %v, want app and team only", got)
			}
		})
	}
}

// withPrimary is the tutorial's target and its primary on a fake
// clientset, and the canary without an autoscaler.
func withPrimary(t *testing.T) (*fake.Clientset, *Workload, *v1.Canary) {
	t.Helper()
	c := fake.NewClientset(kubetest.Deployment())
	w := NewWorkload(c, Options{})
	cd := kubetest.Canary(kubetest.WithoutAutoscaler)
	if err := w.EnsurePrimary(context.Background(), cd); err != nil {
		t.Fatal(err)
	}
	return c, w, cd
}

func TestPromoteRetriesOnConflict(t *testing.T) {
	c, w, cd := withPrimary(t)
	ctx := context.Background()
	conflicts := 2
	c.PrependReactor("update", "deployments", func(k8stesting.Action) (bool, runtime.Object, error) {
		if conflicts == 0 {
			return false, nil, nil
		}
		conflicts--
		return true, nil, apierrors.NewConflict(schema.GroupResource{Group: "apps", Resource: "deployments"}, "podinfo-primary", errors.New("changed"))
	})
	if err := w.Promote(ctx, cd, observe(t, w, cd)); err != nil {
		t.Fatalf("promote after two conflicts: %v", err)
	}
	if conflicts != 0 {
		t.Errorf("%d conflicts left", conflicts)
	}
}

// observe is the target as a tick sees it before it promotes.
func observe(t *testing.T, w *Workload, cd *v1.Canary) engine.Target {
	t.Helper()
	target, err := w.Observe(context.Background(), cd)
	if err != nil {
		t.Fatal(err)
	}
	return target
}

// TestPromoteRefusesAChangedTarget: a target whose pod template changed
// after the tick observed it (kubectl set image during the last analysis)
// is not copied to the primary.
func TestPromoteRefusesAChangedTarget(t *testing.T) {
	c, w, cd := withPrimary(t)
	ctx := context.Background()
	analysed := observe(t, w, cd)
	before := getDeployment(t, c, "podinfo-primary").Spec.Template
	target := getDeployment(t, c, "podinfo")
	kubetest.WithImage("ghcr.io/stefanprodan/podinfo:6.0.2")(target)
	if _, err := c.AppsV1().Deployments("test").Update(ctx, target, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	err := w.Promote(ctx, cd, analysed)
	if !errors.Is(err, engine.ErrTargetChanged) || err.Error() != "deployment podinfo.test not promoted: pod template changed after the analysis" {
		t.Fatalf("Promote = %v, want ErrTargetChanged", err)
	}
	if after := getDeployment(t, c, "podinfo-primary").Spec.Template; !reflect.DeepEqual(after, before) {
		t.Errorf("the primary's template changed: %v", after.Spec.Containers[0].Image)
	}
}

func TestEnsurePrimaryScaler(t *testing.T) {
	ctx := context.Background()
	c := fake.NewClientset(kubetest.HPA())
	w := NewWorkload(c, Options{})
	cd := kubetest.Canary(func(cd *v1.Canary) {
		cd.Spec.AutoscalerRef.APIVersion = "autoscaling/v2beta2"
		cd.Spec.AutoscalerRef.PrimaryScalerReplicas = &v1.ScalerReplicas{MaxReplicas: ptr.To[int32](6)}
	})
	if err := w.EnsurePrimaryScaler(ctx, cd, true); err != nil {
		t.Fatal(err)
	}
	hpas := c.AutoscalingV2().HorizontalPodAutoscalers("test")
	p, err := hpas.Get(ctx, "podinfo-primary", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if p.Spec.ScaleTargetRef.Name != "podinfo-primary" || p.Spec.ScaleTargetRef.Kind != "Deployment" ||
		*p.Spec.MinReplicas != 2 || p.Spec.MaxReplicas != 6 || len(p.Spec.Metrics) != 1 {
		t.Errorf("primary HPA spec = %+v", p.Spec)
	}
	if !equalOwner(p.OwnerReferences, OwnerReference(cd)) {
		t.Errorf("owner references = %+v", p.OwnerReferences)
	}

	src := kubetest.HPA(func(h *autoscalingv2.HorizontalPodAutoscaler) { h.Spec.MinReplicas = ptr.To[int32](3) })
	if _, err := hpas.Update(ctx, src, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, step := range []struct {
		init    bool
		wantMin int32
	}{{init: true, wantMin: 2}, {init: false, wantMin: 3}} {
		if err := w.EnsurePrimaryScaler(ctx, cd, step.init); err != nil {
			t.Fatal(err)
		}
		p, _ := hpas.Get(ctx, "podinfo-primary", metav1.GetOptions{})
		if *p.Spec.MinReplicas != step.wantMin {
			t.Errorf("init=%v: minReplicas = %d, want %d", step.init, *p.Spec.MinReplicas, step.wantMin)
		}
	}
}

func TestEnsurePrimaryScalerErrors(t *testing.T) {
	w := NewWorkload(fake.NewClientset(), Options{})
	ctx := context.Background()
	if err := w.EnsurePrimaryScaler(ctx, kubetest.Canary(kubetest.WithoutAutoscaler), true); err != nil {
		t.Errorf("no autoscaler: %v", err)
	}
	err := w.EnsurePrimaryScaler(ctx, kubetest.Canary(), true)
	if err == nil || !strings.HasPrefix(err.Error(), "HorizontalPodAutoscaler podinfo.test get query error: ") {
		t.Errorf("missing HPA: %v", err)
	}
	keda := kubetest.Canary(func(cd *v1.Canary) { cd.Spec.AutoscalerRef.Kind = "ScaledObject" })
	if err := w.EnsurePrimaryScaler(ctx, keda, true); err == nil {
		t.Error("ScaledObject accepted")
	}
}
