package whatif

import (
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// CaseResult summarises the runs of one case.
type CaseResult struct {
	Case
	Name string `json:"name"`
	Runs int    `json:"runs"`
	// Promoted and RolledBack are the shares of runs that ended so;
	// Undecided runs did neither within the run's time.
	Promoted   Rate `json:"promoted"`
	RolledBack Rate `json:"rolledBack"`
	Undecided  int  `json:"undecided"`
	// TimeToPromote and TimeToRollback are in seconds from the change,
	// over the runs that ended so.
	TimeToPromote  Spread `json:"timeToPromoteSeconds,omitzero"`
	TimeToRollback Spread `json:"timeToRollbackSeconds,omitzero"`
	// BlastRadius is the users' requests the canary answered with a 4xx
	// or 5xx before the analysis ended, over all runs; Served is all the
	// users' requests it answered.
	BlastRadius Spread `json:"blastRadius"`
	Served      Spread `json:"servedByCanary"`
	// Samples are every run's time to its end in seconds and its blast
	// radius, in run order, for charts.
	Samples []Sample `json:"samples,omitempty"`
}

// Sample is one run.
type Sample struct {
	Seconds float64        `json:"seconds"`
	Failed  uint64         `json:"failed"`
	Phase   v1.CanaryPhase `json:"phase"`
}

// Decided is how many runs promoted or rolled back.
func (r CaseResult) Decided() int { return r.Runs - r.Undecided }

// Detection is the share of runs that rolled the canary back.
func (r CaseResult) Detection() Rate { return r.RolledBack }

// summarise reduces the outcomes of one case.
func summarise(c Case, outs []Outcome) CaseResult {
	res := CaseResult{Case: c, Name: c.Name(), Runs: len(outs)}
	var promote, rollback, blast, served []float64
	for _, o := range outs {
		secs := o.Duration.Seconds()
		switch o.Phase {
		case v1.PhaseSucceeded:
			promote = append(promote, secs)
		case v1.PhaseFailed:
			rollback = append(rollback, secs)
		default:
			res.Undecided++
		}
		blast = append(blast, float64(o.Failed))
		served = append(served, float64(o.Served))
		res.Samples = append(res.Samples, Sample{Seconds: secs, Failed: o.Failed, Phase: o.Phase})
	}
	res.Promoted, res.RolledBack = rateOf(len(promote), len(outs)), rateOf(len(rollback), len(outs))
	res.TimeToPromote, res.TimeToRollback = spreadOf(promote), spreadOf(rollback)
	res.BlastRadius, res.Served = spreadOf(blast), spreadOf(served)
	return res
}

// SpecSummary is what of the spec drives the timing and the verdicts.
type SpecSummary struct {
	Canary    string        `json:"canary"`
	Interval  time.Duration `json:"intervalSeconds"`
	Threshold int           `json:"threshold"`
	MaxWeight int           `json:"maxWeight"`
	Weights   []int         `json:"weights,omitempty"`
	Metrics   []string      `json:"metrics"`
}

func specOf(cd *v1.Canary) SpecSummary {
	a := cd.GetAnalysis()
	s := SpecSummary{Canary: cd.Namespace + "/" + cd.Name, Interval: cd.GetAnalysisInterval(),
		Threshold: cd.GetThreshold(), MaxWeight: decide.MaxWeight(a)}
	for _, m := range a.Metrics {
		s.Metrics = append(s.Metrics, m.Name)
	}
	return s
}

// ArithmeticCheck compares the healthy case with the spec's arithmetic.
type ArithmeticCheck struct {
	Arithmetic
	// Holds is true when every healthy run that promoted took exactly the
	// arithmetic's time.
	Holds bool `json:"holds"`
	// Error says why the arithmetic was not computed.
	Error string `json:"error,omitempty"`
	// Scenarios is the arithmetic with the rollout time of fledge sim's
	// tutorial scenarios, when the profile assumes another: the two tools
	// then give the same spec different times, and the output says so.
	Scenarios *SimulatorTiming `json:"tutorialScenarios,omitempty"`
}

// SimulatorTiming is how long a healthy promotion takes with the rollout
// time of fledge sim's tutorial scenarios (their cluster.readyAfter).
type SimulatorTiming struct {
	ReadyAfterSeconds float64 `json:"readyAfterSeconds"`
	PromotionSeconds  float64 `json:"promotionSeconds"`
}

// Report is a what-if study's answer.
type Report struct {
	Spec    SpecSummary `json:"spec"`
	Profile Profile     `json:"profile"`
	Runs    int         `json:"runs"`
	Seed    uint64      `json:"seed"`
	// RunLengthSeconds is how long each run lasted at most: runs still
	// undecided then count as Undecided.
	RunLengthSeconds float64         `json:"runLengthSeconds"`
	Arithmetic       ArithmeticCheck `json:"arithmetic"`
	Cases            []CaseResult    `json:"cases"`
}

// Healthy is the healthy case's result, if the study had one.
func (r *Report) Healthy() (CaseResult, bool) {
	for _, c := range r.Cases {
		if c.Kind == Healthy {
			return c, true
		}
	}
	return CaseResult{}, false
}

// Report summarises the study.
func (st *Study) Report() *Report {
	o := st.Options
	cd := o.Base.Canary
	rep := &Report{Spec: specOf(cd), Profile: o.Profile, Runs: o.Runs, Seed: o.Seed,
		RunLengthSeconds: runLength(cd, o.Profile).Seconds()}
	for i, c := range o.Cases {
		rep.Cases = append(rep.Cases, summarise(c, st.Outcomes[i]))
	}
	ar, err := ArithmeticOf(cd, o.Profile.ReadyAfter)
	if err != nil {
		rep.Arithmetic.Error = err.Error()
		return rep
	}
	rep.Spec.Weights = ar.Weights
	rep.Arithmetic.Arithmetic = ar
	if ready := TutorialReadyAfter(); ready != o.Profile.ReadyAfter {
		if tut, err := ArithmeticOf(cd, ready); err == nil {
			rep.Arithmetic.Scenarios = &SimulatorTiming{ReadyAfterSeconds: ready.Seconds(), PromotionSeconds: tut.Promotion.Seconds()}
		}
	}
	if h, ok := rep.Healthy(); ok && h.TimeToPromote.N > 0 {
		want := ar.Promotion.Seconds()
		rep.Arithmetic.Holds = h.TimeToPromote.Min == want && h.TimeToPromote.Max == want
	}
	return rep
}
