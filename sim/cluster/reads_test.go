package cluster_test

import (
	"context"
	"reflect"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	kfake "k8s.io/client-go/kubernetes/fake"

	smiv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	smifake "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/fake"
	gwfake "sigs.k8s.io/gateway-api/pkg/client/clientset/versioned/fake"

	"github.com/fledge-canary/fledge/sim/cluster"
)

// TestCacheReadsAnswersAsTheFake checks that a read through CacheReads
// answers what the fake answers after every kind of change: a write to the
// object, a create after a NotFound, a change the caller makes to an
// object it read (which must not leak into the next read), a patch and a
// delete; and that reads with nothing written in between do not reach
// the fake.
func TestCacheReadsAnswersAsTheFake(t *testing.T) {
	ctx := context.Background()
	kube := kfake.NewSimpleClientset(deployment("podinfo")) //nolint:staticcheck // as the simulator's
	smi := smifake.NewSimpleClientset()
	gw := gwfake.NewSimpleClientset() //nolint:staticcheck // as the simulator's
	reads := cluster.CacheReads(kube, smi, gw, kube, smi, gw)
	cached, live := reads.Kube.AppsV1().Deployments(ns), kube.AppsV1().Deployments(ns)
	steps := []struct {
		name   string
		change func(t *testing.T)
		read   string
	}{
		{name: "first read", read: "podinfo"},
		{name: "absent", read: "podinfo-primary"},
		{name: "created after NotFound", read: "podinfo-primary", change: func(t *testing.T) {
			if _, err := live.Create(ctx, deployment("podinfo-primary"), metav1.CreateOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "caller changed its copy", read: "podinfo", change: func(t *testing.T) {
			d, err := cached.Get(ctx, "podinfo", metav1.GetOptions{})
			if err != nil {
				t.Fatal(err)
			}
			d.Spec.Template.Labels["changed"] = "by the caller"
			d.Spec.Template.Spec.Containers[0].Image = "changed"
		}},
		{name: "updated", read: "podinfo", change: func(t *testing.T) {
			d, _ := live.Get(ctx, "podinfo", metav1.GetOptions{})
			d.Spec.Template.Spec.Containers[0].Image = "podinfo:6.0.1"
			if _, err := live.Update(ctx, d, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "status updated", read: "podinfo", change: func(t *testing.T) {
			d, _ := live.Get(ctx, "podinfo", metav1.GetOptions{})
			d.Status.ReadyReplicas = 2
			if _, err := live.UpdateStatus(ctx, d, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "patched", read: "podinfo", change: func(t *testing.T) {
			if _, err := live.Patch(ctx, "podinfo", types.MergePatchType, []byte(`{"spec":{"replicas":0}}`), metav1.PatchOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
		{name: "deleted", read: "podinfo-primary", change: func(t *testing.T) {
			if err := live.Delete(ctx, "podinfo-primary", metav1.DeleteOptions{}); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, s := range steps {
		if s.change != nil {
			s.change(t)
		}
		want, wantErr := live.Get(ctx, s.read, metav1.GetOptions{})
		for i := range 2 { // the second read is the memo's
			got, err := cached.Get(ctx, s.read, metav1.GetOptions{})
			if !reflect.DeepEqual(got, want) || !sameError(err, wantErr) {
				t.Errorf("%s, read %d: got %v, %v; the fake answers %v, %v", s.name, i, got, err, want, wantErr)
			}
		}
	}
	_, _ = cached.Get(ctx, "podinfo", metav1.GetOptions{}) // after the delete: from the fake
	before := len(kube.Actions())
	for range 3 {
		_, _ = cached.Get(ctx, "podinfo", metav1.GetOptions{})
	}
	if n := len(kube.Actions()) - before; n != 0 {
		t.Errorf("reads with no write in between made %d calls to the fake, want 0", n)
	}
}

// TestCacheReadsOfSplits checks the SMI wrapper: a NotFound, then the
// split as created and as updated.
func TestCacheReadsOfSplits(t *testing.T) {
	ctx := context.Background()
	kube := kfake.NewSimpleClientset() //nolint:staticcheck // as the simulator's
	smi := smifake.NewSimpleClientset()
	gw := gwfake.NewSimpleClientset() //nolint:staticcheck // as the simulator's
	reads := cluster.CacheReads(kube, smi, gw, kube, smi, gw)
	cached, live := reads.SMI.SplitV1alpha2().TrafficSplits(ns), smi.SplitV1alpha2().TrafficSplits(ns)
	if _, err := cached.Get(ctx, "podinfo", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Fatalf("absent split: got %v, want NotFound", err)
	}
	split := &smiv1alpha2.TrafficSplit{ObjectMeta: metav1.ObjectMeta{Name: "podinfo", Namespace: ns},
		Spec: smiv1alpha2.TrafficSplitSpec{Service: "podinfo", Backends: []smiv1alpha2.TrafficSplitBackend{{Service: "podinfo-primary", Weight: 100}}}}
	if _, err := live.Create(ctx, split, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, weight := range []int{100, 90} {
		if weight != 100 {
			split.Spec.Backends[0].Weight = weight
			if _, err := live.Update(ctx, split, metav1.UpdateOptions{}); err != nil {
				t.Fatal(err)
			}
		}
		got, err := cached.Get(ctx, "podinfo", metav1.GetOptions{})
		if err != nil || got.Spec.Backends[0].Weight != weight {
			t.Errorf("got %v, %v; want weight %d", got, err, weight)
		}
	}
}

func sameError(a, b error) bool {
	if a == nil || b == nil {
		return a == nil && b == nil
	}
	return a.Error() == b.Error() && apierrors.IsNotFound(a) == apierrors.IsNotFound(b)
}
