package loadtester

import (
	"context"
	"sync"
)

// taskRunner runs background tasks, at most one per key (canary and
// command) at a time, as Flagger's task runner does. Shutdown cancels them
// all.
type taskRunner struct {
	ctx    context.Context
	cancel context.CancelFunc
	mu     sync.Mutex
	// running holds the keys of the running tasks.
	running map[string]bool
	wg      sync.WaitGroup
}

func newTaskRunner() *taskRunner {
	ctx, cancel := context.WithCancel(context.Background())
	return &taskRunner{ctx: ctx, cancel: cancel, running: map[string]bool{}}
}

// start runs task in the background with a context that Shutdown cancels,
// unless a task with the same key is running; it reports whether it
// started the task.
func (r *taskRunner) start(key string, task func(ctx context.Context)) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.running[key] || r.ctx.Err() != nil {
		return false
	}
	r.running[key] = true
	r.wg.Go(func() {
		defer r.done(key)
		task(r.ctx)
	})
	return true
}

func (r *taskRunner) done(key string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.running, key)
}

// shutdown cancels the running tasks and waits for them to end, or for
// ctx to.
func (r *taskRunner) shutdown(ctx context.Context) error {
	r.mu.Lock()
	r.cancel()
	r.mu.Unlock()
	ended := make(chan struct{})
	go func() {
		r.wg.Wait()
		close(ended)
	}()
	select {
	case <-ended:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}
