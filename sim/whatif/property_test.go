package whatif_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"pgregory.net/rapid"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// TestArithmeticHoldsForAnySpec: for any canary-strategy spec (step weight,
// max weight or a list of weights, interval, threshold) and any rollout
// time, a healthy canary without noise promotes in exactly the time the
// arithmetic gives, and a canary answering only 500s is rolled back after
// threshold failed checks, never promoted; and when the arithmetic says a
// tick finds a rollout unfinished past the progress deadline, both are
// rolled back.
//
// Intervals start at 30s: with ticks closer than two 10s scrapes, the first
// check's rate() window holds one sample of the canary's new traffic, finds
// no values and fails — so a quiet canary on a 10s interval with
// threshold 1 is rolled back, as it would be by Flagger. That is what
// whatif shows for such a spec; it is not the arithmetic's concern.
func TestArithmeticHoldsForAnySpec(t *testing.T) {
	base := tutorial(t)
	rapid.Check(t, func(rt *rapid.T) {
		cd := base.Canary.DeepCopy()
		a := cd.Spec.Analysis
		if rapid.Bool().Draw(rt, "stepWeights") {
			n := rapid.IntRange(1, 4).Draw(rt, "weights")
			a.StepWeight, a.MaxWeight, a.StepWeights = 0, 0, nil
			for w := 0; len(a.StepWeights) < n && w < 100; {
				w += rapid.IntRange(1, 40).Draw(rt, fmt.Sprintf("weight%d", len(a.StepWeights)))
				a.StepWeights = append(a.StepWeights, min(w, 100))
			}
		} else {
			a.MaxWeight = rapid.IntRange(1, 100).Draw(rt, "maxWeight")
			a.StepWeight = rapid.IntRange(1, a.MaxWeight).Draw(rt, "stepWeight")
		}
		a.Interval = (time.Duration(rapid.IntRange(30, 120).Draw(rt, "intervalSeconds")) * time.Second).String()
		a.Threshold = rapid.IntRange(1, 6).Draw(rt, "threshold")
		if errs, _ := cd.Validate(v1.ValidationOptions{}); len(errs) > 0 {
			rt.Skipf("not a valid spec: %v", errs) // the generators above aim to avoid these
		}
		// 1,000 users' requests per second: even at weight 1 the canary
		// gets 10 a second. At 20 (the tutorial's) weight 1 is 0.2 a second,
		// and a check can find no values in its window: a failed check the
		// study reports, not an error of the arithmetic.
		p := quiet()
		p.RPS = 1000
		// Past the tutorial's progress deadline (60s) too: then the
		// arithmetic says every release is rolled back.
		p.ReadyAfter = time.Duration(rapid.IntRange(0, 240).Draw(rt, "readyAfterSeconds")) * time.Second
		ar, err := whatif.ArithmeticOf(cd, p.ReadyAfter)
		pastDeadline := errors.Is(err, whatif.ErrPastDeadline)
		if err != nil && !pastDeadline {
			rt.Fatal(err)
		}
		l := *base
		l.Canary = cd
		st, err := whatif.Run(context.Background(), whatif.Options{Base: &l, Profile: p, Runs: 1, Seed: 1,
			Cases: []whatif.Case{{Kind: whatif.Healthy}, {Kind: whatif.Errors, Size: 100}}})
		if err != nil {
			rt.Fatal(err)
		}
		healthy, broken := st.Outcomes[0][0], st.Outcomes[1][0]
		if pastDeadline {
			if healthy.Phase != v1.PhaseFailed || broken.Phase != v1.PhaseFailed {
				rt.Fatalf("%v: healthy %s, all-500s %s; want both rolled back", err, healthy.Phase, broken.Phase)
			}
			return
		}
		if healthy.Phase != v1.PhaseSucceeded || healthy.Duration != ar.Promotion {
			rt.Fatalf("weights %v every %v, ready after %v: healthy %s after %v, want Succeeded after %v",
				ar.Weights, ar.Interval, p.ReadyAfter, healthy.Phase, healthy.Duration, ar.Promotion)
		}
		if broken.Phase != v1.PhaseFailed || broken.FailedChecks != a.Threshold {
			rt.Fatalf("all 500s: %s with %d failed checks, want Failed after %d", broken.Phase, broken.FailedChecks, a.Threshold)
		}
	})
}
