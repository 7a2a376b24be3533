package sim

import (
	"fmt"
	"slices"
	"strings"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
	"github.com/fledge-canary/fledge/core/engine"
)

// SameOutcome compares a run with faults to the run of the same scenario
// without them and lists the differences. The final phase, whether the
// Canary was deleted, and the final weights must be equal; but the final
// weights of a Canary deleted at a time of the scenario's timeline are
// compared only with exact (see below: without it, the analysis runs
// later, so the deletion may find it at another weight; the TrafficSplit
// of a deleted Canary is garbage-collected anyway).
//
// With exact set (crashes, whose retry runs at the same instant), the
// weights the TrafficSplit was set to and the event messages must also be
// equal, in order, but for what a cut tick's retry may record again: each
// event and weight the cut tick had recorded, at most once more, and the
// waits of retryAllowances.
//
// Without exact (API faults: a failed call ends its tick with a Warning and
// the next tick, an interval later, retries), the analysis runs later on
// the scenario's timeline, so a scenario whose metrics change with time may
// take a different number of steps before its rollback. Then the last
// event, leaving out the warnings that carry an injected error, must be
// equal.
func SameOutcome(want, got *Result, rep *FaultReport, exact bool) []string {
	var diffs []string
	if got.Status.Phase != want.Status.Phase {
		diffs = append(diffs, fmt.Sprintf("phase: want %s, got %s", want.Status.Phase, got.Status.Phase))
	}
	if got.Deleted != want.Deleted {
		diffs = append(diffs, fmt.Sprintf("deleted: want %t, got %t", want.Deleted, got.Deleted))
	}
	if w, g := lastRoutes(want), lastRoutes(got); w != g && (!want.Deleted || exact) {
		diffs = append(diffs, fmt.Sprintf("final weights: want %+v, got %+v", w, g))
	}
	wantEvents := slices.Concat(want.BootstrapMessages(), want.Messages())
	gotEvents := slices.Concat(got.BootstrapMessages(), got.Messages())
	if !exact {
		gotEvents = slices.DeleteFunc(gotEvents, func(m string) bool { return strings.Contains(m, InjectedMarker) })
		if w, g := lastOf(wantEvents), lastOf(gotEvents); w != g {
			diffs = append(diffs, fmt.Sprintf("last event: want %q, got %q", w, g))
		}
		return diffs
	}
	none := func(int) bool { return false }
	extra := extraEvents(got, rep.ExtraTicks)
	wait := func(m string) bool {
		if extra[m] > 0 {
			extra[m]--
			return true
		}
		return false
	}
	if at := withRepeats(want.Weights(), got.Weights(), rep.RepeatableWeights, none); at >= 0 {
		diffs = append(diffs, fmt.Sprintf("weights: want %v, got %v, differing at %d (repeatable %v)",
			want.Weights(), got.Weights(), at, rep.RepeatableWeights))
	}
	if at := withRepeats(wantEvents, gotEvents, rep.Repeatable, wait); at >= 0 {
		diffs = append(diffs, fmt.Sprintf("events: differ at %d: want %q, got %q (repeatable %q)",
			at, around(wantEvents, at), around(gotEvents, at), rep.Repeatable))
	}
	return diffs
}

func lastRoutes(res *Result) decide.Routes {
	if len(res.Routes) == 0 {
		return decide.Routes{Primary: v1.TotalWeight}
	}
	return res.Routes[len(res.Routes)-1].Routes
}

// withRepeats reports whether got is want with elements inserted, each an
// element of repeatable, used at most as often as it is there, or one for
// which free is true: -1 when it is, else the index in got where it stops
// being so. Matching an element
// of got to want as early as possible is never worse than taking it as an
// insertion of the same value.
func withRepeats[T comparable](want, got, repeatable []T, free func(T) bool) int {
	left := map[T]int{}
	for _, v := range repeatable {
		left[v]++
	}
	j := 0
	for i, v := range got {
		switch {
		case j < len(want) && v == want[j]:
			j++
		case left[v] > 0:
			left[v]--
		case free(v):
		default:
			return i
		}
	}
	if j < len(want) {
		return len(got)
	}
	return -1
}

// around is the part of a list near index at, for messages.
func around[T any](list []T, at int) []T {
	lo := min(max(0, at-2), len(list))
	return list[lo:min(len(list), at+3)]
}

func lastOf(list []string) string {
	if len(list) == 0 {
		return ""
	}
	return list[len(list)-1]
}

// extraEvents counts the event messages of the ticks of got whose reason
// is one of reasons.
func extraEvents(got *Result, reasons []engine.Reason) map[string]int {
	out := map[string]int{}
	for _, rec := range got.Ticks {
		if slices.Contains(reasons, rec.Reason) {
			for _, e := range rec.Events {
				out[e.Message]++
			}
		}
	}
	return out
}
