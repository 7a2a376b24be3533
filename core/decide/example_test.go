package decide_test

import (
	"fmt"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// The tutorial's analysis, stepWeight 5 and maxWeight 50: the canary
// advances by 5 until it reaches 50, and the next tick promotes it.
func ExampleAdvance() {
	a := &v1.CanaryAnalysis{StepWeight: 5, MaxWeight: 50}
	r := decide.Routes{Primary: 100}
	for r.Canary < decide.MaxWeight(a) {
		r = decide.Advance(a, r)
		fmt.Printf("primary %d canary %d\n", r.Primary, r.Canary)
	}
	fmt.Println("promote")
	// Output:
	// primary 95 canary 5
	// primary 90 canary 10
	// primary 85 canary 15
	// primary 80 canary 20
	// primary 75 canary 25
	// primary 70 canary 30
	// primary 65 canary 35
	// primary 60 canary 40
	// primary 55 canary 45
	// primary 50 canary 50
	// promote
}
