package engine

// Reason says, as one word a program can switch on, why a tick (or a
// refusal or a finalization) ended where it did. Record.Decision holds the
// same in a few words for people, with the details (a weight, an error).
type Reason string

// The reasons of Tick.
const (
	ReasonSuspended            Reason = "Suspended"
	ReasonTargetNotObserved    Reason = "TargetNotObserved"
	ReasonPrimaryNotCreated    Reason = "PrimaryNotCreated"
	ReasonScalerNotReconciled  Reason = "ScalerNotReconciled"
	ReasonRoutingNotReconciled Reason = "RoutingNotReconciled"
	ReasonTargetNotScaledDown  Reason = "TargetNotScaledDown"
	ReasonTargetNotScaledUp    Reason = "TargetNotScaledUp"
	ReasonInitialized          Reason = "Initialized"
	ReasonIdle                 Reason = "Idle"
	ReasonPrimaryNotReady      Reason = "PrimaryNotReady"
	ReasonCanaryNotReady       Reason = "CanaryNotReady"
	ReasonPrimaryStuck         Reason = "PrimaryStuck"
	ReasonCanaryStuck          Reason = "CanaryStuck"
	ReasonRoutesNotRead        Reason = "RoutesNotRead"
	ReasonRoutesNotSet         Reason = "RoutesNotSet"
	ReasonWaitingRollout       Reason = "WaitingRolloutApproval"
	ReasonAnalysisStarted      Reason = "AnalysisStarted"
	ReasonAnalysisRestarted    Reason = "AnalysisRestarted"
	ReasonRollbackFinished     Reason = "RollbackFinished"
	ReasonPromotedUnanalysed   Reason = "PromotedWithoutAnalysis"
	ReasonPromotionFailed      Reason = "PromotionFailed"
	ReasonWebhookRollback      Reason = "RolledBackByWebhook"
	ReasonAllTrafficToPrimary  Reason = "AllTrafficToPrimary"
	ReasonPrimaryWeightStepped Reason = "PrimaryWeightStepped"
	ReasonPromoted             Reason = "Promoted"
	ReasonThresholdRollback    Reason = "ThresholdRollback"
	ReasonResumedWeight        Reason = "ResumedWeight"
	ReasonPreRolloutFailed     Reason = "PreRolloutCheckFailed"
	ReasonRolloutHookFailed    Reason = "RolloutCheckFailed"
	ReasonMetricCheckFailed    Reason = "MetricCheckFailed"
	ReasonABTestingRefused     Reason = "ABTestingRefused"
	ReasonNoWeightStep         Reason = "NoWeightStep"
	ReasonWaitingTraffic       Reason = "WaitingTrafficApproval"
	ReasonAdvanced             Reason = "Advanced"
	ReasonWaitingPromotion     Reason = "WaitingPromotionApproval"
	ReasonPromoting            Reason = "Promoting"
	ReasonIteration            Reason = "Iteration"
	ReasonAllTrafficToCanary   Reason = "AllTrafficToCanary"
)

// The reasons of Refuse.
const (
	// ReasonInvalidSpec: the spec is refused; reported now.
	ReasonInvalidSpec Reason = "InvalidSpec"
	// ReasonInvalidSpecReported: the spec is refused as it was already.
	ReasonInvalidSpecReported Reason = "InvalidSpecReported"
)

// The reasons of Finalize.
const (
	// ReasonNoFinalizer: the canary has no finalizer of Fledge's to run.
	ReasonNoFinalizer Reason = "NoFinalizer"
	// ReasonWaitingTarget: the target is scaled up and not ready yet.
	ReasonWaitingTarget Reason = "WaitingForTarget"
	// ReasonTerminated: the traffic is back on the target, the finalizer gone.
	ReasonTerminated Reason = "Terminated"
	// ReasonTerminatedUnreverted: the target is gone; nothing to revert to.
	ReasonTerminatedUnreverted Reason = "TerminatedWithoutRevert"
	// ReasonFinalizeFailed: a call failed; the finalization is retried.
	ReasonFinalizeFailed Reason = "FinalizeFailed"
)
