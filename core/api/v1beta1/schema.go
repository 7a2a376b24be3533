package v1beta1

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
	"k8s.io/apimachinery/pkg/util/intstr"
	sigsyaml "sigs.k8s.io/yaml"
)

// Problem is one finding in a YAML input: the input-wide line (1-based; 0
// when unknown), the field's path such as spec.analysis.threshold (empty
// for the whole document) and what is wrong, in words.
// +kubebuilder:object:generate=false
type Problem struct {
	Line   int    `json:"line,omitempty"`
	Path   string `json:"field,omitempty"`
	Reason string `json:"message"`
}

// Error is "path: reason", or the reason alone for a whole document.
func (p Problem) Error() string {
	if p.Path == "" {
		return p.Reason
	}
	return p.Path + ": " + p.Reason
}

// schemaWalker holds a YAML tree against the Go type it decodes into, the
// way the API server reads it: fields by their exact JSON names, each
// value of its field's type. It finds what a lenient decode would
// convert or drop (soft) and what it cannot decode at all (hard).
type schemaWalker struct {
	offset     int // added to node lines: the document's first line - 1
	hard, soft []Problem
}

var intOrStringType = reflect.TypeFor[intstr.IntOrString]()

// walk checks the node n (the value at path) against type t.
func (w *schemaWalker) walk(n *yaml.Node, t reflect.Type, path string) {
	if n.Kind == yaml.AliasNode && n.Alias != nil {
		n = n.Alias
	}
	if n.Kind == yaml.ScalarNode && n.Tag == "!!null" {
		return // a null is the zero value of any field
	}
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == intOrStringType:
		if n.Kind != yaml.ScalarNode || (n.Tag != "!!int" && n.Tag != "!!str") {
			w.wrongType(&w.hard, n, path, "an integer or a string")
		}
	case isCustomJSON(t):
		w.walkCustom(n, t, path)
	default:
		w.walkKind(n, t, path)
	}
}

// walkKind checks a value by the kind of its Go type.
func (w *schemaWalker) walkKind(n *yaml.Node, t reflect.Type, path string) {
	switch t.Kind() {
	case reflect.Struct:
		if w.want(n, yaml.MappingNode, path, "a mapping") {
			w.walkStruct(n, t, path)
		}
	case reflect.Map:
		if w.want(n, yaml.MappingNode, path, "a mapping") {
			w.walkMap(n, t, path)
		}
	case reflect.Slice, reflect.Array:
		if w.want(n, yaml.SequenceNode, path, "a list") {
			for i, c := range n.Content {
				w.walk(c, t.Elem(), fmt.Sprintf("%s[%d]", path, i))
			}
		}
	default:
		w.walkScalar(n, t.Kind(), path)
	}
}

// scalarRule is what a Go kind of scalar takes: the YAML tags it decodes,
// in words.
type scalarRule struct {
	tags  []string
	words string
}

// scalarRules are the rules of the scalar kinds but strings.
var scalarRules = func() map[reflect.Kind]scalarRule {
	rules := map[reflect.Kind]scalarRule{
		reflect.Bool:    {[]string{"!!bool"}, "true or false"},
		reflect.Float32: {[]string{"!!int", "!!float"}, "a number"},
		reflect.Float64: {[]string{"!!int", "!!float"}, "a number"},
	}
	for _, k := range []reflect.Kind{reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64} {
		rules[k] = scalarRule{[]string{"!!int"}, "an integer"}
	}
	return rules
}()

// walkScalar checks a value of a scalar kind.
func (w *schemaWalker) walkScalar(n *yaml.Node, k reflect.Kind, path string) {
	if k == reflect.String {
		if w.want(n, yaml.ScalarNode, path, "a string") && n.Tag != "!!str" {
			// The lenient decode turns 30 into "30"; the API server refuses it.
			w.wrongType(&w.soft, n, path, "a string (quote it)")
		}
		return
	}
	rule, ok := scalarRules[k]
	if ok && (n.Kind != yaml.ScalarNode || !slices.Contains(rule.tags, n.Tag)) {
		w.wrongType(&w.hard, n, path, rule.words)
	}
}

// want reports whether n is of the node kind k, and a hard problem if not.
func (w *schemaWalker) want(n *yaml.Node, k yaml.Kind, path, words string) bool {
	if n.Kind == k {
		return true
	}
	w.wrongType(&w.hard, n, path, words)
	return false
}

func (w *schemaWalker) wrongType(to *[]Problem, n *yaml.Node, path, want string) {
	*to = append(*to, Problem{Line: n.Line + w.offset, Path: path, Reason: "want " + want + ", got " + describe(n)})
}

// describe says what a YAML value is: string "five", integer 3, a list.
func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.MappingNode:
		return "a mapping"
	case yaml.SequenceNode:
		return "a list"
	}
	switch n.Tag {
	case "!!str":
		return "string " + strconv.Quote(n.Value)
	case "!!int":
		return "integer " + n.Value
	case "!!float":
		return "number " + n.Value
	case "!!bool":
		return "boolean " + n.Value
	}
	return n.Tag + " " + n.Value
}

// walkStruct checks the keys of a mapping against the JSON fields of t.
func (w *schemaWalker) walkStruct(n *yaml.Node, t reflect.Type, path string) {
	fields := jsonFields(t)
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := joinPath(path, k.Value)
		if w.duplicate(seen, k, p) {
			continue
		}
		ft, ok := fields[k.Value]
		if !ok {
			w.soft = append(w.soft, Problem{Line: k.Line + w.offset, Path: p, Reason: unknownFieldReason(k.Value, fields)})
			continue
		}
		w.walk(v, ft, p)
	}
}

// walkMap checks the values of a mapping against t's element type.
func (w *schemaWalker) walkMap(n *yaml.Node, t reflect.Type, path string) {
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		p := joinPath(path, k.Value)
		if !w.duplicate(seen, k, p) {
			w.walk(v, t.Elem(), p)
		}
	}
}

// duplicate reports a key given twice in one mapping.
func (w *schemaWalker) duplicate(seen map[string]int, k *yaml.Node, path string) bool {
	if first, ok := seen[k.Value]; ok {
		w.soft = append(w.soft, Problem{Line: k.Line + w.offset, Path: path,
			Reason: fmt.Sprintf("given twice (first on line %d): delete one", first+w.offset)})
		return true
	}
	seen[k.Value] = k.Line
	return false
}

func joinPath(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// unknownFieldReason says a field is unknown and suggests the known one it
// most likely means.
func unknownFieldReason(key string, fields map[string]reflect.Type) string {
	best, bestDist := "", 3 // suggest names at most 2 edits away
	for name := range fields {
		d := editDistance(strings.ToLower(key), strings.ToLower(name))
		if d < bestDist || (d == bestDist && name < best) {
			best, bestDist = name, d
		}
	}
	if best == "" {
		return "unknown field (the API server drops it)"
	}
	return fmt.Sprintf("unknown field (the API server drops it): did you mean %s?", best)
}

// editDistance is the Levenshtein distance of a and b.
func editDistance(a, b string) int {
	prev := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur := make([]int, len(b)+1)
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev = cur
	}
	return prev[len(b)]
}

// jsonFields are the fields of struct t by JSON name, embedded inline
// structs included.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		name, opts, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" || (!f.IsExported() && !f.Anonymous) {
			continue
		}
		if f.Anonymous && name == "" && (opts == "inline" || f.Type.Kind() == reflect.Struct) {
			for k, v := range jsonFields(f.Type) {
				out[k] = v
			}
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// isCustomJSON reports whether t decodes itself from JSON (metav1.Time,
// resource quantities): walk then asks it.
func isCustomJSON(t reflect.Type) bool {
	return reflect.PointerTo(t).Implements(reflect.TypeFor[json.Unmarshaler]())
}

// walkCustom decodes the node into a type that decodes itself.
func (w *schemaWalker) walkCustom(n *yaml.Node, t reflect.Type, path string) {
	text, err := yaml.Marshal(n)
	if err == nil {
		var j []byte
		if j, err = sigsyaml.YAMLToJSON(text); err == nil {
			err = json.Unmarshal(j, reflect.New(t).Interface())
		}
	}
	if err != nil {
		w.hard = append(w.hard, Problem{Line: n.Line + w.offset, Path: path,
			Reason: fmt.Sprintf("cannot read %s as a %s: %v", describe(n), t.Name(), err)})
	}
}
