package scenario_test

import (
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/sim/scenario"
)

const updateScenario = `# The file's head comment.
version: fledge.dev/scenario/v1
name: update-me
seed: 7
canary: manifests/podinfo.yaml   # the test canary
traffic:
  # the users of podinfo.test
  - {name: users, target: apex, rps: 20}
actions:
  - at: 0s
    run: kubectl -n test set image deployment/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1
expect:
  # What must happen.
  phase: Succeeded
  match: subsequence
  maxDuration: 20m
  weights: [5, 10]
  failedChecks: 1
  # the events that matter
  events:
    - New revision detected! Scaling up podinfo.test
    - Promotion completed! Scaling down podinfo.test
# The file's last comment.
`

var observed = scenario.Observed{
	Phase:        "Failed",
	Weights:      []int{5, 10, 15, 0},
	FailedChecks: 5,
	Events: []string{
		"New revision detected! Scaling up podinfo.test",
		"Halt podinfo.test advancement success rate 89.96% < 99%",
		"Rolling back podinfo.test failed checks threshold reached 5",
		"Canary failed! Scaling down podinfo.test",
	},
	Bootstrap: []string{"Initialization done! podinfo.test"},
}

// update loads a scenario, updates its expectations, writes them back
// and loads the file again.
func update(t *testing.T, text string, o scenario.Observed) (string, *scenario.Loaded) {
	t.Helper()
	file := writeScenario(t, text, nil)
	l, err := scenario.Load(file)
	if err != nil {
		t.Fatal(err)
	}
	out, err := l.UpdateExpect(o)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(file, out, 0o600); err != nil {
		t.Fatal(err)
	}
	again, err := scenario.Load(file)
	if err != nil {
		t.Fatalf("the updated file does not load: %v\n%s", err, out)
	}
	return string(out), again
}

func TestUpdateExpect(t *testing.T) {
	out, l := update(t, updateScenario, observed)
	for _, keep := range []string{
		"# The file's head comment.\n",
		"canary: manifests/podinfo.yaml # the test canary\n",
		"  # the users of podinfo.test\n",
		"  # What must happen.\n",
		"  match: subsequence\n",
		"  maxDuration: 20m\n",
		"  # the events that matter\n",
		"# The file's last comment.\n",
		"  - at: 0s\n    run: kubectl -n test set image deployment/podinfo podinfod=ghcr.io/stefanprodan/podinfo:6.0.1\n",
		"  phase: Failed\n",
		"  weights: [5, 10, 15, 0]\n",
		"  failedChecks: 5\n",
		"    - Halt podinfo.test advancement success rate 89.96% < 99%\n",
	} {
		if !strings.Contains(out, keep) {
			t.Errorf("the update lacks %q:\n%s", keep, out)
		}
	}
	if strings.Contains(out, "Promotion completed") || strings.Contains(out, "bootstrapEvents") {
		t.Errorf("old events kept, or bootstrapEvents added though the file did not assert them:\n%s", out)
	}
	e := l.Expect
	if e.Phase != "Failed" || !slices.Equal(e.Weights, observed.Weights) || e.FailedChecks == nil || *e.FailedChecks != 5 ||
		!slices.Equal(e.Events, observed.Events) || e.Match != "subsequence" || e.MaxDuration.D() != 20*time.Minute || e.Bootstrap != nil {
		t.Errorf("reloaded expect: %+v", e)
	}
	if l.Name != "update-me" || l.Seed != 7 || len(l.Traffic) != 1 || len(l.Actions) != 1 {
		t.Errorf("the rest of the scenario changed: %+v", l.Scenario)
	}

	// A second update with the same observation changes nothing.
	if out2, _ := update(t, out, observed); out2 != out {
		t.Errorf("not idempotent:\n%s\nthen\n%s", out, out2)
	}
}

func TestUpdateExpectBootstrap(t *testing.T) {
	text := strings.Replace(updateScenario, "  events:\n", "  bootstrapEvents: []\n  events:\n", 1)
	out, l := update(t, text, observed)
	if l.Expect.Bootstrap == nil || !slices.Equal(*l.Expect.Bootstrap, observed.Bootstrap) {
		t.Errorf("bootstrapEvents not updated:\n%s", out)
	}
}

func TestUpdateExpectAddsExpect(t *testing.T) {
	for name, text := range map[string]string{
		"no expect":         "version: fledge.dev/scenario/v1\nname: add\ncanary: manifests/podinfo.yaml\n",
		"empty expect":      "version: fledge.dev/scenario/v1\nname: add\ncanary: manifests/podinfo.yaml\nexpect:\n",
		"flow expect":       "version: fledge.dev/scenario/v1\nname: add\ncanary: manifests/podinfo.yaml\nexpect: {phase: Succeeded, match: exact}\n",
		"nothing observed ": "version: fledge.dev/scenario/v1\nname: add\ncanary: manifests/podinfo.yaml\n",
	} {
		t.Run(name, func(t *testing.T) {
			o := observed
			if strings.HasPrefix(name, "nothing") {
				o = scenario.Observed{Phase: "Initialized"}
			}
			out, l := update(t, text, o)
			e := l.Expect
			if e.Phase != o.Phase || !slices.Equal(e.Weights, o.Weights) || *e.FailedChecks != o.FailedChecks ||
				len(e.Events) != len(o.Events) || e.Events == nil || e.Weights == nil {
				t.Errorf("reloaded expect %+v from:\n%s", e, out)
			}
		})
	}
}

func TestUpdateExpectWithoutDocument(t *testing.T) {
	s := &scenario.Scenario{File: "made-up.yaml"}
	if _, err := s.UpdateExpect(observed); err == nil || err.Error() != "made-up.yaml: no YAML document to update" {
		t.Errorf("error %v", err)
	}
}

// TestUpdateExpectQuotes round-trips event messages that YAML would read
// as something else unquoted.
func TestUpdateExpectQuotes(t *testing.T) {
	events := []string{
		"canary deployment podinfo.test not ready: waiting for rollout to finish: 0 out of 1 new replicas have been updated",
		"# not a comment", "- not an item", "yes", "123", "1.5", "null", "~", "", " padded ", "two\nlines", `"quoted"`, "'single'", "{flow: map}", "[1, 2]", "*alias", "&anchor", "!tag", "@at", "`tick`", "tab\there", "%percent",
	}
	out, l := update(t, updateScenario, scenario.Observed{Phase: "Succeeded", Events: events})
	if !slices.Equal(l.Expect.Events, events) {
		t.Errorf("events read back:\n%q\nwant\n%q\nfrom:\n%s", l.Expect.Events, events, out)
	}
}
