package whatif

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"sync"
	"time"

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
	if err := missingTemplates(l, display); err != nil {
		return nil, err
	}
	if err := sim.CheckQueries(l); err != nil {
		return nil, fmt.Errorf("%s: %w", display, err)
	}
	l.QueriesChecked = true
	return l, nil
}

// missingTemplates names the metrics whose templateRef no MetricTemplate
// given answers, which every run would otherwise fail on.
func missingTemplates(l *scenario.Loaded, display string) error {
	cd := l.Canary
	namespace := cd.Namespace
	if namespace == "" {
		namespace = "default" // as the simulator applies it
	}
	have := map[string]bool{}
	for _, t := range l.Templates {
		have[t.Namespace+"/"+t.Name] = true
	}
	var errs []error
	for i, m := range cd.GetAnalysis().Metrics {
		if m.TemplateRef == nil {
			continue
		}
		ns := m.TemplateRef.Namespace
		if ns == "" {
			ns = namespace
		}
		if !have[ns+"/"+m.TemplateRef.Name] {
			errs = append(errs, fmt.Errorf("%s: metric %q (metrics[%d]) refers to MetricTemplate %s/%s, which no manifest given holds: "+
				"give its manifest with --template FILE (or templates: in the what-if file)", display, m.Name, i, ns, m.TemplateRef.Name))
		}
	}
	return errors.Join(errs...)
}

// TutorialScenario is the scenario of the corpus whose rollout time
// what-if compares its own with.
const TutorialScenario = "tutorial-promote.yaml"

var tutorialReadyAfter = sync.OnceValue(func() time.Duration {
	l, err := scenario.LoadFS(scenarios.FS, TutorialScenario, TutorialScenario)
	if err != nil {
		return scenario.DefaultReadyAfter
	}
	return l.Cluster.ReadyAfter.D()
})

// TutorialReadyAfter is how long a rollout takes in fledge sim's tutorial
// scenarios (their cluster.readyAfter).
func TutorialReadyAfter() time.Duration { return tutorialReadyAfter() }

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
