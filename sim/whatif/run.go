package whatif

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"golang.org/x/sync/errgroup"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// DefaultRuns is how many runs each case gets unless told: enough that a
// rate's 95% interval is at most ±7 points wide.
const DefaultRuns = 200

// Options are the inputs of a what-if study.
type Options struct {
	// Base holds the Canary, its MetricTemplates, the cluster and the
	// webhook replies; its traffic, regression and actions are replaced.
	Base    *scenario.Loaded
	Profile Profile
	Cases   []Case
	// Runs per case; Seed is the base seed of every run's traffic.
	Runs int
	Seed uint64
	// Workers run at once; zero means one per CPU.
	Workers int
	// Progress, when set, is told after every run how many of how many
	// are done. It is called from one goroutine at a time.
	Progress func(done, total int)
}

func (o *Options) validate() error {
	var errs []error
	if o.Base == nil || o.Base.Canary == nil {
		errs = append(errs, errors.New("no canary"))
	}
	if o.Runs <= 0 {
		errs = append(errs, fmt.Errorf("runs %d: want at least 1", o.Runs))
	}
	if len(o.Cases) == 0 {
		errs = append(errs, errors.New("no cases"))
	}
	if o.Workers < 0 {
		errs = append(errs, fmt.Errorf("workers %d: want 0 (one per CPU) or more", o.Workers))
	}
	if err := o.Profile.Validate(); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// Outcome is what one run came to.
type Outcome struct {
	Phase v1.CanaryPhase
	// Duration is from the change to the promotion or the rollback (or to
	// the end of the run when neither happened).
	Duration time.Duration
	// FailedChecks is the highest failed-check count the run reached.
	FailedChecks int
	// Ticks is how many times the controller ran from the change to the end.
	Ticks int
	// Served and Failed count the users' requests the canary answered,
	// and those it answered with a 4xx or 5xx, until the analysis ended.
	Served, Failed uint64
	// Loadtester counts the requests of the profile's extra load tester
	// the canary answered.
	Loadtester uint64
}

// Study is the outcome of every run of every case, by case then run.
type Study struct {
	Options  Options
	Outcomes [][]Outcome
}

// job is one run to make.
type job struct{ c, run int }

// Run makes Options.Runs runs of every case.
func Run(ctx context.Context, o Options) (*Study, error) {
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("what-if: %w", err)
	}
	until := runLength(o.Base.Canary, o.Profile)
	st := &Study{Options: o, Outcomes: make([][]Outcome, len(o.Cases))}
	var jobs []job
	for c := range o.Cases {
		st.Outcomes[c] = make([]Outcome, o.Runs)
		for i := range o.Runs {
			jobs = append(jobs, job{c, i})
		}
	}
	err := forEach(ctx, jobs, o.Workers, o.Progress, func(ctx context.Context, j job) error {
		l := o.scenario(o.Cases[j.c], runSeed(o.Seed, j.run), until)
		res, err := sim.Run(ctx, l)
		if err != nil {
			return fmt.Errorf("case %s, run %d: %w", o.Cases[j.c].Name(), j.run, err)
		}
		st.Outcomes[j.c][j.run] = outcomeOf(res, o.Base.Canary.Spec.TargetRef.Name)
		return nil
	})
	if err != nil {
		return nil, err
	}
	return st, nil
}

// runMargin is the ticks a run gets beyond the longest a decided run
// takes, for webhooks that hold the analysis back.
const runMargin = 10

// runLength bounds a run so that it decides: a canary that fails a check
// between any two advances has time to promote, and one that fails every
// check time to reach the threshold; ten minutes more (or the progress
// deadline) for rollouts that wait out the deadline. The bound is never
// shorter than three healthy promotions.
func runLength(cd *v1.Canary, p Profile) time.Duration {
	wait := max(10*time.Minute, cd.GetProgressDeadline())
	ticks := passingTicks(cd, p.ReadyAfter) + cd.GetThreshold() + runMargin
	until := time.Duration(ticks)*cd.GetAnalysisInterval() + wait
	if ar, err := ArithmeticOf(cd, p.ReadyAfter); err == nil {
		until = max(until, 3*ar.Promotion+wait)
	}
	return until
}

// passingTicks is how many ticks a canary that passes every check takes
// from the change to the promotion: the arithmetic's count when it models
// the spec, else a bound from the rollouts, the weights, the iterations
// and the promotion's steps.
func passingTicks(cd *v1.Canary, readyAfter time.Duration) int {
	if ar, err := ArithmeticOf(cd, readyAfter); err == nil {
		return int(ar.Promotion / ar.Interval)
	}
	a := cd.GetAnalysis()
	interval := cd.GetAnalysisInterval()
	ready := max(1, int((readyAfter+interval-1)/interval))
	steps := a.Iterations + len(a.StepWeights) + ceilDiv(decide.MaxWeight(a), a.StepWeight) +
		ceilDiv(v1.TotalWeight, a.StepWeightPromotion)
	return 2*ready + steps + 2
}

// ceilDiv is n/d rounded up, and 0 when d is not positive.
func ceilDiv(n, d int) int {
	if d <= 0 {
		return 0
	}
	return (n + d - 1) / d
}

// runSeed derives run i's seed from the base seed (SplitMix64): every case
// sees the same traffic in run i, so cases differ only by their regression.
func runSeed(base uint64, i int) uint64 {
	z := base + uint64(i+1)*0x9e3779b97f4a7c15
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9
	z = (z ^ (z >> 27)) * 0x94d049bb133111eb
	return z ^ (z >> 31)
}

// scenario is the run of c with seed: the users' traffic, the case's
// regression and the change of image at the start.
func (o *Options) scenario(c Case, seed uint64, until time.Duration) *scenario.Loaded {
	s := *o.Base.Scenario
	s.Name = c.Name()
	s.Seed = seed
	s.Traffic = o.Profile.sources()
	reg := c.Regression()
	s.Regression = scenario.Regression{Codes: reg.Codes, Delay: scenario.Duration(reg.Delay)}
	s.Cluster.ReadyAfter = scenario.Duration(o.Profile.ReadyAfter)
	s.Actions = []scenario.Action{{SetImage: s.Cluster.Container + "=" + s.Cluster.Image + "-next"}}
	s.Until = scenario.Duration(until)
	s.Expect = scenario.Expect{}
	return &scenario.Loaded{Scenario: &s, Canary: o.Base.Canary, Templates: o.Base.Templates, QueriesChecked: o.Base.QueriesChecked}
}

// outcomeOf reads a run's result.
func outcomeOf(res *sim.Result, target string) Outcome {
	out := Outcome{Phase: res.Status.Phase, Duration: res.Duration()}
	for _, rec := range res.Ticks {
		out.FailedChecks = max(out.FailedChecks, rec.FailedChecks)
		if !rec.Time.Before(res.Start) {
			out.Ticks++
		}
	}
	users := res.Sources[usersSource][target]
	out.Served, out.Failed = users.Requests, users.Failed+users.ClientErrors
	out.Loadtester = res.Sources[loadtesterSource][target].Requests
	return out
}

// forEach calls fn for every job on workers goroutines (one per CPU when
// zero) and stops at the first error, reporting progress after each job.
func forEach[J any](ctx context.Context, jobs []J, workers int, progress func(done, total int), fn func(context.Context, J) error) error {
	if workers == 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	parent := ctx
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(workers)
	var (
		mu   sync.Mutex
		done int
	)
	for _, j := range jobs {
		if ctx.Err() != nil {
			break
		}
		g.Go(func() error {
			err := fn(ctx, j)
			mu.Lock()
			defer mu.Unlock()
			done++
			if progress != nil {
				progress(done, len(jobs))
			}
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return parent.Err() // the group's context is cancelled once Wait returns
}
