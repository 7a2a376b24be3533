package kube

import (
	"encoding/json"
	"fmt"
	"hash/fnv"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/apimachinery/pkg/util/rand"
)

// TemplateHash identifies a pod template: FNV-32a over its JSON encoding,
// the decimal sum encoded with rand.SafeEncodeString.
//
// It is Fledge's own hash and differs from Flagger's (a spew dump of the Go
// struct). The JSON encoding uses the API's field names, sorts map keys and
// omits unset optional fields, so the hash is stable across client-go
// upgrades that add or reorder struct fields.
func TemplateHash(t *corev1.PodTemplateSpec) (string, error) {
	b, err := json.Marshal(t)
	if err != nil {
		return "", fmt.Errorf("encoding pod template failed: %w", err)
	}
	h := fnv.New32a()
	_, _ = h.Write(b) // a hash.Hash never returns an error
	return rand.SafeEncodeString(fmt.Sprint(h.Sum32())), nil
}

// hashMemo remembers the template hash of each Deployment version read,
// so that a tick with nothing new does not encode the pod template again.
// A version is its UID and resourceVersion (any write changes the latter);
// objects without them (some fake clients) are hashed every time.
type hashMemo struct {
	mu    sync.Mutex
	byUID map[types.UID]hashed
}

type hashed struct{ version, hash string }

// of is TemplateHash of the Deployment's pod template.
func (m *hashMemo) of(dep *appsv1.Deployment) (string, error) {
	if dep.UID == "" || dep.ResourceVersion == "" {
		return TemplateHash(&dep.Spec.Template)
	}
	m.mu.Lock()
	h, ok := m.byUID[dep.UID]
	m.mu.Unlock()
	if ok && h.version == dep.ResourceVersion {
		return h.hash, nil
	}
	hash, err := TemplateHash(&dep.Spec.Template)
	if err != nil {
		return "", err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.byUID == nil {
		m.byUID = map[types.UID]hashed{}
	}
	m.byUID[dep.UID] = hashed{version: dep.ResourceVersion, hash: hash}
	return hash, nil
}
