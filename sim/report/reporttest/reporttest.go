// Package reporttest reads an HTML report of package report (or of package
// whatifreport, whose charts follow the same conventions) back from its
// DOM, for tests: the page as Go wrote it, or as a browser serialised it
// (chromium --dump-dom). It finds elements by id and class, and turns the
// charts' marks back into values through the data- attributes of each
// chart's <g class="plot">.
package reporttest

import (
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"

	"golang.org/x/net/html"
)

// Doc is a parsed report.
type Doc struct{ Root *html.Node }

// Parse parses a report.
func Parse(r io.Reader) (*Doc, error) {
	n, err := html.Parse(r)
	if err != nil {
		return nil, err
	}
	return &Doc{Root: n}, nil
}

// ByID is the element with that id, or nil.
func (d *Doc) ByID(id string) *html.Node {
	var found *html.Node
	walk(d.Root, func(n *html.Node) bool {
		if n.Type == html.ElementNode && Attr(n, "id") == id {
			found = n
			return false
		}
		return true
	})
	return found
}

// All are the elements under n (n included) with that tag ("" for any)
// and every one of the classes, in document order.
func All(n *html.Node, tag string, classes ...string) []*html.Node {
	var out []*html.Node
	walk(n, func(c *html.Node) bool {
		if c.Type == html.ElementNode && (tag == "" || c.Data == tag) && HasClass(c, classes...) {
			out = append(out, c)
		}
		return true
	})
	return out
}

// HasClass reports whether n carries every one of the classes.
func HasClass(n *html.Node, classes ...string) bool {
	have := strings.Fields(Attr(n, "class"))
	for _, c := range classes {
		if !slices.Contains(have, c) {
			return false
		}
	}
	return true
}

// Attr is the value of n's attribute key, or "".
func Attr(n *html.Node, key string) string {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val
		}
	}
	return ""
}

// Float is n's attribute key as a number.
func Float(n *html.Node, key string) (float64, error) {
	v, err := strconv.ParseFloat(Attr(n, key), 64)
	if err != nil {
		return 0, fmt.Errorf("<%s class=%q> %s: %w", n.Data, Attr(n, "class"), key, err)
	}
	return v, nil
}

// Text is the text content of n.
func Text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(c *html.Node) bool {
		if c.Type == html.TextNode {
			b.WriteString(c.Data)
		}
		return true
	})
	return b.String()
}

// walk visits n and its descendants in document order while visit
// returns true.
func walk(n *html.Node, visit func(*html.Node) bool) bool {
	if !visit(n) {
		return false
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if !walk(c, visit) {
			return false
		}
	}
	return true
}
