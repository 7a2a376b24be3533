package controller

import (
	"fmt"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

func TestSpreadIsStableAndWithinTheInterval(t *testing.T) {
	const interval = 10 * time.Second
	buckets := make([]int, 10)
	for i := range 500 {
		key := types.NamespacedName{Namespace: fmt.Sprintf("ns-%d", i), Name: "podinfo"}
		d := spread(key, interval)
		if d < 0 || d >= interval {
			t.Fatalf("spread(%v) = %v, outside [0, %v)", key, d, interval)
		}
		if d != spread(key, interval) {
			t.Fatalf("spread(%v) is not stable", key)
		}
		buckets[d/time.Second]++
	}
	for s, n := range buckets {
		if n < 25 || n > 75 { // 50 expected per second of the interval
			t.Errorf("second %d of the interval holds %d of 500 canaries: %v", s, n, buckets)
		}
	}
}

func TestAdoptSchedulesTheFirstTickAtTheOffset(t *testing.T) {
	s := newSchedule()
	key := types.NamespacedName{Namespace: "test", Name: "podinfo"}
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const interval = 30 * time.Second
	wait := s.adopt(key, interval, now)
	if wait != spread(key, interval) {
		t.Fatalf("adopt waits %v, want the spread %v", wait, spread(key, interval))
	}
	if got := s.wait(key, interval, now); got != wait {
		t.Errorf("wait right after adopt = %v, want %v", got, wait)
	}
	if got := s.wait(key, interval, now.Add(wait)); got != 0 {
		t.Errorf("wait at the offset = %v, want 0 (due)", got)
	}
}

func TestDueOfACanaryTakenOver(t *testing.T) {
	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	key := types.NamespacedName{Namespace: "test", Name: "podinfo"}
	canary := func(phase v1.CanaryPhase, changed time.Time) *v1.Canary {
		cd := &v1.Canary{Spec: v1.CanarySpec{Analysis: &v1.CanaryAnalysis{Interval: "30s"}}}
		cd.Status.Phase = phase
		if !changed.IsZero() {
			cd.Status.LastTransitionTime = metav1.NewTime(changed)
		}
		return cd
	}
	tests := []struct {
		name string
		cd   *v1.Canary
		want time.Duration
	}{
		{"a new canary ticks at once", canary("", time.Time{}), 0},
		{"settled: spread into the interval", canary(v1.PhaseSucceeded, now.Add(-time.Hour)), spread(key, 30*time.Second)},
		{"analysing, ticked 10s ago: the rest of the interval", canary(v1.PhaseProgressing, now.Add(-10*time.Second)), 20 * time.Second},
		{"analysing, status older than the interval: at once", canary(v1.PhaseProgressing, now.Add(-time.Minute)), 0},
		{"analysing, status from a clock ahead: at most the interval", canary(v1.PhaseProgressing, now.Add(time.Minute)), 30 * time.Second},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := newSchedule().due(key, tc.cd, now); got != tc.want {
				t.Errorf("due = %v, want %v", got, tc.want)
			}
		})
	}
}

func TestSettledTicksMoveToTheirSlot(t *testing.T) {
	const interval = 10 * time.Second
	key := types.NamespacedName{Namespace: "test", Name: "podinfo"}
	offset := spread(key, interval)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC) // a whole interval
	tests := []struct {
		name string
		at   time.Duration // the settling tick, from t0
		want time.Duration // its next tick, from t0
	}{
		{"slot more than half an interval ahead", offset - 6*time.Second, offset},
		{"slot less than half an interval ahead: half an interval", offset - 4*time.Second, offset + time.Second},
		{"on the slot: an interval later", offset, offset + interval},
		{"just after the slot: the next, just within an interval", offset + time.Millisecond, offset + interval},
		{"slot exactly an interval ahead", offset - interval, offset},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s := newSchedule()
			at := t0.Add(tc.at)
			s.tickedSettled(key, interval, at)
			if got := s.wait(key, interval, at); got != tc.want-tc.at {
				t.Errorf("next tick in %v, want %v", got, tc.want-tc.at)
			}
			if got := s.wait(key, interval, at.Add(interval)); got != 0 {
				t.Errorf("an interval after the settling tick: due in %v, want now", got)
			}
			if got := s.lateness(key, interval, t0.Add(tc.want+time.Second)); got != time.Second {
				t.Errorf("a second after the slot: %v late, want 1s", got)
			}
		})
	}
}

func TestWakes(t *testing.T) {
	canary := func(phase v1.CanaryPhase) *v1.Canary {
		cd := &v1.Canary{Spec: v1.CanarySpec{TargetRef: v1.LocalObjectReference{Name: "podinfo"}}}
		cd.Name = "podinfo"
		cd.Status.Phase = phase
		return cd
	}
	tests := []struct {
		phase       v1.CanaryPhase
		deployment  string
		newTemplate bool
		want        bool
	}{
		{"", "podinfo-primary", false, true},
		{v1.PhaseInitializing, "podinfo-primary", false, true},
		{v1.PhaseInitialized, "podinfo", true, true},
		{v1.PhaseSucceeded, "podinfo", true, true},
		{v1.PhaseFailed, "podinfo", true, true},
		{v1.PhaseSucceeded, "podinfo", false, false},        // a status change: nothing to detect
		{v1.PhaseSucceeded, "podinfo-primary", true, false}, // Fledge's own promotion
		{v1.PhaseProgressing, "podinfo", true, false},       // analysis ticks keep their interval
		{v1.PhaseWaiting, "podinfo", false, false},
	}
	for _, tc := range tests {
		if got := wakes(canary(tc.phase), tc.deployment, func() bool { return tc.newTemplate }); got != tc.want {
			t.Errorf("phase %q, deployment %s, new template %v: wakes %v, want %v", tc.phase, tc.deployment, tc.newTemplate, got, tc.want)
		}
	}
}

func TestValidatedOncePerVersion(t *testing.T) {
	key := types.NamespacedName{Namespace: "test", Name: "podinfo"}
	canary := func(version string, threshold int) *v1.Canary {
		cd := &v1.Canary{Spec: v1.CanarySpec{
			TargetRef: v1.LocalObjectReference{APIVersion: "apps/v1", Kind: "Deployment", Name: "podinfo"},
			Service:   v1.CanaryService{Port: 9898},
			Analysis:  &v1.CanaryAnalysis{Interval: "10s", Threshold: threshold, StepWeight: 10, MaxWeight: 50},
		}}
		cd.Name, cd.Namespace, cd.UID, cd.ResourceVersion = "podinfo", "test", "u1", version
		return cd
	}
	v := newValidated()
	steps := []struct {
		name    string
		cd      *v1.Canary
		invalid bool
	}{
		{"valid", canary("1", 5), false},
		// An invalid spec under the same version cannot happen on an API
		// server: it shows that the memo answered.
		{"same version", canary("1", -1), false},
		{"new version", canary("2", -1), true},
		{"fixed", canary("3", 5), false},
	}
	for _, s := range steps {
		errs, _ := v.of(key, s.cd, v1.ValidationOptions{})
		if got := len(errs) > 0; got != s.invalid {
			t.Errorf("%s: invalid %v (%v), want %v", s.name, got, errs, s.invalid)
		}
	}
}

func TestTicksKeepTheBeat(t *testing.T) {
	key := types.NamespacedName{Namespace: "test", Name: "podinfo"}
	last := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	const interval = 10 * time.Second
	due := last.Add(interval)
	tests := []struct {
		name string
		now  time.Time
		want time.Time
	}{
		{"on time", due, due},
		{"late by a queue's delay: counts from its due time", due.Add(800 * time.Millisecond), due},
		{"late by just under half an interval", due.Add(interval/2 - time.Millisecond), due},
		{"late by half an interval: counts from now", due.Add(interval / 2), due.Add(interval / 2)},
		{"early (woken by a change): counts from now", due.Add(-3 * time.Second), due.Add(-3 * time.Second)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := newSchedule()
			s.ticked(key, last)
			if got := s.anchor(key, interval, tt.now); !got.Equal(tt.want) {
				t.Errorf("anchor at %s = %s, want %s", tt.now.Format(time.TimeOnly), got.Format(time.StampMilli), tt.want.Format(time.StampMilli))
			}
		})
	}
	t.Run("never ticked: counts from now", func(t *testing.T) {
		if got := newSchedule().anchor(key, interval, due); !got.Equal(due) {
			t.Errorf("anchor = %s, want now", got)
		}
	})
	t.Run("ten late ticks take ten intervals", func(t *testing.T) {
		s := newSchedule()
		s.ticked(key, last)
		now := last
		for range 10 {
			now = now.Add(s.wait(key, interval, now)).Add(700 * time.Millisecond) // each runs 0.7s late
			s.ticked(key, s.anchor(key, interval, now))
		}
		if want := last.Add(10*interval + 700*time.Millisecond); !now.Equal(want) {
			t.Errorf("the tenth tick ran at %s, want %s", now.Format(time.StampMilli), want.Format(time.StampMilli))
		}
	})
}
