package query

import (
	"errors"
	"fmt"
	"strings"
	"text/template/parse"
)

// A query template is parsed with Go's text/template parser and executed
// here, over the parse tree, instead of by text/template. Its executor
// finds methods by name at run time, which makes the Go linker keep every
// exported method of every type in a binary that links it: 19 MB more
// code in fledge-controller, mapped into its memory. The part of the
// template language metric queries use is executed the same way:
// actions, pipelines, parenthesized pipelines, if/else, with, comments and
// white-space trimming, string, number and boolean constants, the model's
// functions and the builtins below. Variables ($x), range, define,
// template and block are refused when the template is parsed (Check), so
// a MetricTemplate that uses them is rejected before it runs.

// errUnsupported marks template actions queries cannot use.
var errUnsupported = errors.New("is not supported in metric query templates")

// builtins are the functions of text/template that queries may call.
var builtins = map[string]func(args []any) (any, error){
	"print":   func(args []any) (any, error) { return fmt.Sprint(args...), nil },
	"println": func(args []any) (any, error) { return fmt.Sprintln(args...), nil },
	"printf":  printf,
	"len":     length,
	"index":   index,
	"not":     func(args []any) (any, error) { return oneArg("not", args, func(a any) any { return !truth(a) }) },
	"and":     func(args []any) (any, error) { return pick(args, func(a any) bool { return !truth(a) }) },
	"or":      func(args []any) (any, error) { return pick(args, truth) },
	"eq":      eq,
	"ne":      func(args []any) (any, error) { return compare("ne", args, func(c int) bool { return c != 0 }) },
	"lt":      func(args []any) (any, error) { return compare("lt", args, func(c int) bool { return c < 0 }) },
	"le":      func(args []any) (any, error) { return compare("le", args, func(c int) bool { return c <= 0 }) },
	"gt":      func(args []any) (any, error) { return compare("gt", args, func(c int) bool { return c > 0 }) },
	"ge":      func(args []any) (any, error) { return compare("ge", args, func(c int) bool { return c >= 0 }) },
}

// parseNames are the functions the parser accepts: the model's and the
// builtins (only their names matter to it).
func parseNames() map[string]any {
	names := map[string]any{}
	for name := range (Model{}).values() {
		names[name] = true
	}
	for name := range builtins {
		names[name] = true
	}
	return names
}

var knownNames = parseNames()

// parseQuery parses a query template and refuses the actions it cannot
// execute.
func parseQuery(text string) (*parse.Tree, error) {
	trees, err := parse.Parse("query", text, "", "", knownNames)
	if err != nil {
		return nil, err
	}
	if len(trees) > 1 {
		return nil, fmt.Errorf("template: query: define %w", errUnsupported)
	}
	tree := trees["query"]
	if tree == nil || tree.Root == nil {
		return &parse.Tree{Name: "query", Root: &parse.ListNode{}}, nil
	}
	if err := refuseUnsupported(tree, tree.Root); err != nil {
		return nil, err
	}
	return tree, nil
}

// refuseUnsupported walks the tree for the nodes exec does not execute.
func refuseUnsupported(tree *parse.Tree, node parse.Node) error {
	if what := unsupportedNode(node); what != "" {
		location, _ := tree.ErrorContext(node)
		return fmt.Errorf("template: %s: %s %w", location, what, errUnsupported)
	}
	for _, child := range children(node) {
		if err := refuseUnsupported(tree, child); err != nil {
			return err
		}
	}
	return nil
}

// unsupportedNode names what node is when exec cannot execute it.
func unsupportedNode(node parse.Node) string {
	switch n := node.(type) {
	case *parse.PipeNode:
		if len(n.Decl) > 0 || n.IsAssign {
			return "a variable"
		}
	case *parse.VariableNode:
		return "a variable (" + n.String() + ")"
	case *parse.RangeNode:
		return "range"
	case *parse.TemplateNode:
		return "template"
	case *parse.BreakNode, *parse.ContinueNode:
		return n.String()
	}
	return ""
}

// children are the nodes under node that refuseUnsupported looks at.
func children(node parse.Node) []parse.Node {
	switch n := node.(type) {
	case *parse.ListNode:
		return n.Nodes
	case *parse.ActionNode:
		return []parse.Node{n.Pipe}
	case *parse.IfNode:
		return branchChildren(&n.BranchNode)
	case *parse.WithNode:
		return branchChildren(&n.BranchNode)
	case *parse.PipeNode:
		var args []parse.Node
		for _, cmd := range n.Cmds {
			args = append(args, cmd.Args...)
		}
		return args
	case *parse.ChainNode:
		return []parse.Node{n.Node}
	}
	return nil
}

func branchChildren(b *parse.BranchNode) []parse.Node {
	nodes := []parse.Node{b.Pipe, b.List}
	if b.ElseList != nil {
		nodes = append(nodes, b.ElseList)
	}
	return nodes
}

// state executes one tree against a model's values.
type state struct {
	tree   *parse.Tree
	values map[string]any
	out    *strings.Builder
}

// errorf is an execution error at node, worded as text/template's.
func (s *state) errorf(node parse.Node, format string, args ...any) error {
	location, context := s.tree.ErrorContext(node)
	return fmt.Errorf("template: %s: executing %q at <%s>: %s", location, s.tree.Name, context, fmt.Sprintf(format, args...))
}

func (s *state) walk(dot any, node parse.Node) error {
	switch n := node.(type) {
	case *parse.ListNode:
		if n == nil {
			return nil
		}
		for _, c := range n.Nodes {
			if err := s.walk(dot, c); err != nil {
				return err
			}
		}
	case *parse.TextNode:
		s.out.Write(n.Text)
	case *parse.CommentNode:
	case *parse.ActionNode:
		v, err := s.pipe(dot, n.Pipe)
		if err != nil {
			return err
		}
		s.print(v)
	case *parse.IfNode:
		return s.branch(dot, &n.BranchNode, false)
	case *parse.WithNode:
		return s.branch(dot, &n.BranchNode, true)
	default:
		return s.errorf(node, "%s %s", node, errUnsupported)
	}
	return nil
}

// branch runs the list of an if or with whose pipeline is true, or its
// else list; with sets dot to the pipeline's value.
func (s *state) branch(dot any, b *parse.BranchNode, with bool) error {
	v, err := s.pipe(dot, b.Pipe)
	if err != nil {
		return err
	}
	if truth(v) {
		if with {
			dot = v
		}
		return s.walk(dot, b.List)
	}
	if b.ElseList != nil {
		return s.walk(dot, b.ElseList)
	}
	return nil
}

// print writes a value as text/template does: nil is "<no value>".
func (s *state) print(v any) {
	if v == nil {
		s.out.WriteString("<no value>")
		return
	}
	fmt.Fprint(s.out, v)
}

// pipe evaluates a pipeline: each command gets the previous one's value as
// its last argument.
func (s *state) pipe(dot any, p *parse.PipeNode) (any, error) {
	var v any
	for i, cmd := range p.Cmds {
		var err error
		v, err = s.command(dot, cmd, v, i > 0)
		if err != nil {
			return nil, err
		}
	}
	return v, nil
}

func (s *state) command(dot any, cmd *parse.CommandNode, prev any, piped bool) (any, error) {
	first := cmd.Args[0]
	if id, ok := first.(*parse.IdentifierNode); ok {
		return s.call(dot, id, cmd.Args[1:], prev, piped)
	}
	if len(cmd.Args) > 1 || piped {
		return nil, s.errorf(first, "can't give argument to non-function %s", first)
	}
	if _, ok := first.(*parse.NilNode); ok {
		return nil, s.errorf(first, "nil is not a command")
	}
	return s.arg(dot, first)
}

// call calls a model function (no arguments) or a builtin.
func (s *state) call(dot any, id *parse.IdentifierNode, argNodes []parse.Node, prev any, piped bool) (any, error) {
	if v, ok := s.values[id.Ident]; ok {
		if len(argNodes) > 0 || piped {
			return nil, s.errorf(id, "wrong number of args for %s: want 0 got %d", id.Ident, len(argNodes)+btoi(piped))
		}
		return v, nil
	}
	fn := builtins[id.Ident]
	args := make([]any, 0, len(argNodes)+1)
	for _, n := range argNodes {
		v, err := s.arg(dot, n)
		if err != nil {
			return nil, err
		}
		args = append(args, v)
	}
	if piped {
		args = append(args, prev)
	}
	v, err := fn(args)
	if err != nil {
		return nil, s.errorf(id, "error calling %s: %v", id.Ident, err)
	}
	return v, nil
}

// arg evaluates an argument or a lone operand.
func (s *state) arg(dot any, n parse.Node) (any, error) {
	switch n := n.(type) {
	case *parse.StringNode:
		return n.Text, nil
	case *parse.NumberNode:
		switch {
		case n.IsInt:
			return int(n.Int64), nil
		case n.IsFloat:
			return n.Float64, nil
		}
		return nil, s.errorf(n, "number %s %v", n.Text, errUnsupported)
	case *parse.BoolNode:
		return n.True, nil
	case *parse.NilNode:
		return nil, nil
	case *parse.DotNode:
		return dot, nil
	case *parse.PipeNode:
		return s.pipe(dot, n)
	case *parse.IdentifierNode:
		return s.call(dot, n, nil, nil, false)
	case *parse.ChainNode:
		base, err := s.arg(dot, n.Node)
		if err != nil {
			return nil, err
		}
		return s.fields(n, base, n.Field)
	case *parse.FieldNode:
		return s.fields(n, dot, n.Ident)
	}
	return nil, s.errorf(n, "%s %s", n, errUnsupported)
}

// fields looks up .a.b in maps: a missing key is an error (missingkey=error).
func (s *state) fields(n parse.Node, v any, names []string) (any, error) {
	for _, name := range names {
		m, ok := v.(map[string]string)
		if !ok {
			if v == nil {
				return nil, s.errorf(n, "nil data; no entry for key %q", name)
			}
			return nil, s.errorf(n, "can't evaluate field %s in type %T", name, v)
		}
		value, ok := m[name]
		if !ok {
			return nil, s.errorf(n, "map has no entry for key %q", name)
		}
		v = value
	}
	return v, nil
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// truth is text/template's truth: false, 0, "", nil and empty maps are false.
func truth(v any) bool {
	switch v := v.(type) {
	case nil:
		return false
	case bool:
		return v
	case int:
		return v != 0
	case float64:
		return v != 0
	case string:
		return v != ""
	case map[string]string:
		return len(v) > 0
	}
	return true
}

func oneArg(name string, args []any, f func(any) any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("wrong number of args for %s: want 1 got %d", name, len(args))
	}
	return f(args[0]), nil
}

// pick returns the first argument for which stop is true, else the last
// (and and or).
func pick(args []any, stop func(any) bool) (any, error) {
	if len(args) == 0 {
		return nil, errors.New("wrong number of args: want at least 1 got 0")
	}
	for _, a := range args[:len(args)-1] {
		if stop(a) {
			return a, nil
		}
	}
	return args[len(args)-1], nil
}

func printf(args []any) (any, error) {
	if len(args) == 0 {
		return nil, errors.New("wrong number of args for printf: want at least 1 got 0")
	}
	format, ok := args[0].(string)
	if !ok {
		return nil, fmt.Errorf("printf: format is %T, not a string", args[0])
	}
	return fmt.Sprintf(format, args[1:]...), nil
}

func length(args []any) (any, error) {
	if len(args) != 1 {
		return nil, fmt.Errorf("wrong number of args for len: want 1 got %d", len(args))
	}
	switch v := args[0].(type) {
	case string:
		return len(v), nil
	case map[string]string:
		return len(v), nil
	}
	return nil, fmt.Errorf("len of type %T", args[0])
}

// index is text/template's index over the values queries have: a map
// indexed by string keys (a missing key is ""); no index is the item.
func index(args []any) (any, error) {
	if len(args) == 0 {
		return nil, errors.New("wrong number of args for index: want at least 1 got 0")
	}
	item := args[0]
	for _, key := range args[1:] {
		m, ok := item.(map[string]string)
		if !ok {
			return nil, fmt.Errorf("index of %T %w", item, errUnsupported)
		}
		k, ok := key.(string)
		if !ok {
			return nil, fmt.Errorf("value has type %T; should be string", key)
		}
		item = m[k]
	}
	return item, nil
}

// eq reports whether the first argument equals any of the others.
func eq(args []any) (any, error) {
	if len(args) < 2 {
		return nil, fmt.Errorf("wrong number of args for eq: want at least 2 got %d", len(args))
	}
	for _, b := range args[1:] {
		c, err := cmp(args[0], b)
		if err != nil {
			return nil, err
		}
		if c == 0 {
			return true, nil
		}
	}
	return false, nil
}

func compare(name string, args []any, ok func(int) bool) (any, error) {
	if len(args) != 2 {
		return nil, fmt.Errorf("wrong number of args for %s: want 2 got %d", name, len(args))
	}
	if _, isBool := args[0].(bool); isBool && name != "ne" {
		return nil, fmt.Errorf("invalid type for comparison")
	}
	c, err := cmp(args[0], args[1])
	if err != nil {
		return nil, err
	}
	return ok(c), nil
}

// cmp orders two basic values of the same kind (as text/template, an int
// and a float are not compared); booleans only for equality.
func cmp(a, b any) (int, error) {
	switch a := a.(type) {
	case string:
		if b, ok := b.(string); ok {
			return strings.Compare(a, b), nil
		}
	case int:
		if b, ok := b.(int); ok {
			return numCmp(float64(a), float64(b)), nil
		}
	case float64:
		if b, ok := b.(float64); ok {
			return numCmp(a, b), nil
		}
	case bool:
		if b, ok := b.(bool); ok {
			if a == b {
				return 0, nil
			}
			return 1, nil
		}
	}
	return 0, fmt.Errorf("incompatible types for comparison: %T and %T", a, b)
}

func numCmp(a, b float64) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}
