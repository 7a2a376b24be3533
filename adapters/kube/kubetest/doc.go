// Package kubetest builds the objects of the OSM tutorial's podinfo canary
// for tests of the kube and smi adapters: the Canary, its target Deployment
// and its HPA, each adjustable with functional modifiers; and AsDescribed,
// the event messages a test expects as an API server keeps them.
//
// The objects are plain values; hand them to a client-go fake clientset
// (k8s.io/client-go/kubernetes/fake). The fakes do not run controllers, so
// a Deployment's status changes only when a test writes it.
package kubetest
