package webhook

import (
	"context"
	"fmt"
	"log/slog"
	"maps"
	"strconv"
	"sync"
	"sync/atomic"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Queue sizes of an EventSender.
const (
	DefaultEventQueue = 100
	EventQueueMax     = 10000
)

// The metadata keys of an event payload; the hook's own metadata cannot
// override them.
const (
	MetaEventMessage = "eventMessage"
	MetaEventType    = "eventType"
	MetaTimestamp    = "timestamp"
)

// GlobalHook is the event hook for the controller's -event-webhook URL,
// used when a Canary has no event hooks of its own.
func GlobalHook(url string) v1.CanaryWebhook {
	return v1.CanaryWebhook{Name: "event-webhook", Type: v1.EventHook, URL: url}
}

// EventPayload is the payload announcing e to an event hook (docs/flagger-compatibility.md, Webhooks):
// base's name, namespace and checksum, the event's phase (base's when the
// event has none), and metadata holding the hook's metadata plus the
// event's message, type and time in Unix milliseconds. The time is the
// event's, never the clock's.
func EventPayload(base engine.Payload, hook v1.CanaryWebhook, e engine.Event) engine.Payload {
	p := base
	if e.Phase != "" {
		p.Phase = e.Phase
	}
	p.Metadata = maps.Clone(hook.GetMetadata())
	if p.Metadata == nil {
		p.Metadata = map[string]string{}
	}
	p.Metadata[MetaEventMessage] = e.Message
	p.Metadata[MetaEventType] = string(e.Type)
	p.Metadata[MetaTimestamp] = strconv.FormatInt(e.Time.UnixMilli(), 10)
	return p
}

// EventOption configures an EventSender.
type EventOption func(*EventSender)

// WithErrorHandler receives the errors of failed deliveries, each wrapped
// as "error sending event to webhook: …". By default they are logged with
// log/slog.
func WithErrorHandler(f func(error)) EventOption {
	return func(s *EventSender) { s.onError = f }
}

// delivery is one queued event call.
type delivery struct {
	hook    v1.CanaryWebhook
	payload engine.Payload
}

// EventSender delivers event webhooks in the background, so that a slow or
// dead receiver never delays a tick (Flagger calls them inside the tick,
// docs/flagger-compatibility.md, Known Flagger bugs). Deliveries queue in a
// bounded buffer drained by a single
// goroutine, in order; when the buffer is full the event is dropped and
// counted. It is safe for concurrent use.
type EventSender struct {
	caller  *Caller
	queue   chan delivery
	done    chan struct{}
	ctx     context.Context // ends in-flight calls when Close gives up
	cancel  context.CancelFunc
	onError func(error)

	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool

	dropped, failed atomic.Uint64
}

// NewEventSender starts a sender with room for queue pending events
// (DefaultEventQueue when queue < 1, at most EventQueueMax).
func NewEventSender(caller *Caller, queue int, opts ...EventOption) *EventSender {
	if queue < 1 {
		queue = DefaultEventQueue
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &EventSender{
		caller: caller,
		queue:  make(chan delivery, min(queue, EventQueueMax)),
		done:   make(chan struct{}),
		ctx:    ctx,
		cancel: cancel,
		onError: func(err error) {
			slog.Error(err.Error())
		},
	}
	for _, o := range opts {
		o(s)
	}
	go s.run()
	return s
}

// Send queues p for hook and returns at once: true when queued, false when
// the queue was full or the sender closed (the event is dropped).
func (s *EventSender) Send(hook v1.CanaryWebhook, p engine.Payload) bool {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.closed {
		select {
		case s.queue <- delivery{hook: hook, payload: p}:
			return true
		default:
		}
	}
	s.dropped.Add(1)
	return false
}

// Dropped counts the events dropped because the queue was full, the sender
// was closed, or Close gave up before they were sent.
func (s *EventSender) Dropped() uint64 { return s.dropped.Load() }

// Failed counts the deliveries whose call returned an error.
func (s *EventSender) Failed() uint64 { return s.failed.Load() }

func (s *EventSender) run() {
	defer close(s.done)
	for d := range s.queue {
		if s.ctx.Err() != nil {
			s.dropped.Add(1)
			continue
		}
		if err := s.caller.Call(s.ctx, d.hook, d.payload); err != nil {
			s.failed.Add(1)
			s.onError(fmt.Errorf("error sending event to webhook: %w", err))
		}
	}
}

// Close stops accepting events and sends those queued until ctx ends; then
// it aborts the call in flight, drops the rest and returns ctx's error.
// Calling Close again waits the same way.
func (s *EventSender) Close(ctx context.Context) error {
	s.mu.Lock()
	if !s.closed {
		s.closed = true
		close(s.queue)
	}
	s.mu.Unlock()
	select {
	case <-s.done:
		s.cancel()
		return nil
	case <-ctx.Done():
		s.cancel()
		<-s.done
		return ctx.Err()
	}
}
