// Package cluster is the simulator's kubelet and Deployment controller: a
// Kubelet that rolls out the Deployments of a fake clientset in virtual
// time. (The fake clientsets themselves are built by package sim, and
// driven by Fledge's real adapters.) Over a fake clientset,
// CacheDeployments makes it list the Deployments only after a write to
// them, as an informer would, instead of at every Sync (CountWrites counts
// the writes at the head of the fake's reactor chain); over a real API
// server, ListWith makes it read them from an informer.
//
// Limitations: there are no Pods or ReplicaSets. A Deployment rolls out as
// a whole: readyAfter after a change of its pod template or replicas it
// has every replica updated and available (a scale to zero is immediate).
// A stalled Deployment never becomes ready and, like the Deployment
// controller, reports ProgressDeadlineExceeded once its
// progressDeadlineSeconds have passed. HPAs do not scale.
package cluster
