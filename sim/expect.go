package sim

import (
	"fmt"
	"slices"

	"github.com/fledge-canary/fledge/sim/scenario"
)

// Failure is an expectation of a scenario that a run did not meet.
type Failure struct {
	Field string `json:"field"`
	Msg   string `json:"message"`
}

func (f Failure) String() string { return f.Field + ": " + f.Msg }

// Check holds a run's result against the scenario's expectations.
func Check(e scenario.Expect, res *Result) []Failure {
	var fs []Failure
	fail := func(field, format string, args ...any) {
		fs = append(fs, Failure{Field: field, Msg: fmt.Sprintf(format, args...)})
	}
	if e.Phase != "" && string(res.Status.Phase) != e.Phase {
		fail("expect.phase", "want %s, got %s", e.Phase, res.Status.Phase)
	}
	if e.Weights != nil && !slices.Equal(e.Weights, res.Weights()) {
		fail("expect.weights", "want %v, got %v", e.Weights, res.Weights())
	}
	if e.FailedChecks != nil && res.MaxFailedChecks() != *e.FailedChecks {
		fail("expect.failedChecks", "want %d as the highest count reached, got %d", *e.FailedChecks, res.MaxFailedChecks())
	}
	if e.MaxDuration > 0 && res.Duration() > e.MaxDuration.D() {
		fail("expect.maxDuration", "want at most %v, took %v", e.MaxDuration.D(), res.Duration())
	}
	if e.Events != nil {
		fs = append(fs, checkEvents("expect.events", e.Events, res.Messages(), e.Match == "subsequence")...)
	}
	if e.Bootstrap != nil {
		fs = append(fs, checkEvents("expect.bootstrapEvents", *e.Bootstrap, res.BootstrapMessages(), false)...)
	}
	if e.Alerts != nil {
		fs = append(fs, checkEvents("expect.alerts", e.Alerts, res.AlertLines(), false)...)
	}
	return fs
}

// checkEvents compares event messages: the same list, or want in order
// within got. Every difference is a failure of its own.
func checkEvents(field string, want, got []string, subsequence bool) []Failure {
	if subsequence {
		return checkSubsequence(field, want, got)
	}
	var fs []Failure
	for i := range min(len(want), len(got)) {
		if want[i] != got[i] {
			fs = append(fs, Failure{Field: fmt.Sprintf("%s[%d]", field, i), Msg: fmt.Sprintf("want %q, got %q", want[i], got[i])})
		}
	}
	switch {
	case len(got) > len(want):
		fs = append(fs, Failure{Field: field, Msg: fmt.Sprintf("want %d events, got %d; the first extra is %q", len(want), len(got), got[len(want)])})
	case len(got) < len(want):
		fs = append(fs, Failure{Field: field, Msg: fmt.Sprintf("want %d events, got %d; the first missing is %q", len(want), len(got), want[len(got)])})
	}
	return fs
}

// checkSubsequence finds want in order within got; a message not found is
// a failure, and the search goes on after the last one found.
func checkSubsequence(field string, want, got []string) []Failure {
	var fs []Failure
	at := 0
	for i, w := range want {
		j := slices.Index(got[at:], w)
		if j < 0 {
			fs = append(fs, Failure{Field: fmt.Sprintf("%s[%d]", field, i), Msg: fmt.Sprintf("%q not found after event %d", w, at)})
			continue
		}
		at += j + 1
	}
	return fs
}

// HasExpectations reports whether a scenario asserts anything of its run.
func HasExpectations(e scenario.Expect) bool {
	return e.Phase != "" || e.Weights != nil || e.Events != nil || e.FailedChecks != nil || e.MaxDuration > 0 || e.Bootstrap != nil ||
		e.Alerts != nil
}

// MaxFailedChecks is the highest failedChecks the canary reached after the start.
func (res *Result) MaxFailedChecks() int {
	n := 0
	for _, t := range res.Ticks {
		if !t.Time.Before(res.Start) {
			n = max(n, t.FailedChecks)
		}
	}
	return n
}
