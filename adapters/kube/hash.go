package kube

import (
	"encoding/json"
	"fmt"
	"hash/fnv"

	corev1 "k8s.io/api/core/v1"
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
