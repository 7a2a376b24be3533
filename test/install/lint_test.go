package install

import (
	"testing"

	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
)

// TestHelmLintStrict runs Helm's linter as `helm lint --strict
// deploy/chart/fledge` does (strict: a warning fails too), with the
// default values and with every optional object enabled.
func TestHelmLintStrict(t *testing.T) {
	tests := []struct {
		name string
		sets []string
	}{
		{"defaults", nil},
		{"everything on", []string{"serviceMonitor.enabled=true", "podMonitor.enabled=true", "podDisruptionBudget.enabled=true",
			"crd.create=true", "leaderElection.replicaCount=2", "namespace=test", "image.pullSecret=regcred",
			"additionalVolumes[0].name=ca", "additionalVolumes[0].configMap.name=ca", "securityContext.enabled=false"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			vals, err := userValues(tc.sets)
			if err != nil {
				t.Fatal(err)
			}
			linter := lint.AllWithKubeVersion(chartDir, vals, release.Namespace, nil)
			for _, m := range linter.Messages {
				if m.Severity >= support.WarningSev {
					t.Errorf("helm lint --strict: %s", m)
				}
			}
			if len(linter.Messages) == 0 && linter.HighestSeverity != support.UnknownSev {
				t.Errorf("highest severity %d without messages", linter.HighestSeverity)
			}
		})
	}
}
