package controller

import (
	"sync"

	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// validated remembers the validation of each canary version seen, so that
// a tick of an unchanged canary does not validate it again. A version is
// its UID and resourceVersion: the spec, name and namespace, all that
// validation reads, change only with them.
type validated struct {
	mu     sync.Mutex
	byName map[types.NamespacedName]validation
}

type validation struct {
	uid              types.UID
	version          string
	errors, warnings v1.FieldErrors
}

func newValidated() *validated {
	return &validated{byName: map[types.NamespacedName]validation{}}
}

// of is cd.Validate(opts), computed once per version of the canary.
func (v *validated) of(key types.NamespacedName, cd *v1.Canary, opts v1.ValidationOptions) (errs, warnings v1.FieldErrors) {
	v.mu.Lock()
	got, ok := v.byName[key]
	v.mu.Unlock()
	if ok && cd.ResourceVersion != "" && got.uid == cd.UID && got.version == cd.ResourceVersion {
		return got.errors, got.warnings
	}
	errs, warnings = cd.Validate(opts)
	v.mu.Lock()
	defer v.mu.Unlock()
	v.byName[key] = validation{uid: cd.UID, version: cd.ResourceVersion, errors: errs, warnings: warnings}
	return errs, warnings
}

func (v *validated) forget(key types.NamespacedName) {
	v.mu.Lock()
	defer v.mu.Unlock()
	delete(v.byName, key)
}
