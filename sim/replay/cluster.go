package replay

import (
	"context"
	"errors"
	"fmt"
	"sync"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// The fake cluster of a replay is the simulator's (sim.NewClients); the
// ports below keep the status, events and templates of the replay.

// statusStore keeps the Canary's status, as the status subresource would.
type statusStore struct {
	mu     sync.Mutex
	status v1.CanaryStatus
}

func (s *statusStore) UpdateStatus(_ context.Context, _ *v1.Canary, st v1.CanaryStatus) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.status = *st.DeepCopy()
	return nil
}

func (s *statusStore) get() v1.CanaryStatus {
	s.mu.Lock()
	defer s.mu.Unlock()
	return *s.status.DeepCopy()
}

// recorder keeps the events.
type recorder struct{ events []engine.Event }

func (r *recorder) Record(_ *v1.Canary, e engine.Event) { r.events = append(r.events, e) }

// templates serves the MetricTemplates given with the canary.
type templates map[string]*v1.MetricTemplate

func templatesOf(ts []v1.MetricTemplate, defaultNS string) templates {
	out := templates{}
	for i := range ts {
		t := ts[i].DeepCopy()
		ns := t.Namespace
		if ns == "" {
			ns = defaultNS
		}
		out[ns+"/"+t.Name] = t
	}
	return out
}

func (t templates) Get(_ context.Context, namespace, name string) (*v1.MetricTemplate, error) {
	if m, ok := t[namespace+"/"+name]; ok {
		return m, nil
	}
	return nil, fmt.Errorf("metrictemplate.flagger.app %q not found", name)
}

// webhooks answers every hook as told (--webhook NAME=pass|fail); hooks
// not named pass. Nothing is called: a replay has no loadtester.
type webhooks map[string]scenario.Reply

func (w webhooks) Call(_ context.Context, hook v1.CanaryWebhook, _ engine.Payload) error {
	if r, ok := w[hook.Name]; ok {
		if pass, body, _ := r.Parse(); !pass {
			return errors.New(body)
		}
	}
	return nil
}
