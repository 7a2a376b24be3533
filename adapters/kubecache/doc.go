// Package kubecache serves the adapters' reads from the controller's
// informer caches, so that a tick with nothing to change costs the API
// server no request at all.
//
// Clients wraps the Kubernetes, SMI and Gateway API clientsets the
// adapters already take: Get of a Deployment, Service,
// HorizontalPodAutoscaler, TrafficSplit (v1alpha2 or v1alpha1) or
// HTTPRoute reads a controller-runtime cache; Get of a ConfigMap or
// Secret reads a metadata-only cache and returns the full object the
// adapter read last when its resourceVersion has not moved (the content is
// read from the API server only when it changed). Every other call, and
// every write, goes to the API server unchanged.
//
// Caches lag behind writes by a watch event. So that a tick never acts on
// an object older than one it wrote itself, the wrappers remember the
// resourceVersion of each write answer until the cache shows it, and read
// such an object from the API server meanwhile; an object the cache does
// not hold (not created yet, or created a moment ago) is read from the API
// server too. The adapters therefore see what direct reads would show,
// with at most one extra request around each write.
//
// Reads are not copied: an object a Get answers from the cache shares its
// maps, slices and pointers with the cache (controller-runtime's
// UnsafeDisableDeepCopy), and a ConfigMap or Secret is the one object every
// reader of that version gets. Readers must treat what a Get answers as
// read-only and DeepCopy it before changing it; the adapters do, so that
// their reads work the same over these wrappers, the plain clientsets
// (whose Gets answer fresh objects) and the simulator's fakes. Tests find
// readers that break this with Clients.CheckShared. Copying only what is
// about to be written keeps the reads of a tick with nothing to change
// from copying whole objects.
//
// Objects enter the caches with their managedFields stripped (Transform);
// ConfigMaps and Secrets only as metadata, so that the controller's memory
// grows with the configs canaries track, not with all those of the cluster.
package kubecache
