package whatif

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// PartVersion is the format of a shard's output.
const PartVersion = "fledge.dev/whatif-part/v1"

// Shard is one of Count parts of a study: the runs whose number, counted
// over every setting, case and run in order, leaves Index when divided by
// Count. Interleaving spreads the slow cases over the shards.
type Shard struct {
	Index int `json:"index"`
	Count int `json:"count"`
}

// ParseShard reads I/N, 0 <= I < N.
func ParseShard(s string) (Shard, error) {
	i, n, ok := strings.Cut(s, "/")
	index, err1 := strconv.Atoi(i)
	count, err2 := strconv.Atoi(n)
	if !ok || err1 != nil || err2 != nil || count < 1 || index < 0 || index >= count {
		return Shard{}, fmt.Errorf("shard %q: want I/N with 0 <= I < N, e.g. 0/4", s)
	}
	return Shard{Index: index, Count: count}, nil
}

// StudyInputs are what decides a study's outcomes and its report: the
// same inputs give the same numbers, however the runs are shared out.
type StudyInputs struct {
	Canary  *v1.Canary `json:"canary"`
	Profile Profile    `json:"profile"`
	Cases   []Case     `json:"cases"`
	Runs    int        `json:"runs"`
	Seed    uint64     `json:"seed"`
	Axes    []Axis     `json:"axes,omitempty"`
}

// Part is a shard's outcomes, to merge with the other shards'.
type Part struct {
	Version string      `json:"version"`
	Shard   Shard       `json:"shard"`
	Study   string      `json:"study"` // the inputs' digest
	Inputs  StudyInputs `json:"inputs"`
	// Outcomes are the shard's runs, by their number.
	Outcomes []PartOutcome `json:"outcomes"`
}

// PartOutcome is one run's outcome and its number in the study.
type PartOutcome struct {
	Job     int     `json:"job"`
	Outcome Outcome `json:"outcome"`
}

// digest identifies the inputs: parts of one study have the same.
func (in StudyInputs) digest() (string, error) {
	data, err := json.Marshal(in)
	if err != nil {
		return "", err
	}
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:]), nil
}

// plan is a study's runs: the canary of each setting, and every run as
// (setting, case, run) in order.
type plan struct {
	settings []Setting
	canaries []*v1.Canary
	cases    int
	runs     int
}

func planOf(in StudyInputs) (*plan, error) {
	p := &plan{settings: []Setting{nil}, canaries: []*v1.Canary{in.Canary}, cases: len(in.Cases), runs: in.Runs}
	if len(in.Axes) > 0 {
		var err error
		if p.settings, p.canaries, err = variants(in.Canary, in.Axes); err != nil {
			return nil, err
		}
	}
	return p, nil
}

func (p *plan) jobs() int { return len(p.settings) * p.cases * p.runs }

// job splits a run's number into its setting, case and run.
func (p *plan) job(n int) (setting, c, run int) {
	return n / (p.cases * p.runs), n / p.runs % p.cases, n % p.runs
}

// RunShard makes the runs of one shard of the study o (a sweep when axes
// are given). Its part merges with the others' into the report one process
// would have made.
func RunShard(ctx context.Context, o Options, axes []Axis, shard Shard) (*Part, error) {
	if err := o.validate(); err != nil {
		return nil, fmt.Errorf("what-if: %w", err)
	}
	in := StudyInputs{Canary: o.Base.Canary, Profile: o.Profile, Cases: o.Cases, Runs: o.Runs, Seed: o.Seed, Axes: axes}
	p, err := planOf(in)
	if err != nil {
		return nil, err
	}
	digest, err := in.digest()
	if err != nil {
		return nil, err
	}
	var mine []int
	for n := shard.Index; n < p.jobs(); n += shard.Count {
		mine = append(mine, n)
	}
	part := &Part{Version: PartVersion, Shard: shard, Study: digest, Inputs: in, Outcomes: make([]PartOutcome, len(mine))}
	index := map[int]int{}
	for i, n := range mine {
		index[n] = i
	}
	err = forEach(ctx, mine, o.Workers, o.Progress, func(ctx context.Context, n int) error {
		out, err := p.run(ctx, o, n)
		part.Outcomes[index[n]] = PartOutcome{Job: n, Outcome: out}
		return err
	})
	if err != nil {
		return nil, err
	}
	return part, nil
}

// run makes run n as Run (and Sweep) make it.
func (p *plan) run(ctx context.Context, o Options, n int) (Outcome, error) {
	s, c, r := p.job(n)
	vo := o
	base := *o.Base
	base.Canary = p.canaries[s]
	vo.Base = &base
	l := vo.scenario(o.Cases[c], runSeed(o.Seed, r), runLength(base.Canary, o.Profile))
	res, err := sim.Run(ctx, l)
	if err != nil {
		prefix := ""
		if p.settings[s] != nil {
			prefix = "sweep " + p.settings[s].String() + ": "
		}
		return Outcome{}, fmt.Errorf("%scase %s, run %d: %w", prefix, o.Cases[c].Name(), r, err)
	}
	return outcomeOf(res, base.Canary.Spec.TargetRef.Name), nil
}

// Merge joins the parts of one study into its report: a *Report, or a
// *SweepReport for a sweep. Every shard must be there once, each from the
// same inputs.
func Merge(parts []*Part) (any, error) {
	if len(parts) == 0 {
		return nil, errors.New("merge: no parts")
	}
	first := parts[0]
	p, err := planOf(first.Inputs)
	if err != nil {
		return nil, fmt.Errorf("merge: %w", err)
	}
	outcomes, err := gather(parts, p)
	if err != nil {
		return nil, err
	}
	in := first.Inputs
	o := Options{Base: &scenario.Loaded{Canary: in.Canary}, Profile: in.Profile, Cases: in.Cases, Runs: in.Runs, Seed: in.Seed}
	reports := make([]*Report, len(p.settings))
	for s := range p.settings {
		vo := o
		vo.Base = &scenario.Loaded{Canary: p.canaries[s]}
		st := &Study{Options: vo, Outcomes: make([][]Outcome, p.cases)}
		for c := range p.cases {
			start := (s*p.cases + c) * p.runs
			st.Outcomes[c] = outcomes[start : start+p.runs]
		}
		reports[s] = st.Report()
	}
	if len(in.Axes) == 0 {
		return reports[0], nil
	}
	rep := &SweepReport{Axes: in.Axes}
	for s, setting := range p.settings {
		rep.Points = append(rep.Points, pointOf(setting, reports[s]))
	}
	markFrontier(rep.Points)
	return rep, nil
}

// gather checks the parts against each other and puts every outcome at
// its run's number.
func gather(parts []*Part, p *plan) ([]Outcome, error) {
	first := parts[0]
	count := first.Shard.Count
	seen := make([]bool, count)
	outcomes := make([]Outcome, p.jobs())
	filled := make([]bool, p.jobs())
	for i, part := range parts {
		if err := checkPart(i, part, first, seen); err != nil {
			return nil, err
		}
		seen[part.Shard.Index] = true
		for _, po := range part.Outcomes {
			if po.Job < 0 || po.Job >= p.jobs() || po.Job%count != part.Shard.Index || filled[po.Job] {
				return nil, fmt.Errorf("merge: shard %d/%d holds run %d, which is not its own", part.Shard.Index, count, po.Job)
			}
			outcomes[po.Job], filled[po.Job] = po.Outcome, true
		}
	}
	for index, ok := range seen {
		if !ok {
			return nil, fmt.Errorf("merge: shard %d/%d is missing", index, count)
		}
	}
	for n, ok := range filled {
		if !ok {
			return nil, fmt.Errorf("merge: run %d is missing from shard %d/%d", n, n%count, count)
		}
	}
	return outcomes, nil
}

// checkPart checks part i against the first part and the shards seen.
func checkPart(i int, part, first *Part, seen []bool) error {
	count := first.Shard.Count
	switch {
	case part.Version != PartVersion:
		return fmt.Errorf("merge: part %d is %q, not a %s", i+1, part.Version, PartVersion)
	case part.Study != first.Study:
		return fmt.Errorf("merge: part %d (shard %d/%d) is of another study than part 1: its canary, profile, cases, runs, seed or sweep differ",
			i+1, part.Shard.Index, part.Shard.Count)
	case part.Shard.Count != count || part.Shard.Index < 0 || part.Shard.Index >= count:
		return fmt.Errorf("merge: part %d is shard %d/%d, part 1 is of %d shards", i+1, part.Shard.Index, part.Shard.Count, count)
	case seen[part.Shard.Index]:
		return fmt.Errorf("merge: shard %d/%d is given twice", part.Shard.Index, count)
	}
	return nil
}
