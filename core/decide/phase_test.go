package decide_test

import (
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// TestPhases pins, for every phase, the Promoted condition and which
// groups of phases it belongs to.
func TestPhases(t *testing.T) {
	tests := []struct {
		phase        v1.CanaryPhase
		status       v1.ConditionStatus
		message      string
		inFlight     bool
		initializing bool
		analysing    bool
	}{
		{phase: "", status: v1.ConditionUnknown, message: "New Deployment detected, starting initialization.",
			initializing: true},
		{phase: v1.PhaseInitializing, status: v1.ConditionUnknown, message: "New Deployment detected, starting initialization.",
			initializing: true},
		{phase: v1.PhaseInitialized, status: v1.ConditionTrue, message: "Deployment initialization completed."},
		{phase: v1.PhaseWaiting, status: v1.ConditionUnknown, message: "Waiting for approval.",
			inFlight: true},
		{phase: v1.PhaseProgressing, status: v1.ConditionUnknown, message: "New revision detected, progressing canary analysis.",
			inFlight: true, analysing: true},
		{phase: v1.PhaseWaitingPromotion, status: v1.ConditionUnknown, message: "Waiting for approval.",
			inFlight: true, analysing: true},
		{phase: v1.PhasePromoting, status: v1.ConditionUnknown, message: "Canary analysis completed, starting primary rolling update.",
			inFlight: true},
		{phase: v1.PhaseFinalising, status: v1.ConditionUnknown, message: "Canary analysis completed, routing all traffic to primary.",
			inFlight: true},
		{phase: v1.PhaseSucceeded, status: v1.ConditionTrue, message: "Canary analysis completed successfully, promotion finished."},
		{phase: v1.PhaseFailed, status: v1.ConditionFalse, message: "Canary analysis failed, Deployment scaled to zero."},
		// Flagger falls through to the initialisation text here (docs/flagger-compatibility.md,
		// Known Flagger bugs); Fledge gives the deletion phases messages of their own.
		{phase: v1.PhaseTerminating, status: v1.ConditionUnknown, message: "Canary is being deleted, reverting traffic to the target."},
		{phase: v1.PhaseTerminated, status: v1.ConditionUnknown, message: "Canary deleted, traffic reverted to the target."},
	}
	for _, tc := range tests {
		name := string(tc.phase)
		if name == "" {
			name = "empty"
		}
		t.Run(name, func(t *testing.T) {
			status, message := decide.Condition(tc.phase)
			if status != tc.status || message != tc.message {
				t.Errorf("Condition = %q, %q; want %q, %q", status, message, tc.status, tc.message)
			}
			if got := decide.InFlight(tc.phase); got != tc.inFlight {
				t.Errorf("InFlight = %v, want %v", got, tc.inFlight)
			}
			if got := decide.Initializing(tc.phase); got != tc.initializing {
				t.Errorf("Initializing = %v, want %v", got, tc.initializing)
			}
			if got := decide.Analysing(tc.phase); got != tc.analysing {
				t.Errorf("Analysing = %v, want %v", got, tc.analysing)
			}
		})
	}
}

func TestThresholdReached(t *testing.T) {
	tests := []struct {
		name                    string
		failedChecks, threshold int
		want                    bool
	}{
		{name: "no failures, threshold 1", failedChecks: 0, threshold: 1, want: false},
		{name: "one failure, threshold 1", failedChecks: 1, threshold: 1, want: true},
		{name: "past threshold", failedChecks: 3, threshold: 2, want: true},
		{name: "one below threshold", failedChecks: 1, threshold: 2, want: false},
		{name: "at threshold 2", failedChecks: 2, threshold: 2, want: true},
		{name: "at threshold 10", failedChecks: 10, threshold: 10, want: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide.ThresholdReached(tc.failedChecks, tc.threshold); got != tc.want {
				t.Errorf("ThresholdReached(%d, %d) = %v, want %v", tc.failedChecks, tc.threshold, got, tc.want)
			}
		})
	}
}

func TestWebhookPassed(t *testing.T) {
	tests := []struct {
		name   string
		status int
		want   bool
	}{
		{name: "100 Continue passes (Flagger's <= 202 rule)", status: 100, want: true},
		{name: "200 OK", status: 200, want: true},
		{name: "201 Created", status: 201, want: true},
		{name: "202 Accepted", status: 202, want: true},
		{name: "203 Non-Authoritative Information", status: 203, want: false},
		{name: "204 No Content", status: 204, want: false},
		{name: "302 Found", status: 302, want: false},
		{name: "403 Forbidden", status: 403, want: false},
		{name: "404 Not Found", status: 404, want: false},
		{name: "500 Internal Server Error", status: 500, want: false},
		{name: "503 Service Unavailable", status: 503, want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide.WebhookPassed(tc.status); got != tc.want {
				t.Errorf("WebhookPassed(%d) = %v, want %v", tc.status, got, tc.want)
			}
		})
	}
}
