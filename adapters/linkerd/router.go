package linkerd

import (
	splitv1alpha1 "github.com/servicemeshinterface/smi-sdk-go/pkg/apis/split/v1alpha1"
	"github.com/servicemeshinterface/smi-sdk-go/pkg/gen/client/split/clientset/versioned"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/fledge-canary/fledge/adapters/kube"
	"github.com/fledge-canary/fledge/adapters/trafficsplit"
	"github.com/fledge-canary/fledge/core/engine"
)

// Router routes a Canary's traffic with an SMI v1alpha1 TrafficSplit.
type Router = trafficsplit.Router[*splitv1alpha1.TrafficSplit]

var _ engine.Router = (*Router)(nil)

// NewRouter returns a Router that reconciles Services with services and
// TrafficSplits through client.
func NewRouter(services *kube.Services, client versioned.Interface) *Router {
	return trafficsplit.NewRouter[*splitv1alpha1.TrafficSplit](services, version{client})
}

// version is split.smi-spec.io/v1alpha1, whose weights are quantities.
type version struct{ client versioned.Interface }

func (v version) Client(namespace string) trafficsplit.Client[*splitv1alpha1.TrafficSplit] {
	return v.client.SplitV1alpha1().TrafficSplits(namespace)
}

func (version) New(meta metav1.ObjectMeta, spec trafficsplit.Spec) *splitv1alpha1.TrafficSplit {
	return &splitv1alpha1.TrafficSplit{
		TypeMeta:   metav1.TypeMeta{APIVersion: splitv1alpha1.SchemeGroupVersion.String(), Kind: "TrafficSplit"},
		ObjectMeta: meta,
		Spec:       specOf(spec),
	}
}

// Spec reads the weights as integers: a missing weight is 0, a fractional
// one is rounded away from zero (resource.Quantity.Value).
func (version) Spec(ts *splitv1alpha1.TrafficSplit) trafficsplit.Spec {
	out := trafficsplit.Spec{Service: ts.Spec.Service, Backends: make([]trafficsplit.Backend, len(ts.Spec.Backends))}
	for i, b := range ts.Spec.Backends {
		out.Backends[i].Service = b.Service
		if b.Weight != nil {
			out.Backends[i].Weight = int(b.Weight.Value())
		}
	}
	return out
}

func (version) WithSpec(ts *splitv1alpha1.TrafficSplit, spec trafficsplit.Spec) *splitv1alpha1.TrafficSplit {
	next := ts.DeepCopy()
	next.Spec = specOf(spec)
	return next
}

// specOf writes the weights as integer quantities ("0" to "100").
func specOf(spec trafficsplit.Spec) splitv1alpha1.TrafficSplitSpec {
	out := splitv1alpha1.TrafficSplitSpec{Service: spec.Service, Backends: make([]splitv1alpha1.TrafficSplitBackend, len(spec.Backends))}
	for i, b := range spec.Backends {
		out.Backends[i] = splitv1alpha1.TrafficSplitBackend{Service: b.Service, Weight: resource.NewQuantity(int64(b.Weight), resource.DecimalExponent)}
	}
	return out
}
