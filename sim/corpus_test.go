package sim_test

import (
	"context"
	"io/fs"
	"testing"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// TestCorpus replays every scenario of scenarios/ and holds it to its
// expectations, as promqltest runs its script corpus.
func TestCorpus(t *testing.T) {
	files, err := fs.Glob(scenarios.FS, "*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no scenarios embedded: %v", err)
	}
	for _, f := range files {
		t.Run(f, func(t *testing.T) {
			l, err := scenario.LoadFS(scenarios.FS, f, "scenarios/"+f)
			if err != nil {
				t.Fatal(err)
			}
			if l.Expect.Phase == "" || l.Expect.Events == nil || l.Expect.Weights == nil {
				t.Fatalf("%s must assert phase, weights and events", f)
			}
			res, err := sim.Run(context.Background(), l)
			if err != nil {
				t.Fatal(err)
			}
			for _, failure := range sim.Check(l.Expect, res) {
				t.Error(failure)
			}
		})
	}
}
