package kube

import (
	"strings"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

const (
	// canaryKind is the kind of Flagger's Canary resource.
	canaryKind = "Canary"
	// fluxKeyPart marks metadata keys owned by Flux; they are never copied.
	fluxKeyPart = "toolkit.fluxcd.io"
	// primarySuffix names the primary copies of objects.
	primarySuffix = "-primary"
)

// OwnerReference is the controller owner reference of an object the Canary
// creates (the primary Deployment and HPA, the Services, the TrafficSplit).
func OwnerReference(cd *v1.Canary) metav1.OwnerReference {
	return metav1.OwnerReference{
		APIVersion:         v1.SchemeGroupVersion.String(),
		Kind:               canaryKind,
		Name:               cd.Name,
		UID:                cd.UID,
		Controller:         ptr.To(true),
		BlockOwnerDeletion: ptr.To(true),
	}
}

// sharedOwnerReference is the owner reference the Canary adds to -primary
// ConfigMaps and Secrets. It is not a controller reference: two Canaries
// may share a config, each adds itself, and the copy is collected only when
// every owner is gone (two controller references would be rejected).
func sharedOwnerReference(cd *v1.Canary) metav1.OwnerReference {
	ref := OwnerReference(cd)
	ref.Controller = ptr.To(false)
	ref.BlockOwnerDeletion = ptr.To(false)
	return ref
}

// isOwnedBy reports whether the object's owner references name the Canary.
func isOwnedBy(meta *metav1.ObjectMeta, cd *v1.Canary) bool {
	for _, ref := range meta.OwnerReferences {
		if ref.Kind == canaryKind && ref.Name == cd.Name && ref.UID == cd.UID {
			return true
		}
	}
	return false
}

// withOwner returns refs with ref added, unless an owner reference to the
// same object is already there.
func withOwner(refs []metav1.OwnerReference, ref metav1.OwnerReference) []metav1.OwnerReference {
	for _, r := range refs {
		if r.Kind == ref.Kind && r.Name == ref.Name && r.UID == ref.UID {
			return refs
		}
	}
	out := make([]metav1.OwnerReference, 0, len(refs)+1)
	out = append(out, refs...)
	return append(out, ref)
}

// filterMeta copies the labels or annotations whose key starts with one of
// the prefixes and does not contain toolkit.fluxcd.io. No prefixes, or a
// "*" or "" prefix, keep every key: Flagger's default -include-label-prefix
// is "", whose empty prefix matches every key.
func filterMeta(m map[string]string, prefixes []string) map[string]string {
	out := make(map[string]string, len(m))
	all := len(prefixes) == 0
	for _, p := range prefixes {
		all = all || p == "*" || p == ""
	}
	for k, v := range m {
		if strings.Contains(k, fluxKeyPart) {
			continue
		}
		if all || hasAnyPrefix(k, prefixes) {
			out[k] = v
		}
	}
	return out
}

func hasAnyPrefix(s string, prefixes []string) bool {
	for _, p := range prefixes {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}
