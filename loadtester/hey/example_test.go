package hey_test

import (
	"fmt"

	"github.com/fledge-canary/fledge/loadtester/hey"
)

// The OSM tutorial's load-test command.
func ExampleParse() {
	spec, err := hey.Parse("hey -z 2m -q 10 -c 2 http://podinfo-canary.test:9898/")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Printf("%s %s for %s, %d workers at %g/s each\n", spec.Method, spec.URL, spec.Duration, spec.Workers, spec.RatePerWorker)
	fmt.Println(hey.IsHey("curl -sd 'test' http://podinfo-canary.test:9898/token | grep token"))
	// Output:
	// GET http://podinfo-canary.test:9898/ for 2m0s, 2 workers at 10/s each
	// false
}
