package v1beta1

import (
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	sigsyaml "sigs.k8s.io/yaml"
)

// Document is one non-empty document of a multi-document YAML input, read
// as a validator reports on it: with the line of every field.
// +kubebuilder:object:generate=false
type Document struct {
	// Number counts the non-empty documents from 1; Line is the input line
	// the document starts on.
	Number, Line int
	TypeMeta     metav1.TypeMeta
	// Canary, MetricTemplate or AlertProvider is the decoded object; all are nil when
	// the document is skipped or cannot be decoded.
	Canary         *Canary
	MetricTemplate *MetricTemplate
	AlertProvider  *AlertProvider
	// Errors make the document unreadable: YAML syntax, no kind, a
	// Flagger kind of another apiVersion, values the decoder cannot take.
	Errors []Problem
	// Strict are what a lenient decode accepts but the API server does
	// not keep: unknown fields, keys given twice, values of the wrong type
	// the decoder converted.
	Strict []Problem
	// Warnings are values that are valid but do not do what they say.
	Warnings []Problem

	root *yaml.Node // the document's mapping; nil when it did not parse
}

// Skipped reports whether the document is of a kind Fledge does not
// check (a Service, a ConfigMap, a Secret): it is neither decoded nor an
// error.
func (d *Document) Skipped() bool {
	if len(d.Errors) > 0 || d.TypeMeta.Kind == "" {
		return false
	}
	switch d.TypeMeta.Kind {
	case "Canary", "MetricTemplate", "AlertProvider":
		return false
	}
	return newObject(d.TypeMeta) == nil
}

// Documents reads every non-empty document of a YAML input, decoding its
// Canaries and MetricTemplates and checking them strictly, field by field,
// as the API server would. Line numbers are input-wide.
func Documents(data []byte) []Document {
	chunks := splitDocuments(data)
	out := make([]Document, 0, len(chunks))
	for _, c := range chunks {
		out = append(out, readDocument(c))
	}
	return out
}

func readDocument(c document) Document {
	d := Document{Number: c.number, Line: c.line, TypeMeta: c.meta}
	if c.err != nil {
		d.Errors = []Problem{{Line: errorLine(c.err, c.line), Reason: c.err.Error()}}
		return d
	}
	var root yaml.Node
	if err := yaml.Unmarshal(c.text, &root); err == nil && len(root.Content) == 1 {
		d.root = root.Content[0]
	}
	obj := newObject(c.meta)
	if obj == nil {
		if !d.Skipped() {
			field := "kind" // missing; or a Flagger kind of another apiVersion
			if c.meta.Kind != "" {
				field = "apiVersion"
			}
			d.Errors = []Problem{{Line: d.LineOf(field), Path: field, Reason: kindError(c.meta).Error()}}
		}
		return d
	}
	w := &schemaWalker{offset: c.line - 1}
	if d.root != nil {
		w.walk(d.root, reflect.TypeOf(obj).Elem(), "")
	}
	if err := sigsyaml.Unmarshal(c.text, obj); err != nil {
		d.Errors = w.hard
		if len(d.Errors) == 0 { // the walker missed it: the decoder's words
			d.Errors = []Problem{{Line: c.line, Reason: inputLines(err, c.line).Error()}}
		}
		d.Strict = w.soft
		return d
	}
	w.soft = append(w.soft, w.hard...) // the decoder converted them
	d.Strict = w.soft
	switch o := obj.(type) {
	case *Canary:
		d.Canary = o
		d.Warnings = d.canaryWarnings()
	case *MetricTemplate:
		d.MetricTemplate = o
	case *AlertProvider:
		d.AlertProvider = o
	}
	return d
}

// canaryWarnings are the Canary's values that Validate cannot see as
// written: a threshold of 0 is the same as none.
func (d *Document) canaryWarnings() []Problem {
	var out []Problem
	for _, a := range []string{"spec.analysis", "spec.canaryAnalysis"} {
		p := a + ".threshold"
		if n := d.node(p); n != nil && n.Kind == yaml.ScalarNode && n.Tag == "!!int" && n.Value == "0" {
			out = append(out, Problem{Line: d.LineOf(p), Path: p,
				Reason: fmt.Sprintf("0 behaves as %d, as in Flagger: the canary is rolled back at the first failed check; write %d to say so",
					DefaultThreshold, DefaultThreshold)})
		}
	}
	return out
}

// LineOf is the input line of the field at path (such as
// spec.analysis.metrics[1].thresholdRange): the line of its key, or of its
// nearest parent that is written, or else the document's first line.
func (d *Document) LineOf(path string) int {
	line := d.Line
	if d.root == nil {
		return line
	}
	n := d.root
	if n.Line > 0 {
		line = n.Line + d.Line - 1
	}
	for _, step := range pathSteps(path) {
		next, keyLine := childNode(n, step)
		if next == nil {
			break
		}
		line = keyLine + d.Line - 1
		n = next
	}
	return line
}

// Object is the document's metadata.namespace and metadata.name as
// written, even when the document could not be decoded.
func (d *Document) Object() (namespace, name string) {
	for _, f := range []struct {
		path string
		to   *string
	}{{"metadata.namespace", &namespace}, {"metadata.name", &name}} {
		if n := d.node(f.path); n != nil && n.Kind == yaml.ScalarNode {
			*f.to = n.Value
		}
	}
	return namespace, name
}

// node is the value at path, or nil when it is not written.
func (d *Document) node(path string) *yaml.Node {
	n := d.root
	for _, step := range pathSteps(path) {
		if n == nil {
			return nil
		}
		n, _ = childNode(n, step)
	}
	return n
}

// pathSteps splits "spec.metrics[0].name" into "spec", "metrics", "[0]", "name".
func pathSteps(path string) []string {
	var steps []string
	for _, part := range strings.Split(path, ".") {
		name, idx, hasIdx := strings.Cut(part, "[")
		if name != "" {
			steps = append(steps, name)
		}
		for hasIdx {
			var n string
			n, idx, _ = strings.Cut(idx, "]")
			steps = append(steps, "["+n+"]")
			idx, hasIdx = strings.CutPrefix(idx, "[")
		}
	}
	return steps
}

// childNode is the value a step leads to from n and the line of its key
// (of the item itself in a list).
func childNode(n *yaml.Node, step string) (*yaml.Node, int) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if idx, ok := strings.CutPrefix(step, "["); ok {
		i, err := strconv.Atoi(strings.TrimSuffix(idx, "]"))
		if err != nil || n.Kind != yaml.SequenceNode || i < 0 || i >= len(n.Content) {
			return nil, 0
		}
		return n.Content[i], n.Content[i].Line
	}
	if n.Kind != yaml.MappingNode {
		return nil, 0
	}
	for i := len(n.Content) - 2; i >= 0; i -= 2 { // the last of a key given twice wins
		if n.Content[i].Value == step {
			return n.Content[i+1], n.Content[i].Line
		}
	}
	return nil, 0
}

// errorLine is the input line a YAML error names ("line 7: …"), or start.
func errorLine(err error, start int) int {
	if m := yamlLineRE.FindStringSubmatch(err.Error()); m != nil {
		if n, convErr := strconv.Atoi(m[1]); convErr == nil {
			return n
		}
	}
	return start
}
