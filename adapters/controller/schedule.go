package controller

import (
	"hash/fnv"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// schedule remembers when each canary last ticked.
type schedule struct {
	mu    sync.Mutex
	last  map[types.NamespacedName]time.Time
	woken map[types.NamespacedName]bool // due at once (see wakeOnDeployments)
}

func newSchedule() *schedule {
	return &schedule{last: map[types.NamespacedName]time.Time{}, woken: map[types.NamespacedName]bool{}}
}

// wake makes the canary's next reconcile tick it, whenever it is due.
func (s *schedule) wake(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.woken[key] = true
}

// takeWake reports, once, whether the canary was woken.
func (s *schedule) takeWake(key types.NamespacedName) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.woken[key]
	delete(s.woken, key)
	return w
}

// wait is how long until the canary's next tick at now, given its current
// interval; zero when it is due (or never ticked).
func (s *schedule) wait(key types.NamespacedName, interval time.Duration, now time.Time) time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.last[key]
	if !ok {
		return 0
	}
	return max(0, last.Add(interval).Sub(now))
}

// anchor is the time a tick that runs at now counts from. A tick that runs
// late by less than half an interval counts from its due time, so that the
// work queue's delays do not add up from tick to tick: an analysis of ten
// steps takes ten intervals, not ten intervals and ten delays, as with
// Flagger's ticker. An early tick (woken by a change) and one so late that
// keeping the beat would bunch the next ones count from now.
func (s *schedule) anchor(key types.NamespacedName, interval time.Duration, now time.Time) time.Time {
	s.mu.Lock()
	defer s.mu.Unlock()
	last, ok := s.last[key]
	if !ok || interval <= 0 {
		return now
	}
	due := last.Add(interval)
	if now.Before(due) || now.Sub(due) >= interval/2 {
		return now
	}
	return due
}

func (s *schedule) ticked(key types.NamespacedName, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last[key] = at
}

// tickedSettled records a tick at `at` after which the canary is settled
// (see settled): its next tick moves towards its slot, the times whose
// offset into the interval is spread(key), never later than an interval
// after this tick. The next tick falls on the slot when one is between half
// an interval and an interval ahead, else half an interval ahead, which
// brings the slot into that range for the tick after. Canaries created,
// promoted or rolled back together so leave the second they shared; in
// steady state a slot is exactly an interval after the last. The wait and
// the lateness count from the time chosen.
func (s *schedule) tickedSettled(key types.NamespacedName, interval time.Duration, at time.Time) {
	if interval <= 0 {
		s.ticked(key, at)
		return
	}
	next := nextSlot(spread(key, interval), interval, at.Add(interval/2))
	if next.After(at.Add(interval)) {
		next = at.Add(interval / 2)
	}
	s.ticked(key, next.Add(-interval))
}

// nextSlot is the first time not before `after` whose offset into the
// interval (counted from the zero time) is offset.
func nextSlot(offset, interval time.Duration, after time.Time) time.Time {
	slot := after.Truncate(interval).Add(offset)
	if slot.Before(after) {
		slot = slot.Add(interval)
	}
	return slot
}

func (s *schedule) forget(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.last, key)
	delete(s.woken, key)
}

// spread is where in the interval a canary's ticks fall when the
// controller takes over a canary that is already set up (a restart, a new
// leader): a fixed offset in [0, interval) from a hash of its key, so that
// hundreds of canaries do not all tick at the same instant, as they would
// if each ticked at once.
func spread(key types.NamespacedName, interval time.Duration) time.Duration {
	if interval <= 0 {
		return 0
	}
	h := fnv.New64a()
	_, _ = h.Write([]byte(key.Namespace + "/" + key.Name))
	return time.Duration(h.Sum64() % uint64(interval))
}

// adopt schedules the first tick of a canary taken over at now to fall
// spread(key) into the interval, and returns how long until it.
func (s *schedule) adopt(key types.NamespacedName, interval time.Duration, now time.Time) time.Duration {
	offset := spread(key, interval)
	s.ticked(key, now.Add(offset-interval))
	return offset
}

// known reports whether the canary has ticked or been adopted.
func (s *schedule) known(key types.NamespacedName) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	_, ok := s.last[key]
	return ok
}

// due is how long until the canary's next tick at now: its ticks are an
// analysis interval apart. A canary this controller takes over (a
// restart, a new leader, a canary relabelled into this shard) has its
// first tick spread into the interval when it is settled (see settled),
// and, in an analysis, an interval after its status last changed — which
// an analysis tick does — so that the hand-over does not tick it twice in
// one interval. A new canary ticks at once.
func (s *schedule) due(key types.NamespacedName, cd *v1.Canary, now time.Time) time.Duration {
	interval := cd.GetAnalysisInterval()
	if s.takeWake(key) {
		return 0
	}
	if !s.known(key) {
		switch last := cd.Status.LastTransitionTime; {
		case settled(cd):
			if wait := s.adopt(key, interval, now); wait > 0 {
				return wait
			}
		case decide.InFlight(cd.Status.Phase) && !last.IsZero():
			s.ticked(key, minTime(last.Time, now))
		}
	}
	return s.wait(key, interval, now)
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// settled reports whether a canary is set up and between analyses: a
// canary the controller takes over in that state has nothing urgent, so
// its ticks are spread over the interval. A new canary, or one in an
// analysis, ticks at once, as in Flagger.
func settled(cd *v1.Canary) bool {
	switch cd.Status.Phase {
	case v1.PhaseInitialized, v1.PhaseSucceeded, v1.PhaseFailed:
		return true
	}
	return false
}
