package v1beta1

import (
	"bytes"
	"encoding/json"
	"os"
	"sort"
	"testing"
)

// rejectCasesFile is rejectCases as data, for the controller's envtest
// suite, which applies every one of them to a live API server.
const rejectCasesFile = "testdata/reject-cases.json"

// ExportedRejectCase is one entry of rejectCasesFile.
type ExportedRejectCase struct {
	Name    string            `json:"name"`
	Options ValidationOptions `json:"options"`
	Canary  *Canary           `json:"canary"`
	Errors  []string          `json:"errors"`
}

func exportRejectCases() ([]byte, error) {
	names := make([]string, 0, len(rejectCases))
	for name := range rejectCases {
		names = append(names, name)
	}
	sort.Strings(names)
	out := make([]ExportedRejectCase, len(names))
	for i, name := range names {
		tc := rejectCases[name]
		out[i] = ExportedRejectCase{Name: name, Options: tc.opts, Canary: validCanary(tc.mods...), Errors: tc.want}
	}
	data, err := json.MarshalIndent(out, "", "  ")
	return append(data, '\n'), err
}

// TestRejectCasesExported keeps rejectCasesFile equal to rejectCases;
// FLEDGE_UPDATE_TESTDATA=1 rewrites it.
func TestRejectCasesExported(t *testing.T) {
	want, err := exportRejectCases()
	if err != nil {
		t.Fatal(err)
	}
	if os.Getenv("FLEDGE_UPDATE_TESTDATA") == "1" {
		if err := os.WriteFile(rejectCasesFile, want, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	got, err := os.ReadFile(rejectCasesFile)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s is stale: run FLEDGE_UPDATE_TESTDATA=1 go test ./core/api/v1beta1 -run TestRejectCasesExported", rejectCasesFile)
	}
}
