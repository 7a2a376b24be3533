package decide

import (
	"fmt"
	"time"
)

// DeploymentStatus is what readiness needs to know of a Deployment, read by
// the workload adapter.
type DeploymentStatus struct {
	Name               string
	Generation         int64
	ObservedGeneration int64
	// Replicas is spec.replicas; nil when unset.
	Replicas          *int32
	StatusReplicas    int32
	UpdatedReplicas   int32
	AvailableReplicas int32
	// HasProgressing is whether the Progressing condition exists, and
	// ProgressingReason its reason (ProgressDeadlineExceeded when the
	// Deployment's own deadline passed).
	HasProgressing    bool
	ProgressingReason string
	// Unavailable is the Available condition being False with reason
	// MinimumReplicasUnavailable; UnavailableSince is its lastUpdateTime.
	Unavailable      bool
	UnavailableSince time.Time
}

// Readiness is the verdict on a Deployment's rollout. A not-ready
// Deployment is either still rolling out (Retriable) or stuck for good.
type Readiness struct {
	Ready     bool
	Retriable bool
	Reason    string
}

// DeploymentReadiness decides whether d has finished rolling out. A
// Deployment that has been short of available replicas for longer than
// deadline at now is stuck (not retriable), and so is one whose own
// Progressing condition says ProgressDeadlineExceeded. thresholdPercent is
// the share of updated replicas that must be available.
func DeploymentReadiness(d DeploymentStatus, deadline time.Duration, thresholdPercent int, now time.Time) Readiness {
	if d.Generation > d.ObservedGeneration {
		return notReady(true, "waiting for rollout to finish: observed deployment generation less than desired generation")
	}
	retriable := true
	if d.HasProgressing && d.Unavailable {
		retriable = !d.UnavailableSince.Add(deadline).Before(now)
	}
	// The ratio is taken first, in float32, as Flagger does: the truncation
	// then agrees with Flagger's for every replica count.
	ratio := float32(thresholdPercent) / float32(100)
	needAvailable := int32(float32(d.UpdatedReplicas) * ratio)
	switch {
	case d.HasProgressing && d.ProgressingReason == "ProgressDeadlineExceeded":
		return notReady(false, fmt.Sprintf("deployment %q exceeded its progress deadline", d.Name))
	case d.Replicas != nil && d.UpdatedReplicas < *d.Replicas:
		return notReady(retriable, fmt.Sprintf("waiting for rollout to finish: %d out of %d new replicas have been updated",
			d.UpdatedReplicas, *d.Replicas))
	case d.StatusReplicas > d.UpdatedReplicas:
		return notReady(retriable, fmt.Sprintf("waiting for rollout to finish: %d old replicas are pending termination",
			d.StatusReplicas-d.UpdatedReplicas))
	case d.AvailableReplicas < needAvailable:
		return notReady(retriable, fmt.Sprintf("waiting for rollout to finish: %d of %d (readyThreshold %d%%) updated replicas are available",
			d.AvailableReplicas, needAvailable, thresholdPercent))
	}
	return Readiness{Ready: true, Retriable: true}
}

func notReady(retriable bool, reason string) Readiness {
	return Readiness{Retriable: retriable, Reason: reason}
}
