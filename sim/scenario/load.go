package scenario

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"strconv"
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
	// AlertProviders are the AlertProviders of the canary's file: what
	// the canary's analysis.alerts name, for the output.
	AlertProviders []v1.AlertProvider
	// QueriesChecked is set once the Canary's queries were parsed (see
	// sim.CheckQueries), so that many runs of one study parse them once.
	QueriesChecked bool
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
	var pathErr *fs.PathError
	if errors.As(err, &pathErr) {
		return nil, &fs.PathError{Op: pathErr.Op, Path: display, Err: pathErr.Err}
	}
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

// LoadBytesFS reads a scenario held in memory whose manifest paths are
// relative to dir in fsys (such as the embedded corpus).
func LoadBytesFS(fsys fs.FS, dir, display string, data []byte) (*Loaded, error) {
	return parse(fsys, dir, display, data)
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
		return nil, Errors{located(file, nil, err.Error())}
	}
	dec := yaml.NewDecoder(bytes.NewReader(data))
	dec.KnownFields(true)
	// An empty file decodes to io.EOF: the checks then say what it lacks.
	if err := dec.Decode(s); err != nil && !errors.Is(err, io.EOF) {
		var te *yaml.TypeError
		if errors.As(err, &te) {
			errs := make(Errors, len(te.Errors))
			for i, msg := range te.Errors {
				errs[i] = located(file, &root, msg)
			}
			return nil, errs
		}
		return nil, Errors{located(file, &root, err.Error())}
	}
	s.root = &root
	return s, nil
}

// located turns a message of the YAML decoder, "line N: MSG", into an
// Error at that line naming the field it is about.
func located(file string, root *yaml.Node, msg string) Error {
	msg = strings.TrimPrefix(msg, "yaml: ")
	e := Error{File: file, Msg: msg}
	rest, ok := strings.CutPrefix(msg, "line ")
	num, text, ok2 := strings.Cut(rest, ": ")
	line, err := strconv.Atoi(num)
	if !ok || !ok2 || err != nil {
		return e
	}
	e.Line, e.Msg = line, text
	key := ""
	if name, _, ok := strings.Cut(text, " not found in type "); ok && strings.HasPrefix(name, "field ") {
		key, e.Msg = strings.TrimPrefix(name, "field "), "unknown field"
	}
	if root != nil {
		e.Field = fieldAt(root, line, key, text)
	}
	return e
}

// fieldAt names the field at a line: the key given, or else the value
// starting there of the kind msg names (!!map, !!seq, else a scalar),
// preferring the one whose value msg quotes.
func fieldAt(root *yaml.Node, line int, key, msg string) string {
	f := &fieldFinder{line: line, key: key, msg: msg, kind: kindNamed(msg)}
	if !f.walk(root, nil) {
		f.found = f.first
	}
	return fieldName(f.found)
}

// kindNamed is the node kind a decoder message speaks of.
func kindNamed(msg string) yaml.Kind {
	switch {
	case strings.Contains(msg, "!!map"):
		return yaml.MappingNode
	case strings.Contains(msg, "!!seq"):
		return yaml.SequenceNode
	}
	return yaml.ScalarNode
}

// fieldFinder walks a YAML tree for the field fieldAt looks for.
type fieldFinder struct {
	line         int
	key, msg     string
	kind         yaml.Kind
	found, first []any
}

func (f *fieldFinder) walk(n *yaml.Node, path []any) bool {
	switch n.Kind {
	case yaml.DocumentNode:
		for _, c := range n.Content {
			if f.walk(c, path) {
				return true
			}
		}
	case yaml.MappingNode:
		for i := 0; i+1 < len(n.Content); i += 2 {
			if f.visit(n.Content[i], n.Content[i+1], append(path[:len(path):len(path)], n.Content[i].Value)) {
				return true
			}
		}
	case yaml.SequenceNode:
		for i, c := range n.Content {
			if f.visit(nil, c, append(path[:len(path):len(path)], i)) {
				return true
			}
		}
	}
	return false
}

func (f *fieldFinder) visit(k, v *yaml.Node, path []any) bool {
	if f.matches(k, v, path) {
		f.found = path
		return true
	}
	return f.walk(v, path)
}

// matches reports whether the key k (or, without a key to look for, the
// value v) is the field; it remembers the first candidate value.
func (f *fieldFinder) matches(k, v *yaml.Node, path []any) bool {
	if f.key != "" {
		return k != nil && k.Line == f.line && k.Value == f.key
	}
	if v.Line != f.line || v.Kind != f.kind {
		return false
	}
	if f.first == nil {
		f.first = path
	}
	return f.kind == yaml.ScalarNode && quotes(f.msg, v.Value)
}

// quotes reports whether msg quotes v, as %q or as the YAML decoder does
// (in backquotes, cut after 7 bytes when longer than 10).
func quotes(msg, v string) bool {
	if len(v) > 10 && strings.Contains(msg, "`"+v[:7]+"...`") {
		return true
	}
	return strings.Contains(msg, "`"+v+"`") || strings.Contains(msg, strconv.Quote(v))
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
		l.addAlertProviders(c, m.AlertProviders)
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
	l.resolveApplies(c, fsys, dir)
}

// addAlertProviders takes the AlertProviders of the canary's file, each
// checked as fledge validate checks it.
func (l *Loaded) addAlertProviders(c *checker, ps []v1.AlertProvider) {
	for _, p := range ps {
		for _, e := range p.Validate() {
			c.fail(l.Scenario.Canary.Line, "canary", fmt.Sprintf("AlertProvider %s: %s", p.Name, e))
		}
	}
	l.AlertProviders = append(l.AlertProviders, ps...)
}
