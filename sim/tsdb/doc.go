// Package tsdb is the simulator's in-memory time-series store and the PromQL
// engine that queries it.
//
// A [Store] holds append-only float samples per series, in time order, and
// implements [storage.Queryable], so that [promql.Engine] evaluates the same
// queries against it as a real Prometheus server evaluates against its TSDB.
// An [Engine] wraps the PromQL engine and runs instant queries at a time the
// caller chooses: nothing reads the wall clock.
//
// # Limits
//
// The store keeps float samples only (no native histograms, no exemplars, no
// metadata) and never compacts or forgets: a scenario's whole run stays in
// memory, 16 bytes a sample. A series is kept once; its samples must arrive
// in time order, as a scrape loop appends them. Staleness markers are plain
// floats ([value.StaleNaN]) and the engine treats them as Prometheus does.
//
// [value.StaleNaN]: https://pkg.go.dev/github.com/prometheus/prometheus/model/value#pkg-constants
package tsdb
