package decide_test

import (
	"testing"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

func TestTargetChanged(t *testing.T) {
	tests := []struct {
		name                      string
		lastApplied, lastPromoted string
		hash                      string
		want                      bool
	}{
		{name: "never applied", lastApplied: "", lastPromoted: "", hash: "6c9dbdd48d", want: true},
		{name: "never applied, hash equal to promoted", lastApplied: "", lastPromoted: "6c9dbdd48d", hash: "6c9dbdd48d", want: true},
		{name: "equal to applied", lastApplied: "6c9dbdd48d", lastPromoted: "6c9dbdd48d", hash: "6c9dbdd48d", want: false},
		{name: "equal to applied, not promoted", lastApplied: "7f8b9c6d5e", lastPromoted: "6c9dbdd48d", hash: "7f8b9c6d5e", want: false},
		{name: "differs from both", lastApplied: "7f8b9c6d5e", lastPromoted: "6c9dbdd48d", hash: "5d4c3b2a19", want: true},
		{name: "differs from applied, promoted empty", lastApplied: "7f8b9c6d5e", lastPromoted: "", hash: "5d4c3b2a19", want: true},
		{name: "revert to promoted mid-analysis is not a change", lastApplied: "7f8b9c6d5e", lastPromoted: "6c9dbdd48d", hash: "6c9dbdd48d", want: false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			st := v1.CanaryStatus{LastAppliedSpec: tc.lastApplied, LastPromotedSpec: tc.lastPromoted}
			if got := decide.TargetChanged(st, tc.hash); got != tc.want {
				t.Errorf("TargetChanged(applied %q, promoted %q, hash %q) = %v, want %v",
					tc.lastApplied, tc.lastPromoted, tc.hash, got, tc.want)
			}
		})
	}
}

func TestConfigsChanged(t *testing.T) {
	tracked := func(m map[string]string) *map[string]string { return &m }
	tests := []struct {
		name    string
		tracked *map[string]string
		current map[string]string
		want    bool
	}{
		{name: "tracking off: nil current", tracked: tracked(map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b"}), current: nil, want: false},
		{name: "tracking off, nothing tracked", tracked: nil, current: nil, want: false},
		{name: "nothing tracked, no refs", tracked: nil, current: map[string]string{}, want: false},
		{name: "nothing tracked, refs", tracked: nil, current: map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b"}, want: true},
		{name: "empty tracked, no refs", tracked: tracked(map[string]string{}), current: map[string]string{}, want: false},
		{
			name:    "a ref added",
			tracked: tracked(map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b"}),
			current: map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b", "secret/podinfo": "0f1e2d3c4b5a6978"},
			want:    true,
		},
		{
			name:    "a ref removed",
			tracked: tracked(map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b", "secret/podinfo": "0f1e2d3c4b5a6978"}),
			current: map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b"},
			want:    true,
		},
		{
			name:    "all refs removed",
			tracked: tracked(map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b"}),
			current: map[string]string{},
			want:    true,
		},
		{
			name:    "checksum differs",
			tracked: tracked(map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b", "secret/podinfo": "0f1e2d3c4b5a6978"}),
			current: map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b", "secret/podinfo": "8796a5b4c3d2e1f0"},
			want:    true,
		},
		{
			name:    "key renamed, same checksum",
			tracked: tracked(map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b"}),
			current: map[string]string{"configmap/podinfo-v2": "1a2b3c4d5e6f7a8b"},
			want:    true,
		},
		{
			name:    "same name, other kind",
			tracked: tracked(map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b"}),
			current: map[string]string{"secret/podinfo": "1a2b3c4d5e6f7a8b"},
			want:    true,
		},
		{
			name:    "equal",
			tracked: tracked(map[string]string{"configmap/podinfo": "1a2b3c4d5e6f7a8b", "secret/podinfo": "0f1e2d3c4b5a6978"}),
			current: map[string]string{"secret/podinfo": "0f1e2d3c4b5a6978", "configmap/podinfo": "1a2b3c4d5e6f7a8b"},
			want:    false,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := decide.ConfigsChanged(tc.tracked, tc.current); got != tc.want {
				t.Errorf("ConfigsChanged = %v, want %v", got, tc.want)
			}
		})
	}
}
