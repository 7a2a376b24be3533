package whatif_test

import (
	"os"
	"path/filepath"
	"testing"

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
