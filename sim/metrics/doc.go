// Package metrics answers the engine's metric queries from the simulator's
// embedded PromQL engine: [Embedded] implements engine.Metrics over a
// tsdb.Engine, evaluating each query at the tick's time.
//
// # Result rules
//
// They are those of Flagger's Prometheus provider, without its accidents:
//
//   - a vector of one sample, or a scalar, gives its value; +Inf is a value;
//   - an empty vector, or NaN (0/0, as the success rate of a canary without
//     traffic), gives engine.ErrNoValues itself, so that the engine's
//     messages read "no values found" as Flagger's do;
//   - a vector of N > 1 series is the error "query returned N series,
//     expected one" (Flagger silently keeps the last one);
//   - a range vector or a string is an error (Flagger: "query returned
//     multiple values");
//   - a query that does not parse, or fails to evaluate, is an error naming
//     the query.
//
// Every source (the builtin server, an address, a MetricTemplate's
// provider) is answered by the same embedded engine, and Available always
// succeeds: a scenario scripts outages in a wrapper of its own.
package metrics
