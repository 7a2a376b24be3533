package decide

import v1 "github.com/fledge-canary/fledge/core/api/v1beta1"

// InFlight reports whether a phase is part of an analysis that goes on
// whether or not the target changed.
func InFlight(p v1.CanaryPhase) bool {
	switch p {
	case v1.PhaseProgressing, v1.PhaseWaiting, v1.PhaseWaitingPromotion, v1.PhasePromoting, v1.PhaseFinalising:
		return true
	}
	return false
}

// Initializing reports whether a phase is before the first initialisation.
func Initializing(p v1.CanaryPhase) bool {
	return p == "" || p == v1.PhaseInitializing
}

// Analysing reports whether a phase is one where metrics, rollout and
// rollback hooks run and failed checks count.
func Analysing(p v1.CanaryPhase) bool {
	return p == v1.PhaseProgressing || p == v1.PhaseWaitingPromotion
}

// ThresholdReached reports whether failedChecks has reached the threshold,
// which rolls the canary back on the next tick.
func ThresholdReached(failedChecks, threshold int) bool {
	return failedChecks >= threshold
}

// Condition is the Promoted condition's status and message for a phase.
// Unlike Flagger, Terminating and Terminated get messages of their own.
func Condition(p v1.CanaryPhase) (v1.ConditionStatus, string) {
	switch p {
	case v1.PhaseInitialized:
		return v1.ConditionTrue, "Deployment initialization completed."
	case v1.PhaseWaiting, v1.PhaseWaitingPromotion:
		return v1.ConditionUnknown, "Waiting for approval."
	case v1.PhaseProgressing:
		return v1.ConditionUnknown, "New revision detected, progressing canary analysis."
	case v1.PhasePromoting:
		return v1.ConditionUnknown, "Canary analysis completed, starting primary rolling update."
	case v1.PhaseFinalising:
		return v1.ConditionUnknown, "Canary analysis completed, routing all traffic to primary."
	case v1.PhaseSucceeded:
		return v1.ConditionTrue, "Canary analysis completed successfully, promotion finished."
	case v1.PhaseFailed:
		return v1.ConditionFalse, "Canary analysis failed, Deployment scaled to zero."
	case v1.PhaseTerminating:
		return v1.ConditionUnknown, "Canary is being deleted, reverting traffic to the target."
	case v1.PhaseTerminated:
		return v1.ConditionUnknown, "Canary deleted, traffic reverted to the target."
	default:
		return v1.ConditionUnknown, "New Deployment detected, starting initialization."
	}
}

// WebhookPassed reports whether a webhook's HTTP status counts as a pass:
// any status up to 202, as in Flagger. For rollback hooks a pass asks for
// the rollback.
func WebhookPassed(statusCode int) bool {
	return statusCode <= 202
}
