// Package hooktest provides webhook receivers that misbehave: every fault
// a hook call must survive within its timeout, each with the error text the
// webhook adapter gives for it.
//
// A [Fault] is an http.Handler (nil for a receiver that is down) and the
// expected outcome; [Faults] is the catalogue and [Serve] starts one for
// the length of a test. Receivers that hold a request until the client
// leaves report each request they saw cancelled on [Fault.Cancelled].
//
// Limitations: a receiver answers every call the same way, and a slow one
// is slow until the client leaves, never by a fixed time.
package hooktest
