// Package sim is Fledge's simulator: a virtual clock, a seeded traffic
// model, an in-memory TSDB queried with Prometheus' PromQL engine, and a
// fake cluster (client-go's and the SMI fake clientsets, a kubelet) driven
// through the production adapters, so that a scenario file replays a
// canary's whole life — analysis, changes to its spec, its deletion — in
// milliseconds.
//
// The run loop (run.go) moves virtual time from action to tick; each tick
// is a reconcile dispatched as the controller's (reconcile.go): Finalize for
// a deleted Canary, Refuse for an invalid one, Tick when due. RunWithFaults
// (faults.go) replays a scenario with a controller crash or API errors:
// faultgate.go puts the faults in front of the ports, faultretry.go retries
// a cut tick as a restarted controller would, and sameoutcome.go compares
// the outcome with the fault-free run on trace records.
package sim
