package cluster

import (
	"sync/atomic"

	"k8s.io/apimachinery/pkg/runtime"
	k8stesting "k8s.io/client-go/testing"
)

// Writes counts the writes (create, update, patch, delete) a fake
// clientset receives for one resource, whatever answers them: a cache that
// remembers the count when it reads knows the objects it holds are still
// the stored ones while the count has not moved.
type Writes struct{ n atomic.Uint64 }

// CountWrites puts a counter of the writes to resource ("deployments",
// "trafficsplits", or "*" for all) at the head of the fake's reactor chain.
// A reactor prepended later that answers a write itself (an injected
// fault) hides it from the counter: prepend such reactors first.
func CountWrites(fake k8stesting.FakeClient, resource string) *Writes {
	w := &Writes{}
	fake.PrependReactor("*", resource, func(a k8stesting.Action) (bool, runtime.Object, error) {
		switch a.GetVerb() {
		case "get", "list", "watch":
		default:
			w.n.Add(1)
		}
		return false, nil, nil
	})
	return w
}

// Count is the number of writes so far.
func (w *Writes) Count() uint64 { return w.n.Load() }
