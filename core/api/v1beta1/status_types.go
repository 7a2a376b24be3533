package v1beta1

import metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

// CanaryPhase is where a Canary stands in its life cycle.
// +kubebuilder:validation:Enum="";Initializing;Initialized;Waiting;Progressing;WaitingPromotion;Promoting;Finalising;Succeeded;Failed;Terminating;Terminated
type CanaryPhase string

// The phases of a Canary. See core/decide for the transitions.
const (
	PhaseInitializing     CanaryPhase = "Initializing"
	PhaseInitialized      CanaryPhase = "Initialized"
	PhaseWaiting          CanaryPhase = "Waiting"
	PhaseProgressing      CanaryPhase = "Progressing"
	PhaseWaitingPromotion CanaryPhase = "WaitingPromotion"
	PhasePromoting        CanaryPhase = "Promoting"
	PhaseFinalising       CanaryPhase = "Finalising"
	PhaseSucceeded        CanaryPhase = "Succeeded"
	PhaseFailed           CanaryPhase = "Failed"
	PhaseTerminating      CanaryPhase = "Terminating"
	PhaseTerminated       CanaryPhase = "Terminated"
)

// ConditionStatus is True, False or Unknown.
type ConditionStatus string

// The values of a condition's status.
const (
	ConditionTrue    ConditionStatus = "True"
	ConditionFalse   ConditionStatus = "False"
	ConditionUnknown ConditionStatus = "Unknown"
)

// PromotedCondition is the condition Flagger sets on every Canary: whether
// its last revision was promoted.
const PromotedCondition = "Promoted"

// InvalidCondition marks a Canary whose spec Fledge refuses; it is
// dropped by the first tick after the spec validates again.
const InvalidCondition = "Invalid"

// Finalizer is Flagger's finalizer, added to canaries with
// revertOnDeletion.
const Finalizer = "finalizer.flagger.app"

// CanaryCondition is a status condition of a Canary.
type CanaryCondition struct {
	Type   string          `json:"type"`
	Status ConditionStatus `json:"status"`
	// +optional
	LastUpdateTime metav1.Time `json:"lastUpdateTime,omitempty"`
	// +optional
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
	// +optional
	Reason string `json:"reason,omitempty"`
	// +optional
	Message string `json:"message,omitempty"`
}

// CanaryStatus is the observed state of a Canary.
type CanaryStatus struct {
	// +optional
	Phase CanaryPhase `json:"phase,omitempty"`
	// FailedChecks counts failed analysis ticks since the analysis started.
	// +optional
	FailedChecks int `json:"failedChecks"`
	// CanaryWeight is the canary weight last set by the controller.
	// +optional
	CanaryWeight int `json:"canaryWeight"`
	// Iterations counts blue/green iterations.
	// +optional
	Iterations int `json:"iterations"`
	// +optional
	PreviousSessionAffinityCookie string `json:"previousSessionAffinityCookie,omitempty"`
	// +optional
	SessionAffinityCookie string `json:"sessionAffinityCookie,omitempty"`
	// TrackedConfigs maps "configmap/NAME" and "secret/NAME" to a checksum of their data.
	// +optional
	TrackedConfigs *map[string]string `json:"trackedConfigs,omitempty"`
	// LastAppliedSpec is the hash of the target's pod template at the last sync.
	// +optional
	LastAppliedSpec string `json:"lastAppliedSpec,omitempty"`
	// LastPromotedSpec is the hash of the pod template last promoted.
	// +optional
	LastPromotedSpec string `json:"lastPromotedSpec,omitempty"`
	// LastTransitionTime is when the status last changed.
	// +optional
	LastTransitionTime metav1.Time `json:"lastTransitionTime,omitempty"`
	// +optional
	Conditions []CanaryCondition `json:"conditions,omitempty"`
}
