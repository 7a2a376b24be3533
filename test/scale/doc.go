// Package scale measures the Fledge controller at scale against a real
// kube-apiserver and etcd (controller-runtime's envtest, binaries from
// hack/bin/k8s or KUBEBUILDER_ASSETS).
//
// The harness creates N podinfo-like canaries, one per namespace, readies
// their Deployments with the simulator's kubelet (sim/cluster), runs the
// production controller in the test process (a controller-runtime manager
// with the reconciler, a real clock and the production client QPS), waits
// until every canary is Initialized and then measures a steady window with
// nothing to do, and optionally a window during an analysis of every canary:
// process CPU per canary-tick, API requests per tick by verb and resource
// (a counting RoundTripper wraps the controller's rest.Config), writes per
// tick, resident memory, ticks per second, and how the ticks spread over the
// analysis interval. docs/flagger-compatibility.md ("At scale") gives Flagger's
// figures to compare with.
//
// Everything lives in test files:
//
//	go test ./test/scale/                                        # TestScaleSmoke, 20 canaries
//	go test -run '^$' -bench ControllerAtScale -benchtime 1x -timeout 30m ./test/scale/  # N=500
//
// Environment: FLEDGE_SCALE_N (canaries, default 500), FLEDGE_SCALE_WINDOW
// (measurement window, default 40s), FLEDGE_SCALE_PROGRESSING (0 skips the
// progressing windows), FLEDGE_SCALE_WORKERS (reconcile workers, default 2
// as the -threadiness flag), FLEDGE_SCALE_QPS and FLEDGE_SCALE_BURST (the
// controller's client rate limits, default 200 and 400 as the
// -kubeconfig-qps and -kubeconfig-burst flags), FLEDGE_SCALE_CPUPROFILE (a
// path prefix: a CPU profile of each window), FLEDGE_SCALE_SMOKE_N (the
// smoke test's canaries, default 20), FLEDGE_SCALE_INTERVAL (the canaries'
// analysis interval, default 10s).
package scale
