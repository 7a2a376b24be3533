package whatif

import (
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/fledge-canary/fledge/sim/traffic"
)

// Kind is the family of a case.
type Kind string

// The kinds of case.
const (
	// Healthy is a canary that serves exactly like the primary.
	Healthy Kind = "healthy"
	// Errors adds Size percent of HTTP 500s to the canary's answers.
	Errors Kind = "5xx"
	// NotFound adds Size percent of HTTP 404s.
	NotFound Kind = "404"
	// Latency delays every answer of the canary by Size milliseconds,
	// which moves its P99 by as much.
	Latency Kind = "latency"
)

// Case is one behaviour of the canary's version.
type Case struct {
	Kind Kind `json:"kind"`
	// Size is in percentage points for Errors and NotFound, in
	// milliseconds for Latency; zero for Healthy.
	Size float64 `json:"size"`
}

// Name is how the case is shown, e.g. "+2% 5xx" or "+100ms".
func (c Case) Name() string {
	switch c.Kind {
	case Healthy:
		return "healthy"
	case Latency:
		return "+" + time.Duration(c.Size*float64(time.Millisecond)).String()
	}
	return "+" + strconv.FormatFloat(c.Size, 'f', -1, 64) + "% " + string(c.Kind)
}

// Regression is the traffic model's view of the case.
func (c Case) Regression() traffic.Regression {
	switch c.Kind {
	case Errors:
		return traffic.Regression{Codes: map[int]float64{500: c.Size / 100}}
	case NotFound:
		return traffic.Regression{Codes: map[int]float64{404: c.Size / 100}}
	case Latency:
		return traffic.Regression{Delay: time.Duration(c.Size * float64(time.Millisecond))}
	}
	return traffic.Regression{}
}

// Regressions are the sizes of each family of regression to try.
type Regressions struct {
	Errors   []float64       `json:"errors" yaml:"errors"`     // percentage points of 5xx
	NotFound []float64       `json:"notFound" yaml:"notFound"` // percentage points of 404
	Latency  []time.Duration `json:"latency" yaml:"latency"`   // added to every answer
}

// DefaultRegressions are tried unless overridden.
func DefaultRegressions() Regressions {
	return Regressions{
		Errors:   []float64{0.5, 1, 2, 5, 20},
		NotFound: []float64{1, 5, 20},
		Latency:  []time.Duration{100 * time.Millisecond, 500 * time.Millisecond},
	}
}

// Cases are the healthy case followed by every regression, 5xx first.
func (r Regressions) Cases() []Case {
	cases := []Case{{Kind: Healthy}}
	for _, s := range r.Errors {
		cases = append(cases, Case{Kind: Errors, Size: s})
	}
	for _, d := range r.Latency {
		cases = append(cases, Case{Kind: Latency, Size: float64(d) / float64(time.Millisecond)})
	}
	for _, s := range r.NotFound {
		cases = append(cases, Case{Kind: NotFound, Size: s})
	}
	return cases
}

// Validate says what is wrong with the sizes.
func (r Regressions) Validate() error {
	var errs []error
	for _, fam := range []struct {
		name  string
		sizes []float64
	}{{"5xx", r.Errors}, {"404", r.NotFound}} {
		for _, s := range fam.sizes {
			if !(s > 0 && s <= 100) {
				errs = append(errs, fmt.Errorf("%s regression %v%%: want a share above 0 and at most 100%%", fam.name, s))
			}
		}
	}
	for _, d := range r.Latency {
		if d <= 0 {
			errs = append(errs, fmt.Errorf("latency regression %v: want a delay above 0", d))
		}
	}
	return errors.Join(errs...)
}

// ParsePercents reads "0.5,1,2" or "0.5%,1%,2%"; an empty list is none.
func ParsePercents(list string) ([]float64, error) {
	var out []float64
	for _, item := range splitList(list) {
		v, err := strconv.ParseFloat(strings.TrimSuffix(strings.TrimPrefix(item, "+"), "%"), 64)
		if err != nil {
			return nil, fmt.Errorf("%q is not a percentage such as 2 or 2%%", item)
		}
		out = append(out, v)
	}
	return out, nil
}

// ParseDurations reads "100ms,500ms"; an empty list is none.
func ParseDurations(list string) ([]time.Duration, error) {
	var out []time.Duration
	for _, item := range splitList(list) {
		d, err := time.ParseDuration(strings.TrimPrefix(item, "+"))
		if err != nil {
			return nil, fmt.Errorf("%q is not a duration such as 100ms", item)
		}
		out = append(out, d)
	}
	return out, nil
}

func splitList(list string) []string {
	var out []string
	for _, item := range strings.Split(list, ",") {
		if item = strings.TrimSpace(item); item != "" {
			out = append(out, item)
		}
	}
	return out
}
