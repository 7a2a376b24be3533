package report

import (
	_ "embed"
	"html/template"

	"github.com/fledge-canary/fledge/sim/internal/svgfmt"
)

//go:embed report.html.tmpl
var pageSource string

// pageTemplate renders a page; html/template escapes every value, in text
// and in attributes alike.
var pageTemplate = template.Must(template.New("report").Funcs(template.FuncMap{
	"px":  svgfmt.Px,
	"add": func(a, b float64) float64 { return a + b },
}).Parse(pageSource))
