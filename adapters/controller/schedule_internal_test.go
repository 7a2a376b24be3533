package controller

import (
	"fmt"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/types"
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
