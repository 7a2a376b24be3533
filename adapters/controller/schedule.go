package controller

import (
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/types"
)

// schedule remembers when each canary last ticked.
type schedule struct {
	mu   sync.Mutex
	last map[types.NamespacedName]time.Time
}

func newSchedule() *schedule { return &schedule{last: map[types.NamespacedName]time.Time{}} }

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

func (s *schedule) ticked(key types.NamespacedName, at time.Time) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.last[key] = at
}

func (s *schedule) forget(key types.NamespacedName) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.last, key)
}
