// Package sim will hold Fledge's simulator: a virtual clock, a traffic model, an in-memory
// TSDB queried with the PromQL engine, and a fake cluster driven through the real adapters,
// so that scenario files replay a canary's whole analysis in milliseconds.
//
// The simulator arrives with issue #3; this package holds no code yet.
package sim
