package sim

import (
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim/traffic"
)

// Note is something the simulator noticed that is not an event.
type Note struct {
	Time time.Time `json:"time"`
	Text string    `json:"text"`
}

// Result is what a replay produced.
type Result struct {
	Scenario string `json:"scenario"`
	// Start is when the scenario's clock started (the canary initialised).
	Start time.Time `json:"start"`
	// End is the virtual time the run stopped.
	End       time.Time                 `json:"end"`
	Bootstrap []engine.Event            `json:"bootstrapEvents"`
	Events    []engine.Event            `json:"events"`
	Routes    []RouteWrite              `json:"routes"`
	Ticks     []engine.Record           `json:"ticks"`
	Status    v1.CanaryStatus           `json:"status"`
	Traffic   map[string]traffic.Counts `json:"traffic"`
	// Sources are the requests each Deployment received, by source.
	Sources map[string]map[string]traffic.Counts `json:"sources"`
	Notes   []Note                               `json:"notes,omitempty"`
	// Alerts are the alerts the engine sent, from the canary's creation
	// on (also in the ticks that sent them).
	Alerts []engine.Alert `json:"alerts,omitempty"`
	// Deleted is true when the run ended with the Canary deleted and gone
	// (its finalizer, if any, done).
	Deleted bool `json:"deleted,omitempty"`
}

// Weights are the canary weights the router was set to after the start.
func (res *Result) Weights() []int {
	var ws []int
	for _, w := range res.Routes {
		if !w.Time.Before(res.Start) {
			ws = append(ws, w.Routes.Canary)
		}
	}
	return ws
}

// Messages are the event messages after the start.
func (res *Result) Messages() []string {
	out := make([]string, len(res.Events))
	for i, e := range res.Events {
		out[i] = e.Message
	}
	return out
}

// BootstrapMessages are the event messages of the canary's initialisation.
func (res *Result) BootstrapMessages() []string {
	out := make([]string, len(res.Bootstrap))
	for i, e := range res.Bootstrap {
		out[i] = e.Message
	}
	return out
}

// Duration is the scenario's virtual time from its start to its end.
func (res *Result) Duration() time.Duration { return res.End.Sub(res.Start) }

func (r *run) result() *Result {
	ev := r.events.events
	return &Result{
		Scenario: r.s.Name, Start: r.start, End: r.now,
		Bootstrap: ev[:r.bootstrapEvents], Events: ev[r.bootstrapEvents:],
		Routes: r.router.writes, Ticks: r.records, Status: r.status.status,
		Traffic: r.traffic.Totals(), Sources: r.traffic.BySource(), Notes: r.notes,
		Deleted: r.gone(), Alerts: alertsOf(r.records),
	}
}
