package kubecache

import (
	"context"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/utils/clock"
	crcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// pendingFor is how long a written resourceVersion the cache has not shown
// is waited for, at most: a cache that stopped (a lost watch) is trusted
// again after this, as a direct read would be.
const pendingFor = time.Minute

// objectKey names an object of a kind.
type objectKey struct{ kind, namespace, name string }

// pendingWrite is a write answer the cache has not shown yet.
type pendingWrite struct {
	version string
	at      time.Time
}

// freshness remembers the resourceVersions written through the wrappers
// until the cache holds them.
type freshness struct {
	mu      sync.Mutex
	clock   clock.PassiveClock
	pending map[objectKey]pendingWrite
}

func newFreshness(c clock.PassiveClock) *freshness {
	return &freshness{clock: c, pending: map[objectKey]pendingWrite{}}
}

// wrote records the object a write answered with.
func (f *freshness) wrote(k objectKey, obj metav1.Object, err error) {
	if err != nil || obj == nil || obj.GetResourceVersion() == "" {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.pending[k] = pendingWrite{version: obj.GetResourceVersion(), at: f.clock.Now()}
}

// readLive records the version a read from the API server saw: the newest
// known, which the cache is now waited for.
func (f *freshness) readLive(k objectKey, version string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if p, ok := f.pending[k]; ok {
		f.pending[k] = pendingWrite{version: version, at: p.at}
	}
}

// current reports whether the cache's version of an object may be used:
// nothing written is pending, or the cache holds it (or it was waited for
// long enough).
func (f *freshness) current(k objectKey, cached string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.pending[k]
	if !ok {
		return true
	}
	if atLeast(cached, p.version) || f.clock.Since(p.at) > pendingFor {
		delete(f.pending, k)
		return true
	}
	return false
}

// atLeast reports whether resourceVersion v is version want or a later
// one. ResourceVersions are opaque, but those of an etcd-backed API server
// (every one Fledge supports) are etcd revisions, decimal and increasing:
// a cache that shows a version written after ours (a status update of the
// Deployment controller) holds our write too. Versions that are not
// decimal are compared for equality only.
func atLeast(v, want string) bool {
	if v == want {
		return true
	}
	a, errA := strconv.ParseUint(v, 10, 64)
	b, errB := strconv.ParseUint(want, 10, 64)
	return errA == nil && errB == nil && a >= b
}

// size is how many writes the cache has not shown yet.
func (f *freshness) size() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.pending)
}

// cached reads objects of one kind from a cache that holds them whole.
type cached[T client.Object] struct {
	kind   string
	cache  client.Reader
	fresh  *freshness
	newObj func() T
	counts *Counts
	check  *sharedCheck
	// store is the kind's informer store, once a read through cache
	// found the informer synced (see stored).
	store atomic.Pointer[toolscache.Indexer]
}

// get reads the object from the cache, or from the API server (live) when
// the cache does not hold it or holds a version older than one written.
// An object from the cache is not copied: its maps, slices and pointers
// are the cache's own (see the package comment).
func (c *cached[T]) get(ctx context.Context, ns, name string, live func() (T, error)) (T, error) {
	k := objectKey{c.kind, ns, name}
	if obj, ok := c.stored(ns, name); ok && c.fresh.current(k, obj.GetResourceVersion()) {
		c.check.see(k, obj)
		c.counts.hit()
		return obj, nil
	}
	obj := c.newObj()
	if err := c.cache.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, obj, client.UnsafeDisableDeepCopy); err == nil && c.fresh.current(k, obj.GetResourceVersion()) {
		// As the clientset answers: no TypeMeta. obj is a new struct whose
		// fields point into the cache's object, so this changes only obj.
		obj.GetObjectKind().SetGroupVersionKind(schema.GroupVersionKind{})
		c.check.see(k, obj)
		c.counts.hit()
		c.findStore(ctx, obj)
		return obj, nil
	}
	c.counts.miss()
	got, err := live()
	if err == nil {
		c.fresh.readLive(k, got.GetResourceVersion())
	}
	return got, err
}

// stored is the informer's own object, neither copied nor allocated, when
// its store is known and holds it as the clientset would answer it (no
// TypeMeta: controller-runtime's informers decode without one).
func (c *cached[T]) stored(ns, name string) (T, bool) {
	var zero T
	store := c.store.Load()
	if store == nil {
		return zero, false
	}
	item, ok, err := (*store).GetByKey(ns + "/" + name)
	if !ok || err != nil {
		return zero, false
	}
	obj, ok := item.(T)
	if !ok || !obj.GetObjectKind().GroupVersionKind().Empty() {
		return zero, false
	}
	return obj, true
}

// findStore remembers the store of the kind's informer, after a read
// through the cache (a controller-runtime cache, whose Get waited for the
// informer to sync) found an object of it. Other readers (tests' caches)
// have none: their reads keep going through Get.
func (c *cached[T]) findStore(ctx context.Context, obj T) {
	if c.store.Load() != nil {
		return
	}
	informers, ok := c.cache.(crcache.Informers)
	if !ok {
		return
	}
	informer, err := informers.GetInformer(ctx, obj, crcache.BlockUntilSynced(false))
	if err != nil || !informer.HasSynced() {
		return
	}
	if withStore, ok := informer.(interface{ GetIndexer() toolscache.Indexer }); ok {
		store := withStore.GetIndexer()
		c.store.Store(&store)
	}
}

// memoized reads objects of one kind whose content the cache does not
// hold: the cache holds their metadata, and the full object last read from
// the API server is returned again while its resourceVersion is the one
// the cache shows.
type memoized[T client.Object] struct {
	kind   string
	gvk    schema.GroupVersionKind
	meta   client.Reader
	fresh  *freshness
	counts *Counts
	check  *sharedCheck

	mu   sync.Mutex
	last map[objectKey]T
}

func (m *memoized[T]) get(ctx context.Context, ns, name string, live func() (T, error)) (T, error) {
	k := objectKey{m.kind, ns, name}
	meta := &metav1.PartialObjectMetadata{}
	meta.SetGroupVersionKind(m.gvk)
	err := m.meta.Get(ctx, client.ObjectKey{Namespace: ns, Name: name}, meta)
	if err == nil && m.fresh.current(k, meta.ResourceVersion) {
		if obj, ok := m.lookup(k, meta.ResourceVersion); ok {
			m.check.see(k, obj)
			m.counts.hit()
			return obj, nil
		}
	}
	if apierrors.IsNotFound(err) {
		m.forget(k)
	}
	m.counts.miss()
	got, err := live()
	if err == nil {
		m.fresh.readLive(k, got.GetResourceVersion())
		m.remember(k, got)
	}
	return got, err
}

// lookup returns the object last read, if it has version. It is shared
// with every reader, as the cache's objects are.
func (m *memoized[T]) lookup(k objectKey, version string) (T, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	obj, ok := m.last[k]
	if !ok || obj.GetResourceVersion() != version {
		var zero T
		return zero, false
	}
	return obj, true
}

// remember keeps obj, the answer of a read from the API server that is
// also returned to its reader: from now on it is shared.
func (m *memoized[T]) remember(k objectKey, obj T) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.last[k] = obj
}

func (m *memoized[T]) forget(k objectKey) {
	m.mu.Lock()
	defer m.mu.Unlock()
	delete(m.last, k)
}
