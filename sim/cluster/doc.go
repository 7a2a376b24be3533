// Package cluster is the simulator's Kubernetes: client-go's fake clientset
// and the SMI fake clientset, driven by Fledge's real adapters, plus a
// Kubelet that plays the kubelet and the Deployment controller.
//
// Limitations: there are no Pods or ReplicaSets. A Deployment rolls out as
// a whole: readyAfter after a change of its pod template or replicas it
// has every replica updated and available (a scale to zero is immediate).
// A stalled Deployment never becomes ready and, like the Deployment
// controller, reports ProgressDeadlineExceeded once its
// progressDeadlineSeconds have passed. HPAs do not scale.
package cluster
