package whatif_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/whatif"
)

const extraTemplate = `apiVersion: flagger.app/v1beta1
kind: MetricTemplate
metadata:
  name: extra
  namespace: test
spec:
  provider:
    type: prometheus
    address: http://osm-prometheus.osm-system.svc:7070
  query: sum(rate(osm_request_total{destination_namespace="{{ namespace }}"}[{{ interval }}]))
`

// TestLoadBaseTemplatesBesideTheTutorial loads templates from disk with
// the embedded tutorial Canary, and with a Canary from disk.
func TestLoadBaseTemplatesBesideTheTutorial(t *testing.T) {
	dir := t.TempDir()
	tmpl := filepath.Join(dir, "extra.yaml")
	if err := os.WriteFile(tmpl, []byte(extraTemplate), 0o600); err != nil {
		t.Fatal(err)
	}
	canary := filepath.Join("..", "..", "scenarios", whatif.TutorialCanary)
	for name, opts := range map[string]whatif.BaseOptions{
		"tutorial":       {Templates: []string{tmpl}},
		"canary on disk": {Canary: canary, Templates: []string{tmpl}},
	} {
		t.Run(name, func(t *testing.T) {
			base, err := whatif.LoadBase(opts)
			if err != nil {
				t.Fatal(err)
			}
			if base.Canary.Name != "podinfo" {
				t.Errorf("canary %q, want podinfo", base.Canary.Name)
			}
			found := false
			for _, mt := range base.Templates {
				found = found || mt.Name == "extra"
			}
			if !found {
				t.Errorf("templates %v hold no \"extra\"", base.Templates)
			}
		})
	}
}

// TestLoadBaseMissingFile names a missing manifest as the user gave it.
func TestLoadBaseMissingFile(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "nosuch.yaml")
	for name, opts := range map[string]whatif.BaseOptions{
		"template": {Templates: []string{missing}},
		"canary":   {Canary: missing},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := whatif.LoadBase(opts)
			if want := "stat " + missing + ": no such file or directory"; err == nil || err.Error() != want {
				t.Errorf("err = %v, want %q", err, want)
			}
		})
	}
}

// TestTutorialTimingMatchesSim: the promotion time what-if quotes for fledge
// sim's tutorial scenarios is the time fledge sim takes on tutorial-promote.
func TestTutorialTimingMatchesSim(t *testing.T) {
	l, err := scenario.LoadFS(scenarios.FS, whatif.TutorialScenario, whatif.TutorialScenario)
	if err != nil {
		t.Fatal(err)
	}
	res, err := sim.Run(t.Context(), l)
	if err != nil {
		t.Fatal(err)
	}
	if l.Cluster.ReadyAfter.D() != whatif.TutorialReadyAfter() || whatif.TutorialReadyAfter() == whatif.DefaultProfile().ReadyAfter {
		t.Fatalf("tutorial readyAfter %v, what-if's %v, default %v", l.Cluster.ReadyAfter.D(), whatif.TutorialReadyAfter(),
			whatif.DefaultProfile().ReadyAfter)
	}
	base, err := whatif.LoadBase(whatif.BaseOptions{})
	if err != nil {
		t.Fatal(err)
	}
	st := &whatif.Study{Options: whatif.Options{Base: base, Profile: whatif.DefaultProfile(), Cases: []whatif.Case{{Kind: whatif.Healthy}}, Runs: 1},
		Outcomes: [][]whatif.Outcome{{{}}}}
	rep := st.Report()
	if rep.Arithmetic.Scenarios == nil || rep.Arithmetic.Scenarios.PromotionSeconds != res.Duration().Seconds() {
		t.Errorf("what-if quotes %+v for the tutorial scenarios; fledge sim took %v", rep.Arithmetic.Scenarios, res.Duration())
	}
}
