// Package scale measures the Fledge controller at scale against a real
// kube-apiserver and etcd (controller-runtime's envtest, binaries from
// hack/bin/k8s or KUBEBUILDER_ASSETS).
//
// The harness creates N podinfo-like canaries, one per namespace, readies
// their Deployments with the simulator's kubelet (sim/cluster, in a child
// process: this test binary, see TestMain), runs the production controller,
// waits until every canary is Initialized and then measures a steady window
// with nothing to do, and optionally the windows of an analysis of every
// canary: the controller process's CPU per canary-tick, API requests per
// tick by verb and resource (counted at the API server, in its audit log of
// the controller's user), writes per tick, resident memory, ticks per second
// and how late they ran. docs/flagger-compatibility.md ("At scale") gives
// Flagger's figures to compare with.
//
// The benchmark builds cmd/fledge-controller and runs it as a child process
// with its default flags, so that the CPU and memory it reports are the
// controller's alone (its figures are scraped from its /metrics);
// TestScaleSmoke runs the same wiring inside the test process.
//
//	go test ./test/scale/                                        # TestScaleSmoke, 20 canaries
//	go test -run '^$' -bench ControllerAtScale -benchtime 1x -timeout 100m ./test/scale/  # N=500
//
// Environment: FLEDGE_SCALE_N (canaries, default 500), FLEDGE_SCALE_WINDOW
// (measurement window, default 40s), FLEDGE_SCALE_PROGRESSING (0 skips the
// progressing windows), FLEDGE_SCALE_WORKERS (reconcile workers, default
// the -threadiness flag's, controller.DefaultWorkers), FLEDGE_SCALE_QPS and FLEDGE_SCALE_BURST (the
// controller's client rate limits, default 200 and 400 as the
// -kubeconfig-qps and -kubeconfig-burst flags), FLEDGE_SCALE_CONTROLLER
// (binary or in-process: where the controller runs; the benchmark's default
// is binary, the smoke test's in-process), FLEDGE_SCALE_CPUPROFILE (a path
// prefix: a CPU profile of each window, in-process only),
// FLEDGE_SCALE_APISERVER_CPUPROFILE (a path prefix: a CPU profile of the
// API server for FLEDGE_SCALE_WINDOW from each window's start),
// FLEDGE_SCALE_SMOKE_N (the smoke test's canaries, default 20),
// FLEDGE_SCALE_INTERVAL (the canaries' analysis interval, default 10s).
package scale
