package controller

import (
	"sync"
	"time"

	"k8s.io/client-go/util/workqueue"
	"sigs.k8s.io/controller-runtime/pkg/reconcile"
)

// tickQuantum is how finely the canary queue times a canary's next tick:
// ticks due within the same tenth of a second are released together.
const tickQuantum = 100 * time.Millisecond

// beatQueue is the canary controller's work queue: client-go's
// rate-limiting queue, whose delayed adds (every canary's next tick) wait
// in buckets of a quantum, released together by one ticker. client-go's
// delaying queue wakes its goroutine and arms a new timer at every delayed
// add and wakes again at every due time; with hundreds of canaries those
// wake-ups cost more than the idle ticks themselves. A tick runs at most a
// quantum after its due time. Rate-limited adds (retries) keep client-go's
// own delays.
type beatQueue[T comparable] struct {
	workqueue.TypedRateLimitingInterface[T]
	quantum time.Duration

	mu      sync.Mutex
	due     map[T]int64 // the bucket each waiting item is due in
	buckets map[int64][]T
	next    int64 // the first bucket not yet released

	stop chan struct{}
	once sync.Once
}

// newCanaryQueue is the controller's queue: client-go's rate-limiting queue
// named after the controller (its workqueue metrics), in a beatQueue.
func newCanaryQueue(name string, limiter workqueue.TypedRateLimiter[reconcile.Request]) workqueue.TypedRateLimitingInterface[reconcile.Request] {
	inner := workqueue.NewTypedRateLimitingQueueWithConfig(limiter, workqueue.TypedRateLimitingQueueConfig[reconcile.Request]{Name: name})
	return newBeatQueue(inner, tickQuantum)
}

// newBeatQueue wraps inner and starts releasing its delayed items.
func newBeatQueue[T comparable](inner workqueue.TypedRateLimitingInterface[T], quantum time.Duration) *beatQueue[T] {
	q := &beatQueue[T]{
		TypedRateLimitingInterface: inner,
		quantum:                    quantum,
		due:                        map[T]int64{},
		buckets:                    map[int64][]T{},
		stop:                       make(chan struct{}),
	}
	q.next = q.bucketAt(time.Now())
	go q.run()
	return q
}

// bucketAt is the bucket of items due at t: the first quantum boundary not
// before it.
func (q *beatQueue[T]) bucketAt(t time.Time) int64 {
	n := t.UnixNano()
	b := n / int64(q.quantum)
	if n%int64(q.quantum) != 0 {
		b++
	}
	return b
}

// AddAfter adds item when d has passed (to the next quantum). An item
// already waiting keeps the earlier of its two due times, as with
// client-go's delaying queue.
func (q *beatQueue[T]) AddAfter(item T, d time.Duration) {
	if d <= 0 {
		q.Add(item)
		return
	}
	b := q.bucketAt(time.Now().Add(d))
	q.mu.Lock()
	if b < q.next { // released while we computed it
		q.mu.Unlock()
		q.Add(item)
		return
	}
	if old, ok := q.due[item]; ok && old <= b {
		q.mu.Unlock()
		return
	}
	q.due[item] = b
	q.buckets[b] = append(q.buckets[b], item)
	q.mu.Unlock()
}

// run releases the due buckets on every quantum boundary.
func (q *beatQueue[T]) run() {
	t := time.NewTimer(q.untilBoundary(time.Now()))
	defer t.Stop()
	for {
		select {
		case <-q.stop:
			return
		case <-t.C:
			now := time.Now()
			for _, item := range q.release(now) {
				q.Add(item)
			}
			t.Reset(q.untilBoundary(now))
		}
	}
}

// untilBoundary is the time from now to the next quantum boundary.
func (q *beatQueue[T]) untilBoundary(now time.Time) time.Duration {
	return q.quantum - time.Duration(now.UnixNano()%int64(q.quantum))
}

// release takes the items of every bucket due by now.
func (q *beatQueue[T]) release(now time.Time) []T {
	upto := now.UnixNano() / int64(q.quantum)
	q.mu.Lock()
	defer q.mu.Unlock()
	var ready []T
	for ; q.next <= upto; q.next++ {
		for _, item := range q.buckets[q.next] {
			if q.due[item] == q.next { // not moved to an earlier bucket
				delete(q.due, item)
				ready = append(ready, item)
			}
		}
		delete(q.buckets, q.next)
	}
	return ready
}

// waiting is how many items wait for their time.
func (q *beatQueue[T]) waiting() int {
	q.mu.Lock()
	defer q.mu.Unlock()
	return len(q.due)
}

func (q *beatQueue[T]) ShutDown() {
	q.once.Do(func() { close(q.stop) })
	q.TypedRateLimitingInterface.ShutDown()
}

func (q *beatQueue[T]) ShutDownWithDrain() {
	q.once.Do(func() { close(q.stop) })
	q.TypedRateLimitingInterface.ShutDownWithDrain()
}
