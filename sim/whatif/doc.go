// Package whatif answers, before a Canary ships, the questions its spec
// leaves open: how long a healthy release takes to promote, how likely a
// regression of a given size is to be caught, how many users hit the bad
// version before the rollback, and how often noise alone rolls back a
// healthy release.
//
// It replays the same spec many times through the simulator (package sim,
// which drives Fledge's engine and real adapters over fake clientsets), each
// run with its own seed, for a healthy canary and for canaries that serve
// more 5xx, more 404s or slower than the primary ([Case]), and summarises
// the runs per case ([CaseResult]). [Sweep] repeats that over a grid of
// spec settings and marks the settings on the trade-off frontier.
//
// Runs are spread over workers, but every run's seed depends only on the
// base seed and the run's index, and results are kept by index: the same
// inputs give the same report whatever the number of workers.
package whatif
