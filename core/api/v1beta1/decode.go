package v1beta1

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strconv"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	kjson "sigs.k8s.io/json"
	"sigs.k8s.io/yaml"
)

// Manifests are the Flagger objects of a multi-document YAML file, in the
// order they appear.
// +kubebuilder:object:generate=false
type Manifests struct {
	Canaries        []Canary
	MetricTemplates []MetricTemplate
	AlertProviders  []AlertProvider
}

// document is one non-empty YAML document of an input.
type document struct {
	number int    // 1-based, counting non-empty documents only
	line   int    // the input line the document starts on, 1-based
	text   []byte // the document's YAML
	json   []byte // the document as JSON; nil when err is set
	err    error  // a YAML syntax error, its line numbers made input-wide
	meta   metav1.TypeMeta
}

// Decode reads the Canaries and MetricTemplates of a multi-document YAML
// input. Documents are separated by "---" lines; empty documents (nothing,
// or only comments) are skipped and not counted. Fields are decoded
// leniently, as kubectl does before the API server prunes them; see
// UnknownFields for the strict pass.
//
// Every document that cannot be decoded gives one error naming its number
// (and, for YAML syntax errors, the line within the whole input); they are
// joined into the returned error. The documents that did decode are
// returned even then, so that a validator can report on them too.
func Decode(data []byte) (*Manifests, error) {
	m := &Manifests{}
	var errs []error
	for _, d := range splitDocuments(data) {
		if err := m.add(d); err != nil {
			errs = append(errs, fmt.Errorf("document %d: %w", d.number, err))
		}
	}
	return m, errors.Join(errs...)
}

// add decodes one document into m.
func (m *Manifests) add(d document) error {
	if d.err != nil {
		return d.err
	}
	switch obj := newObject(d.meta).(type) {
	case *Canary:
		if err := yaml.Unmarshal(d.text, obj); err != nil {
			return fmt.Errorf("Canary: %w", err)
		}
		m.Canaries = append(m.Canaries, *obj)
	case *MetricTemplate:
		if err := yaml.Unmarshal(d.text, obj); err != nil {
			return fmt.Errorf("MetricTemplate: %w", err)
		}
		m.MetricTemplates = append(m.MetricTemplates, *obj)
	case *AlertProvider:
		if err := yaml.Unmarshal(d.text, obj); err != nil {
			return fmt.Errorf("AlertProvider: %w", err)
		}
		m.AlertProviders = append(m.AlertProviders, *obj)
	default:
		return kindError(d.meta)
	}
	return nil
}

// newObject is an empty object of the kind tm names, or nil when it is not
// a flagger.app/v1beta1 Canary, MetricTemplate or AlertProvider.
func newObject(tm metav1.TypeMeta) any {
	if tm.APIVersion != SchemeGroupVersion.String() {
		return nil
	}
	switch tm.Kind {
	case "Canary":
		return &Canary{}
	case "MetricTemplate":
		return &MetricTemplate{}
	case "AlertProvider":
		return &AlertProvider{}
	}
	return nil
}

// kindError says why a document of kind tm is not decoded.
func kindError(tm metav1.TypeMeta) error {
	switch {
	case tm.Kind == "":
		return fmt.Errorf("kind is missing: expected a %s Canary, MetricTemplate or AlertProvider", SchemeGroupVersion)
	case (tm.Kind == "Canary" || tm.Kind == "MetricTemplate" || tm.Kind == "AlertProvider") && tm.APIVersion != SchemeGroupVersion.String():
		return fmt.Errorf("apiVersion %q of kind %s is not supported: use %s", tm.APIVersion, tm.Kind, SchemeGroupVersion)
	}
	return fmt.Errorf("kind %s (%s) is not a Canary, MetricTemplate or AlertProvider", tm.Kind, tm.APIVersion)
}

// UnknownFields lists, as warnings, what a lenient Decode accepts but the
// API server would not keep: fields the types do not know (a misspelt
// stepWieght, or StepWeight in the wrong case, which the API server
// prunes), keys given twice, and values of the wrong type that Decode
// converted (interval: 30 for "30"). Each entry names the document, and the
// field's path or the key's line. Documents that Decode rejects are skipped.
// A wrong type hides the unknown fields of its document until it is fixed.
func UnknownFields(data []byte) []string {
	var out []string
	for _, d := range splitDocuments(data) {
		obj := newObject(d.meta)
		if d.err != nil || obj == nil {
			continue
		}
		if _, err := yaml.YAMLToJSONStrict(d.text); err != nil {
			out = append(out, fmt.Sprintf("document %d: %v", d.number, inputLines(err, d.line)))
		}
		strict, err := kjson.UnmarshalStrict(d.json, obj)
		if err != nil {
			out = append(out, fmt.Sprintf("document %d: %v", d.number, err))
		}
		for _, e := range strict {
			out = append(out, fmt.Sprintf("document %d: %v", d.number, e))
		}
	}
	return out
}

// splitDocuments cuts data at "---" lines and parses each non-empty
// document's YAML and type.
func splitDocuments(data []byte) []document {
	var docs []document
	number := 0
	for _, c := range splitLines(data) {
		j, err := yaml.YAMLToJSON(c.text)
		if err == nil && isEmptyJSON(j) {
			continue
		}
		number++
		d := document{number: number, line: c.line, text: c.text}
		switch {
		case err != nil:
			d.err = inputLines(err, c.line)
		case !bytes.HasPrefix(j, []byte("{")):
			d.err = errors.New("not a mapping: a manifest is a YAML mapping with apiVersion, kind, metadata and spec")
		default:
			d.json = j
			if err := json.Unmarshal(j, &d.meta); err != nil {
				d.err = fmt.Errorf("apiVersion and kind must be strings: %w", err)
			}
		}
		docs = append(docs, d)
	}
	return docs
}

func isEmptyJSON(j []byte) bool {
	j = bytes.TrimSpace(j)
	return len(j) == 0 || bytes.Equal(j, []byte("null"))
}

// chunk is the text between two "---" lines and the line it starts on.
type chunk struct {
	line int
	text []byte
}

// splitLines cuts data at document separators: lines that are "---" or
// start with "--- ". Whatever follows the marker on its line (a comment, or
// a value) stays as the first line of the next document. A "---" line can
// never be inside a block scalar, whose lines are indented.
func splitLines(data []byte) []chunk {
	var chunks []chunk
	cur := chunk{line: 1}
	lineNo := 0
	for len(data) > 0 {
		lineNo++
		line := data
		if i := bytes.IndexByte(data, '\n'); i >= 0 {
			line, data = data[:i+1], data[i+1:]
		} else {
			data = nil
		}
		if rest, ok := separatorRest(line); ok {
			chunks = append(chunks, cur)
			cur = chunk{line: lineNo + 1}
			if len(rest) > 0 { // the next document starts on the separator's line
				cur = chunk{line: lineNo, text: append([]byte(nil), rest...)}
			}
			continue
		}
		cur.text = append(cur.text, line...)
	}
	return append(chunks, cur)
}

// separatorRest reports whether line is a document separator and returns
// what follows the marker.
func separatorRest(line []byte) ([]byte, bool) {
	if !bytes.HasPrefix(line, []byte("---")) {
		return nil, false
	}
	rest := line[3:]
	if len(bytes.TrimSpace(rest)) == 0 {
		return nil, true
	}
	if rest[0] != ' ' && rest[0] != '\t' {
		return nil, false
	}
	return bytes.TrimLeft(rest, " \t"), true
}

// yamlLineRE finds the line numbers in go-yaml's messages ("yaml: line 3:").
var yamlLineRE = regexp.MustCompile(`\bline ([0-9]+)\b`)

// inputLines rewrites the document-relative line numbers of a YAML error
// into lines of the whole input, given the line the document starts on.
func inputLines(err error, start int) error {
	msg := yamlLineRE.ReplaceAllStringFunc(err.Error(), func(m string) string {
		n, convErr := strconv.Atoi(m[len("line "):])
		if convErr != nil {
			return m
		}
		return "line " + strconv.Itoa(n+start-1)
	})
	return errors.New(msg)
}
