package whatif

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Axis is one setting of the spec and the values a sweep tries.
type Axis struct {
	Key    string   `json:"key"`
	Values []string `json:"values"`
}

// setters change one setting of a Canary's analysis; they are the keys a
// sweep accepts.
var setters = map[string]func(a *v1.CanaryAnalysis, v string) error{
	"stepWeight": intSetter(func(a *v1.CanaryAnalysis, n int) { a.StepWeight, a.StepWeights = n, nil }),
	"maxWeight":  intSetter(func(a *v1.CanaryAnalysis, n int) { a.MaxWeight = n }),
	"threshold":  intSetter(func(a *v1.CanaryAnalysis, n int) { a.Threshold = n }),
	"interval": func(a *v1.CanaryAnalysis, v string) error {
		if _, err := time.ParseDuration(v); err != nil {
			return fmt.Errorf("%q is not a duration such as 30s or 1m", v)
		}
		a.Interval = v
		return nil
	},
}

func intSetter(set func(*v1.CanaryAnalysis, int)) func(*v1.CanaryAnalysis, string) error {
	return func(a *v1.CanaryAnalysis, v string) error {
		n, err := strconv.Atoi(v)
		if err != nil {
			return fmt.Errorf("%q is not a whole number", v)
		}
		set(a, n)
		return nil
	}
}

// SweepKeys are the settings a sweep can vary, sorted.
func SweepKeys() []string {
	keys := make([]string, 0, len(setters))
	for k := range setters {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// ParseAxis reads KEY=V1,V2,...
func ParseAxis(s string) (Axis, error) {
	key, list, ok := strings.Cut(s, "=")
	if !ok {
		return Axis{}, fmt.Errorf("sweep %q: want KEY=V1,V2 with KEY one of %s", s, strings.Join(SweepKeys(), ", "))
	}
	ax, err := newAxis(key, splitList(list))
	if err != nil {
		return Axis{}, fmt.Errorf("sweep %q: %w", s, err)
	}
	return ax, nil
}

// newAxis is the axis of a known key with at least one value.
func newAxis(key string, values []string) (Axis, error) {
	if _, known := setters[key]; !known {
		return Axis{}, fmt.Errorf("unknown key %q: want one of %s", key, strings.Join(SweepKeys(), ", "))
	}
	if len(values) == 0 {
		return Axis{}, errors.New("no values")
	}
	return Axis{Key: key, Values: values}, nil
}

// Setting is one value of each axis.
type Setting []KV

// KV is a key and its value.
type KV struct {
	Key   string `json:"key"`
	Value string `json:"value"`
}

func (s Setting) String() string {
	parts := make([]string, len(s))
	for i, kv := range s {
		parts[i] = kv.Key + "=" + kv.Value
	}
	return strings.Join(parts, " ")
}

// grid is every combination of the axes' values, the first axis slowest.
func grid(axes []Axis) []Setting {
	out := []Setting{nil}
	for _, ax := range axes {
		var next []Setting
		for _, s := range out {
			for _, v := range ax.Values {
				next = append(next, append(slices.Clone(s), KV{ax.Key, v}))
			}
		}
		out = next
	}
	return out
}

// apply returns the canary with the setting, checked as validate would.
// A warning the base spec (with base its warnings) did not have, or any
// warning on a swept field, such as maxWeight ignored beside stepWeights,
// is refused: the setting would not be what it says.
func (s Setting) apply(cd *v1.Canary, base v1.FieldErrors) (*v1.Canary, error) {
	out := cd.DeepCopy()
	if out.Spec.Analysis == nil {
		out.Spec.Analysis = &v1.CanaryAnalysis{}
	}
	for _, kv := range s {
		if err := setters[kv.Key](out.Spec.Analysis, kv.Value); err != nil {
			return nil, fmt.Errorf("%s=%s: %w", kv.Key, kv.Value, err)
		}
	}
	errs, warnings := out.Validate(v1.ValidationOptions{})
	if len(errs) > 0 {
		return nil, fmt.Errorf("%s: %w", s, errs)
	}
	if bad := s.refused(warnings, base); len(bad) > 0 {
		return nil, fmt.Errorf("%s: the spec gains a warning: %w", s, bad)
	}
	return out, nil
}

// refused are the warnings that are not among the base spec's or that
// are about a field the setting sets.
func (s Setting) refused(warnings, base v1.FieldErrors) v1.FieldErrors {
	var out v1.FieldErrors
	for _, w := range warnings {
		if !slices.Contains(base, w) || slices.ContainsFunc(s, func(kv KV) bool { return strings.HasSuffix(w.Path, "."+kv.Key) }) {
			out = append(out, w)
		}
	}
	return out
}

// Point is a setting's place on the trade-offs: the lower the better on
// each of the first three, the higher the better on detection.
type Point struct {
	Setting Setting `json:"setting"`
	// TimeToPromote is the healthy case's median, in seconds.
	TimeToPromote float64 `json:"timeToPromoteSeconds"`
	// BlastRadius is the mean over the regression cases of the mean
	// failed user requests served by the canary.
	BlastRadius float64 `json:"blastRadius"`
	// FalseRollback is the healthy case's rollback rate.
	FalseRollback float64 `json:"falseRollback"`
	// Detection is the mean over the regression cases of the rollback rate.
	Detection float64 `json:"detection"`
	// Frontier is true when no other setting is at least as good on every
	// trade-off and better on one: time, false rollbacks and, when
	// regressions were studied, blast radius and detection.
	Frontier bool    `json:"frontier"`
	Report   *Report `json:"report"`
}

// SweepReport is a sweep's answer: one point per setting, grid order.
type SweepReport struct {
	Axes   []Axis  `json:"axes"`
	Points []Point `json:"points"`
}

// Sweep makes the study o for every setting of the axes' grid.
func Sweep(ctx context.Context, o Options, axes []Axis) (*SweepReport, error) {
	if len(axes) == 0 {
		return nil, errors.New("sweep: no axes")
	}
	if o.Base == nil || o.Base.Canary == nil {
		return nil, errors.New("sweep: no canary")
	}
	settings, canaries, err := variants(o.Base.Canary, axes)
	if err != nil {
		return nil, err
	}
	rep := &SweepReport{Axes: axes}
	total := len(settings) * len(o.Cases) * o.Runs
	progress := o.Progress
	for i, s := range settings {
		vo := o
		base := *o.Base
		base.Canary = canaries[i]
		vo.Base = &base
		if progress != nil {
			done := i * len(o.Cases) * o.Runs
			vo.Progress = func(d, _ int) { progress(done+d, total) }
		}
		st, err := Run(ctx, vo)
		if err != nil {
			return nil, fmt.Errorf("sweep %s: %w", s, err)
		}
		rep.Points = append(rep.Points, pointOf(s, st.Report()))
	}
	markFrontier(rep.Points)
	return rep, nil
}

// CheckSweep reports the first setting of the grid that is not a valid
// spec, before any run.
func CheckSweep(cd *v1.Canary, axes []Axis) error {
	_, _, err := variants(cd, axes)
	return err
}

// variants are the grid's settings and the canary under each.
func variants(cd *v1.Canary, axes []Axis) ([]Setting, []*v1.Canary, error) {
	settings := grid(axes)
	canaries := make([]*v1.Canary, len(settings))
	_, base := cd.Validate(v1.ValidationOptions{})
	for i, s := range settings {
		c, err := s.apply(cd, base)
		if err != nil {
			return nil, nil, fmt.Errorf("sweep: %w", err)
		}
		canaries[i] = c
	}
	return settings, canaries, nil
}

// StudiedRegressions reports whether the setting ran any regression case:
// without one, Detection and BlastRadius measure nothing.
func (p Point) StudiedRegressions() bool {
	if p.Report == nil {
		return false
	}
	for _, c := range p.Report.Cases {
		if c.Kind != Healthy {
			return true
		}
	}
	return false
}

func pointOf(s Setting, r *Report) Point {
	p := Point{Setting: s, Report: r}
	var blast, detect []float64
	for _, c := range r.Cases {
		if c.Kind == Healthy {
			p.TimeToPromote = c.TimeToPromote.P50
			p.FalseRollback = c.RolledBack.P
			continue
		}
		blast = append(blast, c.BlastRadius.Mean)
		detect = append(detect, c.RolledBack.P)
	}
	p.BlastRadius, p.Detection = mean(blast), mean(detect)
	return p
}

func mean(xs []float64) float64 {
	if len(xs) == 0 {
		return 0
	}
	sum := 0.0
	for _, x := range xs {
		sum += x
	}
	return sum / float64(len(xs))
}

// markFrontier marks the points no other point dominates. A healthy case
// that never promoted has no time to promote: its point is never on the
// frontier and dominates none.
func markFrontier(ps []Point) {
	for i := range ps {
		ps[i].Frontier = ps[i].TimeToPromote > 0 && !dominated(ps, i)
	}
}

// dominated reports whether a point that promoted dominates ps[i].
func dominated(ps []Point, i int) bool {
	for j := range ps {
		if j != i && ps[j].TimeToPromote > 0 && dominates(ps[j], ps[i]) {
			return true
		}
	}
	return false
}

// tradeOffs are the point's measures, each the lower the better: the time
// to promote and the false rollbacks, then, when regressions were studied,
// the blast radius and the detection (negated: the higher the better).
func (p Point) tradeOffs() []float64 {
	x := []float64{p.TimeToPromote, p.FalseRollback}
	if p.StudiedRegressions() {
		x = append(x, p.BlastRadius, -p.Detection)
	}
	return x
}

// dominates reports whether a is at least as good as b on every trade-off
// and better on one.
func dominates(a, b Point) bool {
	ax, bx := a.tradeOffs(), b.tradeOffs()
	if len(ax) != len(bx) {
		return false
	}
	better := false
	for k := range ax {
		if ax[k] > bx[k] {
			return false
		}
		better = better || ax[k] < bx[k]
	}
	return better
}

// FrontierNote says what being on the frontier means for this sweep: with
// regressions studied, detection counts too.
func (s *SweepReport) FrontierNote() string {
	note := "* on the frontier: no other setting promotes as fast with as few false rollbacks"
	for _, p := range s.Points {
		if p.StudiedRegressions() {
			return note + ", as few failed requests and as high a detection of the regressions."
		}
	}
	return note + "."
}
