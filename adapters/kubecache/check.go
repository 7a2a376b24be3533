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

// CheckShared makes every read compare the object it shares with a copy of
// the version first shared, and call changed with a description when they
// differ: a reader changed an object that belongs to the cache. It is for
// tests (it copies every object version once and compares on every read);
// call it before the first read.
func (c *Clients) CheckShared(changed func(what string)) {
	check := &sharedCheck{changed: changed, seen: map[objectKey]client.Object{}}
	r := c.readers
	r.deployments.check, r.services.check, r.hpas.check = check, check, check
	r.splits.check, r.splitsV1alpha1.check, r.routes.check = check, check, check
	r.configMaps.check, r.secrets.check = check, check
}
