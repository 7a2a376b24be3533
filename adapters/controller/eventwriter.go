package controller

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	typedcorev1 "k8s.io/client-go/kubernetes/typed/core/v1"
	"k8s.io/utils/lru"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Event delivery: tries per event, the pause between tries, the events
// waiting per worker and the workers. client-go's record package, which
// Flagger uses, tries 12 times 10 s apart from one goroutine and drops
// events beyond 1,000 queued. Here eight workers write, and the queues
// hold 8,192 events in all. When 5,000 canaries start an analysis at once
// on an API server without CPU to spare, events still arrive faster than
// it takes them and a few hundred are dropped; sixteen workers dropped as
// many (the API server, not the writer, is the limit then).
const (
	eventTries    = 12
	eventRetry    = 10 * time.Second
	eventWorkers  = 8
	eventQueue    = 8192 / eventWorkers
	eventAPIGroup = "flagger.app/v1beta1"
	// eventsKept is how many distinct events each worker remembers to
	// count repeats of: 4,096 in all, as record's cache holds.
	eventsKept = 4096 / eventWorkers
)

// eventWriter creates the core/v1 Events of canaries in the background,
// as client-go's record broadcaster with its aggregation and spam filter
// switched off would, without the broadcaster: no correlator building and
// keeping string keys of recent events in three caches (megabytes at
// hundreds of canaries), no three goroutine hand-offs per event. As
// record does, an event that repeats one of the same canary (same type,
// reason and message) is not created again: the existing Event's count
// and lastTimestamp are patched, so that kubectl describe shows it once,
// with its count. The events of one canary are written in the order they
// were recorded, by the one worker that owns the canary.
type eventWriter struct {
	events  typedcorev1.EventsGetter
	source  corev1.EventSource
	log     logr.Logger
	retry   time.Duration
	queues  []chan *corev1.Event
	ctx     context.Context // ends when Close gives up
	cancel  context.CancelFunc
	done    sync.WaitGroup
	closed  atomic.Bool
	mu      sync.RWMutex // Event holds it to send, Close to close the queues
	dropped atomic.Int64
}

func newEventWriter(events typedcorev1.EventsGetter, source string, log logr.Logger) *eventWriter {
	ctx, cancel := context.WithCancel(context.Background())
	w := &eventWriter{
		events: events, source: corev1.EventSource{Component: source}, log: log,
		retry: eventRetry, ctx: ctx, cancel: cancel,
	}
	for range eventWorkers {
		q := make(chan *corev1.Event, eventQueue)
		w.queues = append(w.queues, q)
		w.done.Add(1)
		go w.work(q, lru.New(eventsKept))
	}
	return w
}

// Event queues an Event about cd; it never blocks. A full queue drops the
// event with an error in the log.
func (w *eventWriter) Event(cd *v1.Canary, eventType, reason, message string) {
	ev := w.event(cd, eventType, reason, message)
	w.mu.RLock()
	defer w.mu.RUnlock()
	if w.closed.Load() {
		w.log.Error(nil, "event after shutdown not recorded", "canary", cd.Name+"."+cd.Namespace, "message", message)
		return
	}
	select {
	case w.queues[w.shard(cd)] <- ev:
	default:
		w.dropped.Add(1)
		w.log.Error(nil, "too many queued events, event dropped", "canary", cd.Name+"."+cd.Namespace, "message", message)
	}
}

// event is the Event record.EventRecorder would make: named after the
// canary and the time in nanoseconds, count 1. The time is the real one,
// also under a test's clock: it keeps the names apart.
func (w *eventWriter) event(cd *v1.Canary, eventType, reason, message string) *corev1.Event {
	now := metav1.Now()
	ns := cd.Namespace
	if ns == "" {
		ns = metav1.NamespaceDefault
	}
	return &corev1.Event{
		ObjectMeta: metav1.ObjectMeta{Name: fmt.Sprintf("%v.%x", cd.Name, now.UnixNano()), Namespace: ns},
		InvolvedObject: corev1.ObjectReference{
			Kind: "Canary", APIVersion: eventAPIGroup, Namespace: cd.Namespace, Name: cd.Name,
			UID: cd.UID, ResourceVersion: cd.ResourceVersion,
		},
		Reason: reason, Message: message, Type: eventType, Count: 1,
		FirstTimestamp: now, LastTimestamp: now,
		Source: w.source, ReportingController: w.source.Component,
	}
}

func (w *eventWriter) shard(cd *v1.Canary) int {
	h := fnv.New32a()
	_, _ = h.Write([]byte(cd.Namespace + "/" + cd.Name))
	return int(h.Sum32() % uint32(len(w.queues)))
}

// eventKey identifies repeats of an event.
type eventKey struct {
	uid                  types.UID
	typ, reason, message string
}

// eventSeen is the Event written for a key, and how often it happened.
type eventSeen struct {
	name  string
	count int32
	first metav1.Time
}

// work writes the events of its queue; seen remembers the last ones.
func (w *eventWriter) work(q <-chan *corev1.Event, seen *lru.Cache) {
	defer w.done.Done()
	for ev := range q {
		key := eventKey{uid: ev.InvolvedObject.UID, typ: ev.Type, reason: ev.Reason, message: ev.Message}
		repeat := false
		if v, ok := seen.Get(key); ok {
			last := v.(eventSeen)
			ev.Name, ev.Count, ev.FirstTimestamp = last.name, last.count+1, last.first
			repeat = true
		}
		if w.post(ev, repeat) {
			seen.Add(key, eventSeen{name: ev.Name, count: ev.Count, first: ev.FirstTimestamp})
		}
	}
}

// write creates the Event, or patches the count and lastTimestamp of the
// existing one for a repeat; a repeat whose Event is gone (expired) is
// created again.
func (w *eventWriter) write(ev *corev1.Event, repeat bool) error {
	api := w.events.Events(ev.Namespace)
	if repeat {
		patch := fmt.Appendf(nil, `{"count":%d,"lastTimestamp":%q}`, ev.Count, ev.LastTimestamp.UTC().Format(time.RFC3339))
		_, err := api.Patch(w.ctx, ev.Name, types.StrategicMergePatchType, patch, metav1.PatchOptions{})
		if !apierrors.IsNotFound(err) {
			return err
		}
	}
	_, err := api.Create(w.ctx, ev, metav1.CreateOptions{})
	return err
}

// post writes the Event, trying again after a transport error; an answer
// of the API server (already exists, invalid, namespace terminating) is
// final, as in client-go's record package. It reports whether the Event
// was written.
func (w *eventWriter) post(ev *corev1.Event, repeat bool) bool {
	for try := 1; ; try++ {
		err := w.write(ev, repeat)
		var status apierrors.APIStatus
		switch {
		case err == nil:
			return true
		case errors.As(err, &status):
			if !apierrors.IsAlreadyExists(err) && !apierrors.HasStatusCause(err, corev1.NamespaceTerminatingCause) {
				w.log.Error(err, "the API server refused an event (not retried)", "event", ev.Name, "message", ev.Message)
			}
			return false
		case try >= eventTries:
			w.log.Error(err, "event not recorded", "event", ev.Name, "message", ev.Message, "tries", try)
			return false
		}
		w.log.Error(err, "writing an event failed, retrying", "event", ev.Name, "try", try)
		pause := time.NewTimer(w.retry + rand.N(w.retry/4+1)) //nolint:gosec // jitter, not a secret
		select {
		case <-pause.C:
		case <-w.ctx.Done():
			pause.Stop()
			w.log.Error(err, "event not recorded: shutting down", "event", ev.Name, "message", ev.Message)
			return false
		}
	}
}

// Close stops accepting events and waits until the queued ones are
// created, or until ctx ends: the rest are then dropped.
func (w *eventWriter) Close(ctx context.Context) error {
	w.mu.Lock()
	if !w.closed.Swap(true) {
		for _, q := range w.queues {
			close(q)
		}
	}
	w.mu.Unlock()
	finished := make(chan struct{})
	go func() { w.done.Wait(); close(finished) }()
	select {
	case <-finished:
		w.cancel()
		return nil
	case <-ctx.Done():
		w.cancel()
		<-finished
		return fmt.Errorf("events not all recorded: %w", ctx.Err())
	}
}
