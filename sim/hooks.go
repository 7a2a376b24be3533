package sim

import (
	"context"
	"errors"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// loadtester models Flagger's loadtester and the scenario's webhooks: a
// hook with a scripted reply answers it; a `cmd` task (the default type)
// starts its hey command as traffic, de-duplicated while it runs, and
// answers 202 at once; a `bash` task and any other hook pass.
type loadtester struct {
	replies map[string]scenario.Reply
	run     *run
	running map[string]time.Time // command -> when its traffic ends
}

func (l *loadtester) Call(_ context.Context, hook v1.CanaryWebhook, _ engine.Payload) error {
	if r, ok := l.replies[hook.Name]; ok {
		pass, body, _ := r.Parse()
		if !pass {
			return errors.New(body)
		}
		return nil
	}
	md := hook.GetMetadata()
	if typ := md["type"]; (typ == "" || typ == "cmd") && md["cmd"] != "" {
		l.start(md["cmd"])
	}
	return nil
}

// start runs a hey command unless the same command is still running.
func (l *loadtester) start(cmd string) {
	now := l.run.now
	if end, ok := l.running[cmd]; ok && (end.IsZero() || now.Before(end)) {
		return
	}
	c, err := scenario.ParseCommand(cmd)
	if err != nil || c.Kind != "traffic" {
		l.run.notef("loadtester: %q is not a command the simulator runs; no traffic", cmd)
		l.running[cmd] = time.Time{}
		return
	}
	end := time.Time{}
	if c.For > 0 {
		end = now.Add(c.For)
	}
	l.running[cmd] = end
	l.run.startCommand(c, cmd+" @"+now.Sub(l.run.start).String(), end)
}

// overrides wraps the metrics with the scenario's scripted values.
type overrides struct {
	engine.Metrics
	values map[string]scenario.MetricValue
}

func (o *overrides) Query(ctx context.Context, q engine.Query) (float64, error) {
	if v, ok := o.values[q.Metric]; ok && !v.Model {
		if v.NoData {
			return 0, engine.ErrNoValues
		}
		return *v.Value, nil
	}
	return o.Metrics.Query(ctx, q)
}
