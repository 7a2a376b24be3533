package loadtester

import (
	"sync"
	"time"

	"k8s.io/utils/clock"
)

// gates are the open gates by key ("podinfo.test" for /gate/*,
// "rollback.podinfo.test" for /rollback/*), in memory: every gate is closed
// when the process starts. With a TTL, a gate closes that long after it was
// last opened; without one it stays open until closed, as in Flagger.
type gates struct {
	clock clock.PassiveClock
	ttl   time.Duration
	mu    sync.Mutex
	// open maps a key to when it closes by itself (zero: never).
	open map[string]time.Time
}

func newGates(c clock.PassiveClock, ttl time.Duration) *gates {
	return &gates{clock: c, ttl: ttl, open: map[string]time.Time{}}
}

// Open opens the gate, or restarts its TTL; it returns when the gate
// closes by itself (zero: never).
func (g *gates) Open(key string) time.Time {
	g.mu.Lock()
	defer g.mu.Unlock()
	var closes time.Time
	if g.ttl > 0 {
		closes = g.clock.Now().Add(g.ttl)
	}
	g.open[key] = closes
	return closes
}

// Close closes the gate; closing a closed gate does nothing.
func (g *gates) Close(key string) {
	g.mu.Lock()
	defer g.mu.Unlock()
	delete(g.open, key)
}

// IsOpen reports whether the gate is open, closing it first if its TTL is
// up.
func (g *gates) IsOpen(key string) bool {
	g.mu.Lock()
	defer g.mu.Unlock()
	closes, ok := g.open[key]
	if ok && !closes.IsZero() && !g.clock.Now().Before(closes) {
		delete(g.open, key)
		return false
	}
	return ok
}
