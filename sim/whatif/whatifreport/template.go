package whatifreport

import (
	_ "embed"
	"html/template"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"
)

//go:embed report.html.tmpl
var pageSource string

// pageTemplate holds the "study" and "sweep" pages; html/template escapes
// every value, in text and in attributes alike.
var pageTemplate = template.Must(template.New("whatif").Funcs(template.FuncMap{
	"px":  svgfmt.Px,
	"add": func(a, b float64) float64 { return a + b },
}).Parse(pageSource))
