package main

import "runtime/debug"

// defaultGCPercent is the controller's GOGC when the environment sets
// none: the Go heap grows to 1.75 times what is live before a collection,
// not twice. Most of the controller's memory is its informer caches, which
// stay live, and a tick allocates little, so collecting a little more often
// costs little CPU (Prometheus chose the same default for the same shape
// of memory). GOGC in the environment still decides.
const defaultGCPercent = 75

// setGCPercent applies defaultGCPercent unless GOGC is set, and reports
// whether it did.
func setGCPercent(getenv func(string) string) (applied bool) {
	if getenv("GOGC") != "" {
		return false
	}
	debug.SetGCPercent(defaultGCPercent)
	return true
}
