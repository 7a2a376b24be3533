package cluster_test

import (
	"context"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	kfake "k8s.io/client-go/kubernetes/fake"
	k8stesting "k8s.io/client-go/testing"

	"github.com/fledge-canary/fledge/sim/cluster"
)

const ns = "test"

func deployment(name string) *appsv1.Deployment {
	one := int32(1)
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: ns},
		Spec: appsv1.DeploymentSpec{Replicas: &one, Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "app:1"}}}}},
	}
}

// world is a fake clientset with a kubelet, cached or not.
type world struct {
	kube    *kfake.Clientset
	kubelet *cluster.Kubelet
}

func newWorld(cached bool) *world {
	kube := kfake.NewSimpleClientset(deployment("app")) //nolint:staticcheck // the simulator's plain tracker
	// A reactor answering some writes itself, as injected faults do: it
	// must be in place before the cache counts writes.
	kube.PrependReactor("update", "deployments", func(a k8stesting.Action) (bool, runtime.Object, error) {
		u := a.(k8stesting.UpdateAction)
		if d := u.GetObject().(*appsv1.Deployment); d.Annotations["answered-by"] == "reactor" {
			_, _, err := k8stesting.ObjectReaction(kube.Tracker())(a)
			return true, nil, err
		}
		return false, nil, nil
	})
	w := &world{kube: kube, kubelet: cluster.NewKubelet(kube, ns, 10*time.Second)}
	if cached {
		w.kubelet.CacheDeployments(kube)
	}
	return w
}

func (w *world) update(t *testing.T, name string, change func(*appsv1.Deployment)) {
	t.Helper()
	deps := w.kube.AppsV1().Deployments(ns)
	d, err := deps.Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	change(d)
	if _, err := deps.Update(context.Background(), d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

func (w *world) stored(t *testing.T) map[string]appsv1.Deployment {
	t.Helper()
	list, err := w.kube.AppsV1().Deployments(ns).List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]appsv1.Deployment{}
	for _, d := range list.Items {
		d.ResourceVersion = ""
		out[d.Name] = d
	}
	return out
}

// TestCachedKubeletSameAsListing drives a kubelet that lists Deployments at
// every Sync and one that caches them through the same changes: the
// Deployments they leave in their clientsets must be the same at every step.
func TestCachedKubeletSameAsListing(t *testing.T) {
	epoch := time.Unix(0, 0).UTC()
	steps := []struct {
		name   string
		at     time.Duration
		change func(t *testing.T, w *world)
	}{
		{name: "initial rollout", at: 0},
		{name: "still rolling out", at: 5 * time.Second},
		{name: "ready", at: 10 * time.Second},
		{name: "idle", at: 20 * time.Second},
		{name: "new image", at: 30 * time.Second, change: func(t *testing.T, w *world) {
			w.update(t, "app", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "app:2" })
		}},
		{name: "new image ready", at: 40 * time.Second},
		{name: "scaled by a write a reactor answers", at: 50 * time.Second, change: func(t *testing.T, w *world) {
			w.update(t, "app", func(d *appsv1.Deployment) {
				three := int32(3)
				d.Spec.Replicas, d.Annotations = &three, map[string]string{"answered-by": "reactor"}
			})
		}},
		{name: "scaled ready", at: 60 * time.Second},
		{name: "second deployment", at: 70 * time.Second, change: func(t *testing.T, w *world) {
			if _, err := w.kube.AppsV1().Deployments(ns).Create(context.Background(), deployment("app-primary"), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "stalled", at: 80 * time.Second, change: func(t *testing.T, w *world) {
			w.kubelet.Stall("app")
			w.update(t, "app", func(d *appsv1.Deployment) { d.Spec.Template.Spec.Containers[0].Image = "app:3" })
		}},
		{name: "past the progress deadline", at: 700 * time.Second},
		{name: "deleted", at: 710 * time.Second, change: func(t *testing.T, w *world) {
			if err := w.kube.AppsV1().Deployments(ns).Delete(context.Background(), "app-primary", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	listing, cached := newWorld(false), newWorld(true)
	for _, st := range steps {
		for _, w := range []*world{listing, cached} {
			if st.change != nil {
				st.change(t, w)
			}
			if err := w.kubelet.Sync(context.Background(), epoch.Add(st.at)); err != nil {
				t.Fatalf("%s: %v", st.name, err)
			}
		}
		want, got := listing.stored(t), cached.stored(t)
		if !apiequality.Semantic.DeepEqual(got, want) {
			t.Fatalf("%s: the cached kubelet left\n%+v\nthe listing one\n%+v", st.name, got, want)
		}
		if next, wantNext := cached.kubelet.Next(epoch.Add(st.at)), listing.kubelet.Next(epoch.Add(st.at)); !next.Equal(wantNext) {
			t.Errorf("%s: next change at %v, want %v", st.name, next, wantNext)
		}
	}
}

func TestCountWrites(t *testing.T) {
	kube := kfake.NewSimpleClientset(deployment("app")) //nolint:staticcheck // the simulator's plain tracker
	writes := cluster.CountWrites(kube, "deployments")
	deps := kube.AppsV1().Deployments(ns)
	ctx := context.Background()
	calls := []struct {
		name string
		call func() error
		want uint64
	}{
		{name: "get", want: 0, call: func() error { _, err := deps.Get(ctx, "app", metav1.GetOptions{}); return err }},
		{name: "list", want: 0, call: func() error { _, err := deps.List(ctx, metav1.ListOptions{}); return err }},
		{name: "other resource", want: 0, call: func() error {
			_, err := kube.CoreV1().Services(ns).Create(ctx, &corev1.Service{ObjectMeta: metav1.ObjectMeta{Name: "s"}}, metav1.CreateOptions{})
			return err
		}},
		{name: "update status", want: 1, call: func() error {
			_, err := deps.UpdateStatus(ctx, deployment("app"), metav1.UpdateOptions{})
			return err
		}},
		{name: "create", want: 2, call: func() error { _, err := deps.Create(ctx, deployment("b"), metav1.CreateOptions{}); return err }},
		{name: "delete", want: 3, call: func() error { return deps.Delete(ctx, "b", metav1.DeleteOptions{}) }},
	}
	for _, c := range calls {
		if err := c.call(); err != nil {
			t.Fatalf("%s: %v", c.name, err)
		}
		if got := writes.Count(); got != c.want {
			t.Errorf("after %s: %d writes counted, want %d", c.name, got, c.want)
		}
	}
}
