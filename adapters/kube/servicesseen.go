package kube

import (
	"sync"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// servicesSeen is what a Reconcile found in sync for one Canary: the
// versions of everything the wanted Services are built from (the Canary's
// spec, the target's selector) and of the three Services as read. While
// none of them moves, the Services are still in sync, and a tick has
// nothing to build or compare.
type servicesSeen struct {
	uid          types.UID
	generation   int64
	label, value string
	services     [3]string
}

// seenServices remembers servicesSeen per Canary.
type seenServices struct {
	mu   sync.Mutex
	seen map[types.NamespacedName]servicesSeen
}

// memoizable reports whether the Canary's generation says everything the
// wanted Services are built from: the API server moves it with every
// change of the spec, and nothing else of the Canary (its status, which
// each analysis tick writes, or its metadata) goes into the Services.
// It does not when the Canary has no resourceVersion (one not read from an
// API server: the simulator's) or when port discovery adds the target's
// container ports.
func memoizable(cd *v1.Canary) bool {
	return cd.ResourceVersion != "" && cd.Generation > 0 && !cd.Spec.Service.PortDiscovery
}

// wants is the servicesSeen a Reconcile of cd and target would remember,
// before the Services' versions are known.
func wants(cd *v1.Canary, target engine.Target) servicesSeen {
	return servicesSeen{uid: cd.UID, generation: cd.Generation, label: target.SelectorLabel, value: target.SelectorValue}
}

// matches reports whether the Services of got are those remembered for
// the Canary with the same inputs.
func (s *seenServices) matches(key types.NamespacedName, want servicesSeen, got [3]*corev1.Service) bool {
	var ok bool
	if want.services, ok = versionsOf(got); !ok {
		return false
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.seen[key] == want
}

// remember records that the Services of got were in sync with want.
func (s *seenServices) remember(key types.NamespacedName, want servicesSeen, got [3]*corev1.Service) {
	var ok bool
	if want.services, ok = versionsOf(got); !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.seen == nil {
		s.seen = map[types.NamespacedName]servicesSeen{}
	}
	s.seen[key] = want
}

// versionsOf are the resourceVersions of the three Services; false when
// one is missing or has none, which nothing can be remembered by.
func versionsOf(got [3]*corev1.Service) (versions [3]string, ok bool) {
	for i, svc := range got {
		if svc == nil || svc.ResourceVersion == "" {
			return versions, false
		}
		versions[i] = svc.ResourceVersion
	}
	return versions, true
}

// forget drops what was remembered of a Canary.
func (s *seenServices) forget(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.seen, key)
}
