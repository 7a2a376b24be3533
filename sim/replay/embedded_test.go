package replay_test

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"flag"
	"io"
	"os"
	"testing"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim/replay"
	"github.com/fledge-canary/fledge/sim/scenario"
)

var update = flag.Bool("update", false, "rewrite the embedded recording from the simulator")

//go:generate go test -run TestEmbeddedRecordingIsCurrent -update .

// TestEmbeddedRecordingIsCurrent records the tutorial's rollback scenario
// again and compares it with the embedded recording; -update rewrites the
// recording (go generate ./sim/replay).
func TestEmbeddedRecordingIsCurrent(t *testing.T) {
	name := replay.TutorialScenario
	l, err := scenario.LoadFS(scenarios.FS, name+".yaml", "scenarios/"+name+".yaml")
	if err != nil {
		t.Fatal(err)
	}
	om, meta, err := replay.Record(context.Background(), l)
	if err != nil {
		t.Fatal(err)
	}
	metaJSON, err := json.MarshalIndent(meta, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	metaJSON = append(metaJSON, '\n')
	omFile, metaFile := "recordings/"+name+".om.gz", "recordings/"+name+".json"
	if *update {
		var gz bytes.Buffer
		zw, _ := gzip.NewWriterLevel(&gz, gzip.BestCompression)
		_, _ = zw.Write(om)
		if err := zw.Close(); err != nil {
			t.Fatal(err)
		}
		writeFile(t, omFile, gz.Bytes())
		writeFile(t, metaFile, metaJSON)
	}
	if got := readFile(t, metaFile); !bytes.Equal(got, metaJSON) {
		t.Errorf("%s is stale (run go generate ./sim/replay):\ngot  %s\nwant %s", metaFile, got, metaJSON)
	}
	zr, err := gzip.NewReader(bytes.NewReader(readFile(t, omFile)))
	if err != nil {
		t.Fatal(err)
	}
	got, err := io.ReadAll(zr)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, om) {
		t.Errorf("%s is stale (run go generate ./sim/replay): %d bytes, the simulator now records %d", omFile, len(got), len(om))
	}
}

func readFile(t *testing.T, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(name)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, name string, data []byte) {
	t.Helper()
	if err := os.WriteFile(name, data, 0o644); err != nil {
		t.Fatal(err)
	}
}
