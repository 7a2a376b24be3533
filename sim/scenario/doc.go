// Package scenario reads Fledge scenario files: a Canary (and its
// MetricTemplates), the cluster it runs in, the traffic it sees, a timeline
// of actions (the tutorial's own commands among them) and the outcome
// expected. The format is specified in scenarios/README.md; every error
// names the file, the line and the field.
package scenario
