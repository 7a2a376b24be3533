package replay

import (
	"context"
	"fmt"
	"math"
	"sort"
	"time"

	"github.com/prometheus/prometheus/promql"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// The outcomes of a replay.
const (
	OutcomePromoted   = "promoted"
	OutcomeRolledBack = "rolled back"
	OutcomeUndecided  = "undecided"
)

// Result is what a replay produced.
type Result struct {
	// Canary is NAME.NAMESPACE.
	Canary string `json:"canary"`
	// Source says where the recording came from.
	Source string `json:"source"`
	// Start is the first tick (the new revision detected); End bounds the
	// ticks.
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
	// DataFrom and DataTo are the first and last samples of the canary's
	// series in the recording.
	DataFrom time.Time `json:"dataFrom"`
	DataTo   time.Time `json:"dataTo"`
	// Outcome is promoted, rolled back or undecided (the recording ended
	// first); DecidedAt is the tick that decided it.
	Outcome   string     `json:"outcome"`
	DecidedAt *time.Time `json:"decidedAt,omitempty"`
	// Shares are, per tick, the spec's canary weight beside the canary's
	// share of the recorded requests.
	Shares []Share `json:"shares"`
	// Assumptions are what the replay could not know and assumed.
	Assumptions []string `json:"assumptions"`
	// Run holds the events, the ticks with every check, the weights set
	// and the final status, as fledge sim reports them.
	Run *sim.Result `json:"run"`
}

// Share is one tick's weights: what the spec set and what was recorded.
type Share struct {
	Time time.Time `json:"time"`
	// SpecWeight is the canary weight the spec had set after the tick.
	SpecWeight int `json:"specWeight"`
	// RecordedShare is the percentage of the requests to the target and
	// its primary that the target received over the minute before the
	// tick; nil when neither received any.
	RecordedShare *float64 `json:"recordedShare"`
}

// share measures the recorded canary share at the tick.
func (r *replayer) share(ctx context.Context, res engine.Result) Share {
	s := Share{Time: r.now, SpecWeight: res.Status.CanaryWeight}
	v, _, err := r.promql.Instant(ctx, r.o.Queries.share.PromQL, r.now)
	if vec, ok := v.(promql.Vector); err == nil && ok && len(vec) == 1 && !math.IsNaN(vec[0].F) {
		f := vec[0].F
		s.RecordedShare = &f
	}
	return s
}

// decide sets the outcome from the first tick that promoted or rolled back.
func (res *Result) decide() {
	res.Outcome = OutcomeUndecided
	for _, rec := range res.Run.Ticks {
		switch rec.Phase {
		case v1.PhasePromoting, v1.PhaseFinalising, v1.PhaseSucceeded:
			res.Outcome = OutcomePromoted
		case v1.PhaseFailed:
			res.Outcome = OutcomeRolledBack
		default:
			continue
		}
		t := rec.Time
		res.DecidedAt = &t
		return
	}
}

// Checks are the metric checks of every tick, in order.
func (res *Result) Checks() []TickCheck {
	var out []TickCheck
	for _, rec := range res.Run.Ticks {
		for _, c := range rec.Checks {
			out = append(out, TickCheck{Time: rec.Time, Verdict: c})
		}
	}
	return out
}

// TickCheck is a metric check and the tick that ran it.
type TickCheck struct {
	Time time.Time
	decide.Verdict
}

// assumptions says what a replay cannot know.
func assumptions(l *scenario.Loaded) []string {
	out := []string{
		"The traffic split in the recording is the one that happened, not the one this spec would have set: " +
			"the checks read what the canary actually served. Compare the spec's weight with the recorded share on every tick.",
		fmt.Sprintf("Deployments are assumed to roll out %v after a change (the canary's readiness is not in the recording).",
			l.Cluster.ReadyAfter.D()),
		"Every metric query reads the recording, whatever Prometheus its MetricTemplate names.",
	}
	var hooks []string
	for _, h := range l.Canary.GetAnalysis().Webhooks {
		verdict := "passed"
		if r, ok := l.Webhooks[h.Name]; ok {
			if pass, _, _ := r.Parse(); !pass {
				verdict = "failed"
			}
		}
		hooks = append(hooks, fmt.Sprintf("%s %s", h.Name, verdict))
	}
	sort.Strings(hooks)
	if len(hooks) > 0 {
		out = append(out, fmt.Sprintf("Webhooks are not called; assumed (--webhook NAME=pass|fail): %v.", hooks))
	}
	return out
}

// routeLog records every weight the router was set to.
type routeLog struct {
	engine.Router
	now    func() time.Time
	writes []sim.RouteWrite
}

func (r *routeLog) SetRoutes(ctx context.Context, cd *v1.Canary, routes decide.Routes) error {
	if err := r.Router.SetRoutes(ctx, cd, routes); err != nil {
		return err
	}
	r.writes = append(r.writes, sim.RouteWrite{Time: r.now(), Routes: routes})
	return nil
}
