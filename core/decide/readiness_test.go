package decide_test

import (
	"testing"
	"time"

	"github.com/fledge-canary/fledge/core/decide"
)

func TestDeploymentReadiness(t *testing.T) {
	since := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	replicas := func(n int32) *int32 { return &n }
	// rolled out is a Deployment of n replicas that finished its rollout.
	rolledOut := func(n int32) decide.DeploymentStatus {
		return decide.DeploymentStatus{
			Name: "podinfo", Generation: 2, ObservedGeneration: 2, Replicas: replicas(n),
			StatusReplicas: n, UpdatedReplicas: n, AvailableReplicas: n, HasProgressing: true,
			ProgressingReason: "NewReplicaSetAvailable",
		}
	}
	// rollingOut is a Deployment of one replica that has none updated yet
	// and has been short of available replicas since `since`.
	rollingOut := func() decide.DeploymentStatus {
		return decide.DeploymentStatus{
			Name: "podinfo", Generation: 3, ObservedGeneration: 3, Replicas: replicas(1),
			StatusReplicas: 1, UpdatedReplicas: 0, AvailableReplicas: 0, HasProgressing: true,
			ProgressingReason: "ReplicaSetUpdated", Unavailable: true, UnavailableSince: since,
		}
	}
	with := func(d decide.DeploymentStatus, f func(*decide.DeploymentStatus)) decide.DeploymentStatus {
		f(&d)
		return d
	}
	const (
		waiting0of1 = "waiting for rollout to finish: 0 out of 1 new replicas have been updated"
		generation  = "waiting for rollout to finish: observed deployment generation less than desired generation"
		deadline    = `deployment "podinfo" exceeded its progress deadline`
	)
	tests := []struct {
		name      string
		status    decide.DeploymentStatus
		deadline  time.Duration
		threshold int
		now       time.Time
		want      decide.Readiness
	}{
		{
			name:   "ready",
			status: rolledOut(1), deadline: time.Minute, threshold: 100, now: since,
			want: decide.Readiness{Ready: true, Retriable: true},
		},
		{
			name:   "generation ahead of observed",
			status: with(rolledOut(1), func(d *decide.DeploymentStatus) { d.Generation = 3 }), deadline: time.Minute, threshold: 100, now: since,
			want: decide.Readiness{Retriable: true, Reason: generation},
		},
		{
			name: "generation ahead of observed wins over a progress deadline",
			status: with(rollingOut(), func(d *decide.DeploymentStatus) {
				d.Generation, d.ProgressingReason = 4, "ProgressDeadlineExceeded"
			}),
			deadline: time.Minute, threshold: 100, now: since.Add(time.Hour),
			want: decide.Readiness{Retriable: true, Reason: generation},
		},
		{
			name:   "ProgressDeadlineExceeded",
			status: with(rollingOut(), func(d *decide.DeploymentStatus) { d.ProgressingReason = "ProgressDeadlineExceeded" }),
			// Within our own deadline: the Deployment's own reason decides.
			deadline: 10 * time.Minute, threshold: 100, now: since.Add(time.Second),
			want: decide.Readiness{Retriable: false, Reason: deadline},
		},
		{
			name: "ProgressDeadlineExceeded wins over a finished rollout",
			status: with(rolledOut(2), func(d *decide.DeploymentStatus) {
				d.Name, d.ProgressingReason = "podinfo-primary", "ProgressDeadlineExceeded"
			}),
			deadline: time.Minute, threshold: 100, now: since,
			want: decide.Readiness{Retriable: false, Reason: `deployment "podinfo-primary" exceeded its progress deadline`},
		},
		{
			name:     "0 out of 1 updated, no conditions",
			status:   with(rollingOut(), func(d *decide.DeploymentStatus) { d.HasProgressing, d.Unavailable = false, false }),
			deadline: time.Minute, threshold: 100, now: since.Add(time.Hour),
			want: decide.Readiness{Retriable: true, Reason: waiting0of1},
		},
		{
			name:   "0 out of 1 updated, unavailable before the deadline",
			status: rollingOut(), deadline: time.Minute, threshold: 100, now: since.Add(30 * time.Second),
			want: decide.Readiness{Retriable: true, Reason: waiting0of1},
		},
		{
			name:   "0 out of 1 updated, unavailable exactly at the deadline",
			status: rollingOut(), deadline: time.Minute, threshold: 100, now: since.Add(60 * time.Second),
			want: decide.Readiness{Retriable: true, Reason: waiting0of1},
		},
		{
			name:   "0 out of 1 updated, unavailable past the deadline",
			status: rollingOut(), deadline: time.Minute, threshold: 100, now: since.Add(61 * time.Second),
			want: decide.Readiness{Retriable: false, Reason: waiting0of1},
		},
		{
			name:     "0 out of 1 updated, unavailable past the deadline without a Progressing condition",
			status:   with(rollingOut(), func(d *decide.DeploymentStatus) { d.HasProgressing = false }),
			deadline: time.Minute, threshold: 100, now: since.Add(time.Hour),
			want: decide.Readiness{Retriable: true, Reason: waiting0of1},
		},
		{
			name: "old replicas pending termination",
			status: with(rolledOut(2), func(d *decide.DeploymentStatus) {
				d.StatusReplicas, d.AvailableReplicas = 3, 3
			}),
			deadline: time.Minute, threshold: 100, now: since,
			want: decide.Readiness{Retriable: true, Reason: "waiting for rollout to finish: 1 old replicas are pending termination"},
		},
		{
			name: "old replicas pending termination past the deadline",
			status: with(rolledOut(2), func(d *decide.DeploymentStatus) {
				d.StatusReplicas, d.Unavailable, d.UnavailableSince = 4, true, since
			}),
			deadline: time.Minute, threshold: 100, now: since.Add(2 * time.Minute),
			want: decide.Readiness{Retriable: false, Reason: "waiting for rollout to finish: 2 old replicas are pending termination"},
		},
		{
			name:     "readyThreshold 100: 2 of 4 available",
			status:   with(rolledOut(4), func(d *decide.DeploymentStatus) { d.AvailableReplicas = 2 }),
			deadline: time.Minute, threshold: 100, now: since,
			want: decide.Readiness{Retriable: true, Reason: "waiting for rollout to finish: 2 of 4 (readyThreshold 100%) updated replicas are available"},
		},
		{
			name:     "readyThreshold 75: 2 of 3 needed",
			status:   with(rolledOut(4), func(d *decide.DeploymentStatus) { d.AvailableReplicas = 2 }),
			deadline: time.Minute, threshold: 75, now: since,
			want: decide.Readiness{Retriable: true, Reason: "waiting for rollout to finish: 2 of 3 (readyThreshold 75%) updated replicas are available"},
		},
		{
			name:     "readyThreshold 50: 2 of 4 is ready",
			status:   with(rolledOut(4), func(d *decide.DeploymentStatus) { d.AvailableReplicas = 2 }),
			deadline: time.Minute, threshold: 50, now: since,
			want: decide.Readiness{Ready: true, Retriable: true},
		},
		{
			name:     "readyThreshold truncates: 50% of 3 needs 1",
			status:   with(rolledOut(3), func(d *decide.DeploymentStatus) { d.AvailableReplicas = 1 }),
			deadline: time.Minute, threshold: 50, now: since,
			want: decide.Readiness{Ready: true, Retriable: true},
		},
		{
			name:     "readyThreshold truncates: 50% of 3 with none available",
			status:   with(rolledOut(3), func(d *decide.DeploymentStatus) { d.AvailableReplicas = 0 }),
			deadline: time.Minute, threshold: 50, now: since,
			want: decide.Readiness{Retriable: true, Reason: "waiting for rollout to finish: 0 of 1 (readyThreshold 50%) updated replicas are available"},
		},
		{
			name: "readyThreshold not met past the deadline",
			status: with(rolledOut(4), func(d *decide.DeploymentStatus) {
				d.AvailableReplicas, d.Unavailable, d.UnavailableSince = 2, true, since
			}),
			deadline: time.Minute, threshold: 100, now: since.Add(61 * time.Second),
			want: decide.Readiness{Retriable: false, Reason: "waiting for rollout to finish: 2 of 4 (readyThreshold 100%) updated replicas are available"},
		},
		{
			name:     "readyThreshold 53% of 100 needs 52, as Flagger truncates it",
			status:   with(rolledOut(100), func(d *decide.DeploymentStatus) { d.AvailableReplicas = 52 }),
			deadline: time.Minute, threshold: 53, now: since,
			want: decide.Readiness{Ready: true, Retriable: true},
		},
		{
			name:     "readyThreshold 84% of 75 needs 62, as Flagger truncates it",
			status:   with(rolledOut(75), func(d *decide.DeploymentStatus) { d.AvailableReplicas = 61 }),
			deadline: time.Minute, threshold: 84, now: since,
			want: decide.Readiness{Retriable: true, Reason: "waiting for rollout to finish: 61 of 62 (readyThreshold 84%) updated replicas are available"},
		},
		{
			name:     "readyThreshold 0 needs none",
			status:   with(rolledOut(2), func(d *decide.DeploymentStatus) { d.AvailableReplicas = 0 }),
			deadline: time.Minute, threshold: 0, now: since,
			want: decide.Readiness{Ready: true, Retriable: true},
		},
		{
			name: "replicas nil skips the updated count",
			status: with(rolledOut(0), func(d *decide.DeploymentStatus) {
				d.Replicas = nil
			}),
			deadline: time.Minute, threshold: 100, now: since,
			want: decide.Readiness{Ready: true, Retriable: true},
		},
		{
			name: "replicas nil with old replicas pending termination",
			status: with(rolledOut(1), func(d *decide.DeploymentStatus) {
				d.Replicas, d.StatusReplicas = nil, 2
			}),
			deadline: time.Minute, threshold: 100, now: since,
			want: decide.Readiness{Retriable: true, Reason: "waiting for rollout to finish: 1 old replicas are pending termination"},
		},
		{
			name:   "scaled to zero is ready",
			status: rolledOut(0), deadline: time.Minute, threshold: 100, now: since,
			want: decide.Readiness{Ready: true, Retriable: true},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := decide.DeploymentReadiness(tc.status, tc.deadline, tc.threshold, tc.now)
			if got != tc.want {
				t.Errorf("DeploymentReadiness =\n%+v\nwant\n%+v", got, tc.want)
			}
		})
	}
}
