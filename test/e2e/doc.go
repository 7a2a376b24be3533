// Package e2e holds Fledge's end-to-end tests against a real Prometheus
// server. It has no code of its own: everything is in its tests, which run
// with `go test ./...`.
//
// # What runs
//
// TestRealPrometheus (e2e_test.go) wires four real things together:
//
//   - an exporter: an HTTP server whose /metrics shows, in Prometheus' text
//     exposition format, the current values of the simulator's synthetic OSM
//     series (sim/traffic's osm_request_total and osm_request_duration_ms),
//     the traffic models being advanced to the wall clock on every scrape
//     (traffic.Exposition);
//   - Prometheus itself, Debian's package started by hack/prometheus.sh
//     (installed first if missing), scraping the exporter every second, its
//     data in the test's temporary directory; the test stops it by killing
//     its process group;
//   - the simulator's embedded PromQL engine (sim/tsdb, sim/metrics);
//   - the controller (adapters/controller) on envtest's kube-apiserver and
//     etcd, with the Prometheus HTTP API adapter (adapters/prometheus)
//     pointed at the real server.
//
// # The same samples, two engines
//
// To compare Prometheus with the embedded engine on the same samples, the
// test reads the raw samples back from Prometheus (an instant query of the
// range vector {__name__=~"osm_.+"}[10m], which returns every stored sample
// with its scrape timestamp) and appends them to a tsdb.Store. This is the
// simplest honest choice: the timestamps are those Prometheus stamped, which
// the exporter cannot know, and the values are checked against what the
// exporter served (every stored value must be one the exporter showed for
// that series, in the same order). The stored series carry the job and
// instance labels Prometheus adds; the queries aggregate them away.
//
// The builtin OSM queries (request-success-rate and request-duration,
// rendered by core/query with interval 30s) and the tutorial's 404s query
// are then asked of both: through adapters/prometheus (GET /api/v1/query
// with the evaluation time) and through sim/metrics over the store. Their
// answers must agree within 1e-9 relative; no values (an empty vector), NaN
// (0/0) and several series must give the same errors.
//
// Evaluation times are placed half-way between two scrapes, and exactly on
// scrapes. Prometheus 3 (the embedded engine is Prometheus v3's promql
// package) selects a range (t-30s, t], left-open; Prometheus 2 selects
// [t-30s, t]. When a sample sits exactly at t-30s (Prometheus 2.42 stamps
// scrapes a few milliseconds off the 1s grid, but often exactly 1000ms
// apart), the two servers count different samples: the success rate moves
// by tenths of a point, the 404s percentage by several percent of itself.
// The test checks that this is the only difference: on such times
// Prometheus 2 matches the embedded engine asked for a 30001ms range.
//
// # The controller
//
// The reconciler runs with a fake clock, as in adapters/controller's suite,
// but the query time is the fake clock's, so it must be a time Prometheus
// has data for: the clock starts in the past (the ticks before the analysis
// query nothing) and, before every tick that queries, the test sleeps until
// the wall clock has passed the fake one by a second. The analysis interval
// is 10s, the shortest Fledge allows, so the five failed checks take about
// 40s. Each Halt event's success rate must be the embedded engine's at that
// tick's time, over the samples Prometheus stored.
//
// Then Prometheus is stopped and a second canary is pointed at its address:
// the provider check and every metric check fail with "connection refused",
// and the canary is rolled back, never going past its first step (taken,
// as in Flagger, before any metric is checked).
//
// # Requirements
//
// Prometheus (hack/prometheus.sh installs Debian's package with apt-get
// when it is missing; the test fails, not skips, when it cannot) and
// envtest's binaries (KUBEBUILDER_ASSETS, else hack/bin/k8s from
// hack/envtest.sh). The test takes about a minute, most of it waiting for
// wall-clock scrapes.
package e2e
