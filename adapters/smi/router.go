package smi

import (
	splitv1alpha2 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha2"
	"github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/trafficsplit"
	"github.com/fledge-canary/fledge/core/engine"
)

// Router routes a Canary's traffic with an SMI v1alpha2 TrafficSplit.
type Router = trafficsplit.Router[*splitv1alpha2.TrafficSplit]

var _ engine.Router = (*Router)(nil)

// NewRouter returns a Router that reconciles Services with services and
// TrafficSplits through client.
func NewRouter(services *kube.Services, client versioned.Interface) *Router {
	return trafficsplit.NewRouter[*splitv1alpha2.TrafficSplit](services, version{client})
}

// version is split.smi-spec.io/v1alpha2, whose weights are integers.
type version struct{ client versioned.Interface }

func (v version) Client(namespace string) trafficsplit.Client[*splitv1alpha2.TrafficSplit] {
	return v.client.SplitV1alpha2().TrafficSplits(namespace)
}

func (version) New(meta metav1.ObjectMeta, spec trafficsplit.Spec) *splitv1alpha2.TrafficSplit {
	return &splitv1alpha2.TrafficSplit{
		TypeMeta:   metav1.TypeMeta{APIVersion: splitv1alpha2.SchemeGroupVersion.String(), Kind: "TrafficSplit"},
		ObjectMeta: meta,
		Spec:       specOf(spec),
	}
}

func (version) Spec(ts *splitv1alpha2.TrafficSplit) trafficsplit.Spec {
	out := trafficsplit.Spec{Service: ts.Spec.Service, Backends: make([]trafficsplit.Backend, len(ts.Spec.Backends))}
	for i, b := range ts.Spec.Backends {
		out.Backends[i] = trafficsplit.Backend{Service: b.Service, Weight: b.Weight}
	}
	return out
}

func (version) WithSpec(ts *splitv1alpha2.TrafficSplit, spec trafficsplit.Spec) *splitv1alpha2.TrafficSplit {
	next := ts.DeepCopy()
	next.Spec = specOf(spec)
	return next
}

func specOf(spec trafficsplit.Spec) splitv1alpha2.TrafficSplitSpec {
	out := splitv1alpha2.TrafficSplitSpec{Service: spec.Service, Backends: make([]splitv1alpha2.TrafficSplitBackend, len(spec.Backends))}
	for i, b := range spec.Backends {
		out.Backends[i] = splitv1alpha2.TrafficSplitBackend{Service: b.Service, Weight: b.Weight}
	}
	return out
}
