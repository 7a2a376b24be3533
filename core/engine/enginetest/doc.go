// Package enginetest provides in-memory doubles of the engine's ports and a
// Harness that ticks a Canary through them in virtual time.
//
// The doubles are honest but small. Limitations:
//   - Deployments do not roll out by themselves: a test marks them ready
//     (MarkReady), stuck (Stall) or past their own deadline
//     (ExceedDeadline), playing the kubelet and the Deployment controller.
//     With AutoReady set, every change is ready at once.
//   - Metrics are scripted by metric, not computed from traffic: the builtin
//     queries are recognised by their series and custom queries by their
//     exact text. The simulator (sim/) computes them with PromQL instead.
//   - The TrafficSplit is a pair of weights; Services are only recorded.
package enginetest
