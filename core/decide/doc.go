// Package decide holds the pure decisions of a canary analysis: the next
// traffic weight, whether a metric value passes its bounds, whether a
// Deployment is ready or past its progress deadline, whether the target
// changed, and which condition a phase shows.
//
// Nothing here performs I/O or reads a clock: every function is a function of
// its arguments, with `now` passed in where time matters, so table tests pin
// each rule down without fakes. The engine (core/engine) strings these
// decisions together with the ports that perform the effects.
package decide
