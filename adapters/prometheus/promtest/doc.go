// Package promtest provides Prometheus stand-ins that misbehave: every
// fault the metrics adapter must turn into a failed check with a clear
// message, each with the error text the adapter gives for it.
//
// A [Fault] is an http.Handler (nil for a server that is down) and the
// expected outcome. [Faults] is the catalogue of answers a server may give;
// [EchoFaults] are servers that send the request's credentials back in
// every place an error may quote, for the tests that prove no secret
// reaches an error, an event or a trace. [Serve] starts one on a local
// port for the length of a test.
//
// Limitations: the servers answer every request the same way, whatever
// the query (the availability probe included), and a slow server is slow
// until the client leaves: none of them is slow by a fixed time.
package promtest
