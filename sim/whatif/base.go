package whatif

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// TutorialCanary is the embedded Canary of the OSM tutorial, used when no
// manifest is given.
const TutorialCanary = "manifests/podinfo-canary.yaml"

// BaseOptions name the Canary manifest (with its MetricTemplates) and the
// webhook replies of a study.
type BaseOptions struct {
	// Canary is a manifest path; empty means the tutorial's Canary.
	Canary string
	// Templates are further MetricTemplate manifests.
	Templates []string
	// Webhooks are replies by hook name: pass, fail or "fail: BODY"; hooks
	// not named pass.
	Webhooks map[string]scenario.Reply
}

// embeddedDir is where the embedded corpus appears beside the disk in the
// file system LoadBase reads; no path on disk starts with it.
const embeddedDir = "(embedded)"

// LoadBase reads and checks the Canary and its templates as the simulator
// will run them.
func LoadBase(o BaseOptions) (*scenario.Loaded, error) {
	for _, file := range append([]string{o.Canary}, o.Templates...) {
		if _, err := os.Stat(file); file != "" && err != nil {
			return nil, err // "stat FILE: …", FILE as the user gave it
		}
	}
	var fsys fs.FS = withEmbedded{disk: os.DirFS("/")}
	file, display := embeddedDir+"/"+TutorialCanary, "the tutorial's Canary ("+TutorialCanary+")"
	if o.Canary != "" {
		abs, err := filepath.Abs(o.Canary)
		if err != nil {
			return nil, err
		}
		fsys, file, display = os.DirFS("/"), filepath.ToSlash(abs)[1:], o.Canary
	}
	templates := make([]string, len(o.Templates))
	for i, t := range o.Templates {
		abs, err := filepath.Abs(t)
		if err != nil {
			return nil, err
		}
		templates[i] = "/" + filepath.ToSlash(abs)[1:]
	}
	doc := map[string]any{
		"version":  scenario.Version,
		"name":     "whatif",
		"canary":   path.Base(file),
		"webhooks": o.Webhooks,
	}
	if len(templates) > 0 {
		doc["metricTemplates"] = relativeTo(path.Dir(file), templates)
	}
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	l, err := scenario.LoadBytesFS(fsys, path.Dir(file), display, data)
	if err != nil && !strings.HasPrefix(err.Error(), display) {
		return nil, fmt.Errorf("load %s: %w", display, err)
	}
	if err != nil {
		return nil, err // its lines begin with display
	}
	if err := sim.CheckQueries(l); err != nil {
		return nil, fmt.Errorf("%s: %w", display, err)
	}
	l.QueriesChecked = true
	return l, nil
}

// withEmbedded is the disk with the embedded corpus under embeddedDir, so
// that the tutorial's Canary and templates from disk load together.
type withEmbedded struct{ disk fs.FS }

func (f withEmbedded) Open(name string) (fs.File, error) {
	if rest, ok := strings.CutPrefix(name, embeddedDir+"/"); ok {
		return scenarios.FS.Open(rest)
	}
	return f.disk.Open(name)
}

// relativeTo rewrites absolute slash paths relative to dir (both rooted at
// the same fs root).
func relativeTo(dir string, abs []string) []string {
	out := make([]string, len(abs))
	for i, a := range abs {
		rel, err := filepath.Rel("/"+dir, a)
		if err != nil {
			rel = a
		}
		out[i] = filepath.ToSlash(rel)
	}
	return out
}
