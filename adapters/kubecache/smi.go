package kubecache

import (
	"context"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	smiv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha1"
	smiv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	smiclient "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	typedsplitv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/typed/split/v1alpha1"
	typedsplit "github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned/typed/split/v1alpha2"
)

type smiClientset struct {
	smiclient.Interface
	r *readers
}

func (c smiClientset) SplitV1alpha2() typedsplit.SplitV1alpha2Interface {
	return splitV1alpha2{SplitV1alpha2Interface: c.Interface.SplitV1alpha2(), r: c.r}
}

type splitV1alpha2 struct {
	typedsplit.SplitV1alpha2Interface
	r *readers
}

func (s splitV1alpha2) TrafficSplits(ns string) typedsplit.TrafficSplitInterface {
	return trafficSplits{TrafficSplitInterface: s.SplitV1alpha2Interface.TrafficSplits(ns), ns: ns, r: s.r}
}

type trafficSplits struct {
	typedsplit.TrafficSplitInterface
	ns string
	r  *readers
}

func (t trafficSplits) Get(ctx context.Context, name string, opts metav1.GetOptions) (*smiv1alpha2.TrafficSplit, error) {
	if live(opts) {
		return t.TrafficSplitInterface.Get(ctx, name, opts)
	}
	return t.r.splits.get(ctx, t.ns, name, getter(ctx, t.TrafficSplitInterface.Get, name))
}

func (t trafficSplits) Create(ctx context.Context, obj *smiv1alpha2.TrafficSplit, opts metav1.CreateOptions) (*smiv1alpha2.TrafficSplit, error) {
	got, err := t.TrafficSplitInterface.Create(ctx, obj, opts)
	return written(t.r, "TrafficSplit", t.ns, got, err)
}

func (t trafficSplits) Update(ctx context.Context, obj *smiv1alpha2.TrafficSplit, opts metav1.UpdateOptions) (*smiv1alpha2.TrafficSplit, error) {
	got, err := t.TrafficSplitInterface.Update(ctx, obj, opts)
	return written(t.r, "TrafficSplit", t.ns, got, err)
}

func (c smiClientset) SplitV1alpha1() typedsplitv1alpha1.SplitV1alpha1Interface {
	return splitV1alpha1{SplitV1alpha1Interface: c.Interface.SplitV1alpha1(), r: c.r}
}

type splitV1alpha1 struct {
	typedsplitv1alpha1.SplitV1alpha1Interface
	r *readers
}

func (s splitV1alpha1) TrafficSplits(ns string) typedsplitv1alpha1.TrafficSplitInterface {
	return trafficSplitsV1alpha1{TrafficSplitInterface: s.SplitV1alpha1Interface.TrafficSplits(ns), ns: ns, r: s.r}
}

// kindSplitV1alpha1 keeps the written versions of the two API versions of
// a TrafficSplit apart: they are one object, but read through two caches.
const kindSplitV1alpha1 = "TrafficSplit.v1alpha1"

type trafficSplitsV1alpha1 struct {
	typedsplitv1alpha1.TrafficSplitInterface
	ns string
	r  *readers
}

func (t trafficSplitsV1alpha1) Get(ctx context.Context, name string, opts metav1.GetOptions) (*smiv1alpha1.TrafficSplit, error) {
	if live(opts) {
		return t.TrafficSplitInterface.Get(ctx, name, opts)
	}
	return t.r.splitsV1alpha1.get(ctx, t.ns, name, getter(ctx, t.TrafficSplitInterface.Get, name))
}

func (t trafficSplitsV1alpha1) Create(ctx context.Context, obj *smiv1alpha1.TrafficSplit, opts metav1.CreateOptions) (*smiv1alpha1.TrafficSplit, error) {
	got, err := t.TrafficSplitInterface.Create(ctx, obj, opts)
	return written(t.r, kindSplitV1alpha1, t.ns, got, err)
}

func (t trafficSplitsV1alpha1) Update(ctx context.Context, obj *smiv1alpha1.TrafficSplit, opts metav1.UpdateOptions) (*smiv1alpha1.TrafficSplit, error) {
	got, err := t.TrafficSplitInterface.Update(ctx, obj, opts)
	return written(t.r, kindSplitV1alpha1, t.ns, got, err)
}
