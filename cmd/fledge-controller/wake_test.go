package main

import (
	"testing"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// TestDeploymentChangesWakeTheCanary runs a canary with a one-hour
// interval: it is Initialized as soon as its primary is ready, and its new
// revision is detected as soon as the target changes — each an hour
// earlier than ticks at the interval alone would.
func TestDeploymentChangesWakeTheCanary(t *testing.T) {
	tc := startCluster(t)
	ctx := t.Context()
	r := newRollout(ctx, t, tc, "wake", newFakePrometheus(t))
	startShard(t, tc, "")
	cd, err := r.canary()
	must(t, err)
	cd.Spec.Analysis.Interval = "1h"
	cd.Spec.Analysis.Metrics = nil
	must(t, tc.c.Create(ctx, cd))
	must(t, r.waitPhase(ctx, v1.PhaseInitialized, time.Minute, never))
	must(t, r.newRevision(ctx, "ghcr.io/stefanprodan/podinfo:6.0.1", 4))
	must(t, r.waitPhase(ctx, v1.PhaseProgressing, time.Minute, never))
}
