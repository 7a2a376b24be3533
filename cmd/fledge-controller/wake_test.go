package main

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// TestChangesWakeTheCanary runs canaries with a one-hour interval: each is
// Initialized as soon as its primary is ready, and its new revision — a
// new image, or a change of a ConfigMap its target uses — is detected as
// soon as it is made; each an hour earlier than ticks at the interval
// alone would.
func TestChangesWakeTheCanary(t *testing.T) {
	tc := startCluster(t)
	ctx := t.Context()
	startShard(t, tc, "")
	tests := []struct {
		ns     string
		change func(context.Context, *rollout) error
	}{
		{"wake-image", func(ctx context.Context, r *rollout) error {
			return r.newRevision(ctx, "ghcr.io/stefanprodan/podinfo:6.0.1", 4)
		}},
		{"wake-config", func(ctx context.Context, r *rollout) error {
			cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: r.ns, Name: "podinfo-config"}}
			return r.update(ctx, cm, func() { cm.Data["level"] = "debug" })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.ns, func(t *testing.T) {
			r := newRollout(ctx, t, tc, tt.ns, newFakePrometheus(t))
			cd, err := r.canary()
			must(t, err)
			cd.Spec.Analysis.Interval = "1h"
			cd.Spec.Analysis.Metrics = nil
			must(t, tc.c.Create(ctx, cd))
			must(t, r.waitPhase(ctx, v1.PhaseInitialized, time.Minute, never))
			must(t, tt.change(ctx, r))
			must(t, r.waitPhase(ctx, v1.PhaseProgressing, time.Minute, never))
		})
	}
}
