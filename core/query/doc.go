// Package query renders the PromQL that judges a canary: the two builtin
// queries (request-success-rate and request-duration) of each observer
// (OSM, Linkerd, Istio, which Flagger also uses for Gateway API), and the Go
// templates of MetricTemplates and inline queries.
//
// Rendering is pure. A template sees niladic functions rather than data, as
// in Flagger: {{ name }}, {{ namespace }}, {{ target }}, {{ service }},
// {{ ingress }}, {{ route }}, {{ interval }} and {{ variables.KEY }}; a
// missing variable is an error. Rendered queries are collapsed to one line,
// runs of white space becoming one space, which is what goes on the wire.
// Render remembers its results for models without variables (a bounded
// memo): the same text and model render the same query, so a canary's
// check template is parsed and executed once, not at every tick.
package query
