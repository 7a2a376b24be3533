package alerts

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"sync"
	"sync/atomic"
	"time"

	"github.com/fledge-canary/fledge/core/engine"
)

// Queue sizes of a Sender.
const (
	DefaultQueue = 100
	QueueMax     = 10000
)

// Options configure a Sender.
type Options struct {
	// Reader reads the AlertProviders of analysis.alerts and their
	// secrets; nil fails every alert that names a provider.
	Reader Reader
	// Global is the controller-wide notifier for canaries without
	// analysis.alerts; nil drops their alerts.
	Global *Endpoint
	// HTTPClient posts; nil means a client over a clone of
	// http.DefaultTransport.
	HTTPClient *http.Client
	// AttemptTimeout bounds one attempt; 0 means DefaultAttemptTimeout.
	AttemptTimeout time.Duration
	// Retries is how many times a retryable failure is retried; a
	// negative value means none, 0 means DefaultRetries, at most RetriesMax.
	Retries int
	// Sleep waits between attempts; nil means a timer that ends early with
	// ctx. Tests stub it.
	Sleep func(ctx context.Context, d time.Duration) error
	// Queue is how many alerts may wait; 0 means DefaultQueue, at most
	// QueueMax.
	Queue int
	// OnError receives every failed delivery, one per receiver; nil logs
	// it with log/slog. The error holds no secret.
	OnError func(error)
}

// Sender is the engine's Alerts port over chat services: it queues alerts
// and posts them in the background, one receiver after the other. It is
// safe for concurrent use.
type Sender struct {
	reader  Reader
	global  *Endpoint
	poster  *poster
	onError func(error)

	queue  chan engine.Alert
	done   chan struct{}
	ctx    context.Context // ends the post in flight when Close gives up
	cancel context.CancelFunc

	mu     sync.RWMutex // guards closed against sends on a closed queue
	closed bool

	sent, dropped, failed atomic.Uint64
}

var _ engine.Alerts = (*Sender)(nil)

// NewSender starts a Sender.
func NewSender(opts Options) *Sender {
	ctx, cancel := context.WithCancel(context.Background())
	s := &Sender{
		reader: opts.Reader, global: opts.Global, onError: opts.OnError,
		poster: newPoster(opts),
		queue:  make(chan engine.Alert, queueSize(opts.Queue)),
		done:   make(chan struct{}),
		ctx:    ctx, cancel: cancel,
	}
	if s.onError == nil {
		s.onError = func(err error) { slog.Error(err.Error()) }
	}
	go s.run()
	return s
}

func newPoster(opts Options) *poster {
	p := &poster{base: opts.HTTPClient, sleep: opts.Sleep, timeout: opts.AttemptTimeout, retries: opts.Retries}
	if p.base == nil {
		p.base = &http.Client{Transport: http.DefaultTransport.(*http.Transport).Clone()}
	}
	if p.sleep == nil {
		p.sleep = sleep
	}
	if p.timeout <= 0 {
		p.timeout = DefaultAttemptTimeout
	}
	switch {
	case p.retries < 0:
		p.retries = 0
	case p.retries == 0:
		p.retries = DefaultRetries
	}
	p.retries = min(p.retries, RetriesMax)
	return p
}

func queueSize(n int) int {
	if n < 1 {
		return DefaultQueue
	}
	return min(n, QueueMax)
}

// Send queues a and returns at once; when the queue is full or the sender
// closed, the alert is dropped and counted.
func (s *Sender) Send(a engine.Alert) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.closed {
		select {
		case s.queue <- a:
			return
		default:
		}
	}
	s.dropped.Add(1)
}

// Sent counts the posts a chat service accepted.
func (s *Sender) Sent() uint64 { return s.sent.Load() }

// Dropped counts the alerts dropped: queue full, sender closed, or Close
// gave up before they were posted.
func (s *Sender) Dropped() uint64 { return s.dropped.Load() }

// Failed counts the posts that failed, one per receiver.
func (s *Sender) Failed() uint64 { return s.failed.Load() }

func (s *Sender) run() {
	defer close(s.done)
	for a := range s.queue {
		if s.ctx.Err() != nil {
			s.dropped.Add(1)
			continue
		}
		s.deliver(a)
	}
}

// deliver posts a to each of its receivers, or to the global notifier.
func (s *Sender) deliver(a engine.Alert) {
	if a.Global {
		if s.global != nil {
			s.count(s.postTo(*s.global, a), a, "global notifier")
		}
		return
	}
	for _, rcv := range a.Receivers {
		err := errNoReader
		if s.reader != nil {
			var ep Endpoint
			if ep, err = Resolve(s.ctx, s.reader, rcv); err == nil {
				err = s.postTo(ep, a)
			}
		}
		s.count(err, a, "alert "+rcv.Name)
	}
}

var errNoReader = errors.New("no AlertProvider reader configured")

func (s *Sender) postTo(ep Endpoint, a engine.Alert) error {
	body, err := Payload(ep.Type, a, ep.Username, ep.Channel)
	if err != nil {
		return err
	}
	return s.poster.post(s.ctx, ep, body)
}

func (s *Sender) count(err error, a engine.Alert, to string) {
	if err == nil {
		s.sent.Add(1)
		return
	}
	s.failed.Add(1)
	s.onError(fmt.Errorf("alert of %s.%s to %s not sent: %w", a.Canary, a.Namespace, to, err))
}

// Close stops accepting alerts and posts those queued until ctx ends; then
// it aborts the post in flight, drops the rest and returns ctx's error.
func (s *Sender) Close(ctx context.Context) error {
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
