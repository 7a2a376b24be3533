package controller

import (
	"testing"
	"testing/synctest"
	"time"

	"k8s.io/client-go/util/workqueue"
)

func newTestQueue() *beatQueue[string] {
	inner := workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[string]())
	return newBeatQueue(inner, tickQuantum)
}

// got takes the next item and the time it came out.
func got(q *beatQueue[string]) (string, time.Time) {
	item, _ := q.Get()
	q.Done(item)
	return item, time.Now()
}

func TestBeatQueueReleasesADelayedItemAtTheNextQuantum(t *testing.T) {
	tests := []struct {
		name  string
		after time.Duration
	}{
		{"on a boundary", 2 * time.Second},
		{"between boundaries", 2*time.Second + 30*time.Millisecond},
		{"less than a quantum", 10 * time.Millisecond},
		{"now", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				time.Sleep(17 * time.Millisecond) // off the boundaries
				q := newTestQueue()
				defer q.ShutDown()
				start := time.Now()
				q.AddAfter("a", tt.after)
				item, at := got(q)
				waited := at.Sub(start)
				if item != "a" || waited < tt.after || waited > tt.after+tickQuantum {
					t.Errorf("got %q after %s, want \"a\" after %s to %s", item, waited, tt.after, tt.after+tickQuantum)
				}
				if at.UnixNano()%int64(tickQuantum) != 0 && tt.after > 0 {
					t.Errorf("released at %s, not on a quantum boundary", at.Format(time.StampMicro))
				}
			})
		})
	}
}

func TestBeatQueueReleasesItemsDueInOneQuantumTogether(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newTestQueue()
		defer q.ShutDown()
		q.AddAfter("a", 1*time.Second+10*time.Millisecond)
		time.Sleep(20 * time.Millisecond)
		q.AddAfter("b", 1*time.Second+40*time.Millisecond) // due 70ms after a, in the same tenth
		q.AddAfter("c", 3*time.Second)
		time.Sleep(1200 * time.Millisecond)
		synctest.Wait()
		if n := q.Len(); n != 2 {
			t.Fatalf("%d items ready after 1.2s, want a and b", n)
		}
		if n := q.waiting(); n != 1 {
			t.Errorf("%d items waiting, want c", n)
		}
	})
}

func TestBeatQueueKeepsTheEarlierOfTwoDueTimes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newTestQueue()
		defer q.ShutDown()
		start := time.Now()
		q.AddAfter("a", 5*time.Second)
		q.AddAfter("a", 2*time.Second) // earlier: moves
		q.AddAfter("a", 8*time.Second) // later: ignored
		_, at := got(q)
		if waited := at.Sub(start); waited < 2*time.Second || waited > 2*time.Second+tickQuantum {
			t.Errorf("released after %s, want 2s", waited)
		}
		time.Sleep(10 * time.Second)
		synctest.Wait()
		if n := q.Len(); n != 0 {
			t.Errorf("%d more items released, want the item once", n)
		}
	})
}

func TestBeatQueueStopsOnShutDown(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		q := newTestQueue()
		q.AddAfter("a", time.Second)
		q.ShutDown()
		q.ShutDown()    // twice is fine
		synctest.Wait() // the ticker's goroutine has returned: synctest fails on a leak
		if _, shutdown := q.Get(); !shutdown {
			t.Error("Get after ShutDown: not shut down")
		}
	})
}
