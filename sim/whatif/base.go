package whatif

import (
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"

	"go.yaml.in/yaml/v3"

	"github.com/fledge-canary/fledge/scenarios"
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

// LoadBase reads and checks the Canary and its templates as the simulator
// will run them.
func LoadBase(o BaseOptions) (*scenario.Loaded, error) {
	var fsys fs.FS = scenarios.FS
	file, display := TutorialCanary, "the tutorial's Canary ("+TutorialCanary+")"
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
	if err != nil {
		return nil, fmt.Errorf("load %s: %w", display, err)
	}
	return l, nil
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
