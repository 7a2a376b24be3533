package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strings"
	"time"

	"go.yaml.in/yaml/v3"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// Defaults of a scenario.
const (
	DefaultImage         = "ghcr.io/stefanprodan/podinfo:6.0.0"
	DefaultContainer     = "podinfod"
	DefaultReadyAfter    = 10 * time.Second
	DefaultUntil         = time.Hour
	DefaultMetricsServer = "http://osm-prometheus.osm-system.svc:7070"
)

// Loaded is a scenario with its manifests read and checked.
type Loaded struct {
	*Scenario
	Canary    *v1.Canary
	Templates []v1.MetricTemplate
}

// Error is a problem in a scenario file, at a line, in a field.
type Error struct {
	File  string
	Line  int
	Field string
	Msg   string
}

func (e Error) Error() string {
	loc := e.File
	if e.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, e.Line)
	}
	if e.Field == "" {
		return loc + ": " + e.Msg
	}
	return fmt.Sprintf("%s: %s: %s", loc, e.Field, e.Msg)
}

// Errors are all the problems found in a scenario.
type Errors []Error

func (es Errors) Error() string {
	lines := make([]string, len(es))
	for i, e := range es {
		lines[i] = e.Error()
	}
	return strings.Join(lines, "\n")
}

// Load reads, defaults and checks a scenario file and the manifests it
// names, from the operating system's files. All problems are reported at
// once, as Errors.
func Load(file string) (*Loaded, error) {
	abs, err := filepath.Abs(file)
	if err != nil {
		return nil, err
	}
	return LoadFS(os.DirFS("/"), strings.TrimPrefix(filepath.ToSlash(abs), "/"), file)
}

// LoadFS is Load for a scenario at name in fsys (such as the embedded
// corpus); display is the name errors give the file.
func LoadFS(fsys fs.FS, name, display string) (*Loaded, error) {
	data, err := fs.ReadFile(fsys, name)
	if err != nil {
		return nil, err
	}
	return parse(fsys, path.Dir(name), display, data)
}

// LoadBytes reads a scenario held in memory; manifest paths are relative to
// dir on the operating system's files.
func LoadBytes(display string, data []byte, dir string) (*Loaded, error) {
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, err
	}
	return parse(os.DirFS("/"), strings.TrimPrefix(filepath.ToSlash(abs), "/"), display, data)
}

func parse(fsys fs.FS, dir, display string, data []byte) (*Loaded, error) {
	s, err := decode(display, data)
	if err != nil {
		return nil, err
	}
	s.applyDefaults()
	l := &Loaded{Scenario: s}
	c := &checker{s: s}
	l.resolve(c, fsys, dir)
	c.check(l)
	if len(c.errs) > 0 {
		return nil, c.errs
	}
	return l, nil
}

func decode(file string, data []byte) (*Scenario, error) {
	s := &Scenario{File: file}
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, Errors{{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	if err := dec.Decode(s); err != nil {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			errs := make(Errors, len(te.Errors))
			for i, msg := range te.Errors {
				errs[i] = Error{File: file, Msg: msg}
			}
			return nil, errs
		}
		return nil, Errors{{File: file, Msg: strings.TrimPrefix(err.Error(), "yaml: ")}}
	}
	s.root = &root
	return s, nil
}

func (s *Scenario) applyDefaults() {
	c := &s.Cluster
	if c.Image == "" {
		c.Image = DefaultImage
	}
	if c.Container == "" {
		c.Container = DefaultContainer
	}
	if c.Replicas == 0 {
		c.Replicas = 1
	}
	if c.ReadyAfter == 0 {
		c.ReadyAfter = Duration(DefaultReadyAfter)
	}
	if c.MetricsServer == "" {
		c.MetricsServer = DefaultMetricsServer
	}
	if s.Until == 0 {
		s.Until = Duration(DefaultUntil)
	}
	if s.Expect.Match == "" {
		s.Expect.Match = "exact"
	}
}

// resolve reads the canary and template manifests.
func (l *Loaded) resolve(c *checker, fsys fs.FS, dir string) {
	if l.Scenario.Canary.IsZero() {
		c.fail(c.line("canary"), "canary", "required: a path to a Canary manifest, or the Canary inline")
		return
	}
	m, err := l.Scenario.Canary.decode(fsys, dir)
	switch {
	case err != nil:
		c.fail(l.Scenario.Canary.Line, "canary", err.Error())
	case len(m.Canaries) != 1:
		c.fail(l.Scenario.Canary.Line, "canary", fmt.Sprintf("want exactly one Canary, found %d", len(m.Canaries)))
	default:
		l.Canary = &m.Canaries[0]
		l.Templates = append(l.Templates, m.MetricTemplates...)
	}
	for i, tm := range l.MetricTemplates {
		m, err := tm.decode(fsys, dir)
		field := fmt.Sprintf("metricTemplates[%d]", i)
		if err != nil {
			c.fail(tm.Line, field, err.Error())
			continue
		}
		if len(m.MetricTemplates) == 0 {
			c.fail(tm.Line, field, "no MetricTemplate found")
		}
		l.Templates = append(l.Templates, m.MetricTemplates...)
	}
}
