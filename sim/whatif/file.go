package whatif

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	"github.com/fledge-canary/fledge/sim/scenario"
)

// File is a what-if file: everything the flags say, for a study kept in
// version control next to its Canary. Flags given on the command line
// override it.
//
//	traffic: {rps: 50, errorRate: 0.1, notFoundRate: 0, p50: 5ms, p99: 40ms, readyAfter: 10s, loadtesterRps: 0}
//	regressions: {errors: [1, 2, 5], latency: [100ms], notFound: []}
//	runs: 200
//	seed: 1
//	webhooks: {acceptance-test: pass}
//	sweep: {stepWeight: [5, 10], interval: [30s, 1m]}
type File struct {
	Traffic     FileTraffic               `yaml:"traffic"`
	Regressions *FileRegressions          `yaml:"regressions"`
	Runs        *int                      `yaml:"runs"`
	Seed        *uint64                   `yaml:"seed"`
	Webhooks    map[string]scenario.Reply `yaml:"webhooks"`
	Sweep       map[string][]yaml.Node    `yaml:"sweep"`
	Templates   []string                  `yaml:"metricTemplates"`

	// name is the file's, for errors.
	name string
}

// FileTraffic is the traffic profile; unset fields keep their defaults.
type FileTraffic struct {
	RPS          *float64           `yaml:"rps"`
	ErrorRate    *float64           `yaml:"errorRate"`
	NotFoundRate *float64           `yaml:"notFoundRate"`
	P50          *scenario.Duration `yaml:"p50"`
	P99          *scenario.Duration `yaml:"p99"`
	ReadyAfter   *scenario.Duration `yaml:"readyAfter"`
	Loadtester   *float64           `yaml:"loadtesterRps"`
}

// FileRegressions are the regression sizes; a family left out keeps its
// defaults, an empty list tries none.
type FileRegressions struct {
	Errors   *[]float64           `yaml:"errors"`
	NotFound *[]float64           `yaml:"notFound"`
	Latency  *[]scenario.Duration `yaml:"latency"`
}

// ReadFile reads a what-if file, refusing unknown fields.
func ReadFile(name string) (*File, error) {
	data, err := os.ReadFile(name)
	if err != nil {
		return nil, err
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	f := File{name: name}
	if err := dec.Decode(&f); err != nil && !errors.Is(err, io.EOF) {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if f.Runs != nil && *f.Runs <= 0 {
		return nil, fmt.Errorf("%s: runs: %d: want at least 1", name, *f.Runs)
	}
	return &f, nil
}

// ApplyTo sets the profile's fields the file gives.
func (t FileTraffic) ApplyTo(p *Profile) {
	setIf(&p.RPS, t.RPS)
	setIf(&p.ErrorRate, t.ErrorRate)
	setIf(&p.NotFoundRate, t.NotFoundRate)
	setIf(&p.LoadtesterRPS, t.Loadtester)
	for _, d := range []struct {
		to   *time.Duration
		from *scenario.Duration
	}{{&p.P50, t.P50}, {&p.P99, t.P99}, {&p.ReadyAfter, t.ReadyAfter}} {
		if d.from != nil {
			*d.to = d.from.D()
		}
	}
}

// ApplyTo sets the families the file gives.
func (r *FileRegressions) ApplyTo(to *Regressions) {
	if r == nil {
		return
	}
	setIf(&to.Errors, r.Errors)
	setIf(&to.NotFound, r.NotFound)
	if r.Latency != nil {
		to.Latency = nil
		for _, d := range *r.Latency {
			to.Latency = append(to.Latency, d.D())
		}
	}
}

func setIf[T any](to *T, from *T) {
	if from != nil {
		*to = *from
	}
}

// Axes are the file's sweep, keys sorted. Each value is one YAML scalar:
// a list or a map, or a comma (the flag's separator), is refused with the
// file's line.
func (f *File) Axes() ([]Axis, error) {
	var axes []Axis
	keys := make([]string, 0, len(f.Sweep))
	for k := range f.Sweep {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		values, err := f.sweepValues(k)
		if err != nil {
			return nil, err
		}
		ax, err := newAxis(k, values)
		if err != nil {
			return nil, fmt.Errorf("%s: sweep %s: %w", f.name, k, err)
		}
		axes = append(axes, ax)
	}
	return axes, nil
}

// sweepValues are the values the file sweeps key through.
func (f *File) sweepValues(key string) ([]string, error) {
	var values []string
	for _, n := range f.Sweep[key] {
		switch {
		case n.Kind != yaml.ScalarNode:
			return nil, fmt.Errorf("%s:%d: sweep %s: want single values such as 5 or 30s, not a %s", f.name, n.Line, key, nodeKind(n.Kind))
		case strings.Contains(n.Value, ","):
			return nil, fmt.Errorf("%s:%d: sweep %s: %q holds a comma: list each value on its own ([30s, 1m]); commas separate values in --sweep only",
				f.name, n.Line, key, n.Value)
		}
		values = append(values, strings.TrimSpace(n.Value))
	}
	return values, nil
}

// nodeKind names a YAML node's kind for errors.
func nodeKind(k yaml.Kind) string {
	switch k {
	case yaml.SequenceNode:
		return "list"
	case yaml.MappingNode:
		return "map"
	case yaml.AliasNode:
		return "alias"
	}
	return "document"
}
