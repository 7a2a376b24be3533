package whatif

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/fledge-canary/fledge/sim/scenario"
)

// Profile is the traffic the canary meets and how the primary serves it;
// a healthy canary serves the same.
type Profile struct {
	// RPS is the users' request rate to the apex service, which the
	// TrafficSplit divides. The load tester's traffic (hey in a rollout
	// webhook) comes on top, as the spec's webhooks say.
	RPS float64 `json:"rps"`
	// ErrorRate and NotFoundRate are the primary's share of 5xx and 404
	// answers, in percent: the noise a healthy canary shows too.
	ErrorRate    float64 `json:"errorRate"`
	NotFoundRate float64 `json:"notFoundRate"`
	// P50 and P99 are the primary's latency, log-normal through both.
	P50 time.Duration `json:"p50Seconds"`
	P99 time.Duration `json:"p99Seconds"`
	// ReadyAfter is how long a Deployment takes to roll out.
	ReadyAfter time.Duration `json:"readyAfterSeconds"`
	// LoadtesterRPS is load sent straight to the canary service from the
	// change on, besides what the spec's webhooks run (the tutorial's
	// rollout hook runs hey at 20 rps, which the simulator models already).
	LoadtesterRPS float64 `json:"loadtesterRps,omitempty"`
}

// DefaultProfile is the tutorial's podinfo: 20 users' requests per second,
// 0.1% of 5xx, 5 ms median and 40 ms P99, rolled out in 10 s.
func DefaultProfile() Profile {
	return Profile{RPS: 20, ErrorRate: 0.1, P50: 5 * time.Millisecond, P99: 40 * time.Millisecond,
		ReadyAfter: scenario.DefaultReadyAfter}
}

// Validate says what is wrong with the profile.
func (p Profile) Validate() error {
	var errs []error
	if !(p.RPS > 0) || math.IsInf(p.RPS, 0) {
		errs = append(errs, fmt.Errorf("rps %v: want a finite rate above 0", p.RPS))
	}
	for _, r := range []struct {
		name string
		v    float64
	}{{"error rate", p.ErrorRate}, {"404 rate", p.NotFoundRate}} {
		if !(r.v >= 0 && r.v <= 100) {
			errs = append(errs, fmt.Errorf("%s %v%%: want 0 to 100%%", r.name, r.v))
		}
	}
	if p.ErrorRate+p.NotFoundRate > 100 {
		errs = append(errs, fmt.Errorf("error rate and 404 rate add up to %v%%, more than 100%%", p.ErrorRate+p.NotFoundRate))
	}
	switch {
	case p.P50 <= 0 || p.P99 <= 0:
		errs = append(errs, fmt.Errorf("latency p50 %v, p99 %v: want both above 0", p.P50, p.P99))
	case p.P99 < p.P50:
		errs = append(errs, fmt.Errorf("latency p99 %v is below p50 %v", p.P99, p.P50))
	}
	if !(p.LoadtesterRPS >= 0) || math.IsInf(p.LoadtesterRPS, 0) {
		errs = append(errs, fmt.Errorf("loadtester rps %v: want a finite rate of 0 or more", p.LoadtesterRPS))
	}
	if p.ReadyAfter < 0 {
		errs = append(errs, fmt.Errorf("readyAfter %v: must not be negative", p.ReadyAfter))
	}
	return errors.Join(errs...)
}

// usersSource is the name of the users' traffic source.
const usersSource = "users"

// loadtesterSource is the name of the extra load tester's source.
const loadtesterSource = "loadtester"

// sources are the users' source and the extra load tester's, if any, in
// the scenario format.
func (p Profile) sources() []scenario.Traffic {
	out := []scenario.Traffic{p.traffic()}
	if p.LoadtesterRPS > 0 {
		out = append(out, scenario.Traffic{Name: loadtesterSource, Target: scenario.TargetCanary, RPS: p.LoadtesterRPS})
	}
	return out
}

// traffic is the users' source in the scenario format.
func (p Profile) traffic() scenario.Traffic {
	codes := map[int]float64{}
	if p.ErrorRate > 0 {
		codes[500] = p.ErrorRate / 100
	}
	if p.NotFoundRate > 0 {
		codes[404] = p.NotFoundRate / 100
	}
	if len(codes) > 0 {
		codes[200] = 1 - (p.ErrorRate+p.NotFoundRate)/100
	}
	return scenario.Traffic{Name: usersSource, Target: scenario.TargetApex, RPS: p.RPS, Codes: codes,
		Latency: scenario.Latency{P50: scenario.Duration(p.P50), P99: scenario.Duration(p.P99)}}
}
