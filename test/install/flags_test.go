package install

import (
	"os"
	"regexp"
	"strings"
	"testing"
)

// controllerFlags are the flags fledge-controller defines, read from
// cmd/fledge-controller/flags.go and alertflags.go so that the list cannot
// go stale.
var controllerFlags = func() []string {
	var names []string
	for _, file := range []string{"flags.go", "alertflags.go"} {
		src, err := os.ReadFile("../../cmd/fledge-controller/" + file)
		if err != nil {
			return nil
		}
		for _, m := range regexp.MustCompile(`fs\.\w+Var\(&[^,]+, "([a-z-]+)"`).FindAllStringSubmatch(string(src), -1) {
			names = append(names, m[1])
		}
	}
	return names
}()

// cutFlag splits "-name=value" into name and value.
func cutFlag(arg string) (name, value string, hasValue bool) {
	return strings.Cut(strings.TrimLeft(arg, "-"), "=")
}

// TestControllerFlagsRead guards the reading above: it finds the flags
// the chart relies on.
func TestControllerFlagsRead(t *testing.T) {
	for _, want := range []string{"mesh-provider", "metrics-server", "event-source", "no-cross-namespace-refs", "kubeconfig-burst", "slack-url"} {
		found := false
		for _, f := range controllerFlags {
			found = found || f == want
		}
		if !found {
			t.Errorf("flags read from cmd/fledge-controller/flags.go %v lack %q", controllerFlags, want)
		}
	}
}
