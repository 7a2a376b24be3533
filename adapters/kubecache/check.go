package kubecache

import (
	"fmt"
	"sync"

	"k8s.io/apimachinery/pkg/api/equality"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// sharedCheck finds readers that change the objects the wrappers share
// (tests switch it on with CheckShared): it keeps a copy of each object
// version it hands out and compares the object with that copy whenever the
// version is read again. A nil *sharedCheck checks nothing.
//
// SharedCheck is the same check for other readers of shared objects (the
// controller's Canaries).
type sharedCheck struct {
	changed func(what string)

	mu   sync.Mutex
	seen map[objectKey]client.Object
}

// see compares obj with the copy kept of its version, or keeps one.
func (c *sharedCheck) see(k objectKey, obj client.Object) {
	if c == nil {
		return
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	version := obj.GetResourceVersion()
	kept, ok := c.seen[k]
	if ok && kept.GetResourceVersion() == version {
		if !equality.Semantic.DeepEqual(kept, obj) {
			c.changed(fmt.Sprintf("%s %s/%s (resourceVersion %s) was changed by one of its readers", k.kind, k.namespace, k.name, version))
		}
		return
	}
	c.seen[k] = obj.DeepCopyObject().(client.Object)
}

// SharedCheck compares objects shared with their readers with a copy of
// the version first seen; a nil *SharedCheck checks nothing.
type SharedCheck struct{ check *sharedCheck }

// NewSharedCheck calls changed with a description of every object that
// changed without a new version: one of its readers changed it in place.
// A nil changed returns a nil *SharedCheck. It is for tests: it copies
// every object version once and compares on every read.
func NewSharedCheck(changed func(what string)) *SharedCheck {
	if changed == nil {
		return nil
	}
	return &SharedCheck{check: &sharedCheck{changed: changed, seen: map[objectKey]client.Object{}}}
}

// See checks obj, an object of kind shared with its readers.
func (s *SharedCheck) See(kind string, obj client.Object) {
	if s == nil {
		return
	}
	s.check.see(objectKey{kind, obj.GetNamespace(), obj.GetName()}, obj)
}

// CheckShared makes every read compare the object it shares with a copy of
// the version first shared (see NewSharedCheck); call it before the first
// read. A nil check checks nothing.
func (c *Clients) CheckShared(s *SharedCheck) {
	if s == nil {
		return
	}
	check := s.check
	r := c.readers
	r.deployments.check, r.services.check, r.hpas.check = check, check, check
	r.splits.check, r.splitsV1alpha1.check, r.routes.check = check, check, check
	r.configMaps.check, r.secrets.check = check, check
}
