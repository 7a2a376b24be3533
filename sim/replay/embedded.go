package replay

import (
	"bytes"
	"compress/gzip"
	"context"
	"embed"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// TutorialScenario is the simulator scenario whose series the embedded
// recording holds: the OSM tutorial's rollback on HTTP 500s.
const TutorialScenario = "tutorial-rollback-500s"

// The embedded recording: OpenMetrics text, gzipped, and what is known of
// it besides the series.
const (
	tutorialRecording = "recordings/" + TutorialScenario + ".om.gz"
	tutorialMeta      = "recordings/" + TutorialScenario + ".json"
)

//go:embed recordings
var recordings embed.FS

// Meta is what an embedded recording's sidecar file says.
type Meta struct {
	// Scenario names the simulator scenario recorded (its Canary and
	// cluster are the replay's).
	Scenario string `json:"scenario"`
	// Start is when the simulated controller detected the new revision.
	Start time.Time `json:"start"`
}

// Tutorial returns the embedded recording, its scenario (the Canary, its
// cluster's readiness delay) and when the new revision was detected.
func Tutorial() (*Recording, *scenario.Loaded, time.Time, error) {
	om, err := TutorialOpenMetrics()
	if err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("%s: %w", tutorialRecording, err)
	}
	source := "the embedded recording of the simulator's " + TutorialScenario
	store, err := ReadOpenMetrics(source, om)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	raw, err := recordings.ReadFile(tutorialMeta)
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	var meta Meta
	if err := json.Unmarshal(raw, &meta); err != nil {
		return nil, nil, time.Time{}, fmt.Errorf("%s: %w", tutorialMeta, err)
	}
	l, err := scenario.LoadFS(scenarios.FS, meta.Scenario+".yaml", "scenarios/"+meta.Scenario+".yaml")
	if err != nil {
		return nil, nil, time.Time{}, err
	}
	return &Recording{Source: source, Store: store}, l, meta.Start, nil
}

// TutorialOpenMetrics is the embedded recording's OpenMetrics text.
func TutorialOpenMetrics() ([]byte, error) {
	gz, err := recordings.ReadFile(tutorialRecording)
	if err != nil {
		return nil, err
	}
	return gunzip(gz)
}

func gunzip(gz []byte) ([]byte, error) {
	zr, err := gzip.NewReader(bytes.NewReader(gz))
	if err != nil {
		return nil, err
	}
	return io.ReadAll(zr)
}

// Record runs a scenario in the simulator and returns its series as
// OpenMetrics text and the sidecar of the recording: how the embedded
// recording is made (see TestEmbeddedRecordingIsCurrent).
func Record(ctx context.Context, l *scenario.Loaded) ([]byte, Meta, error) {
	res, store, err := sim.RunRecorded(ctx, l)
	if err != nil {
		return nil, Meta{}, err
	}
	var om bytes.Buffer
	if err := WriteOpenMetrics(ctx, &om, store, math.MinInt64, math.MaxInt64); err != nil {
		return nil, Meta{}, err
	}
	return om.Bytes(), Meta{Scenario: l.Name, Start: res.Start}, nil
}
