// Package install tests Fledge's install paths as a user switching from
// Flagger meets them: the Helm chart (deploy/chart/fledge) rendered with
// Helm's own Go packages for Flagger's `--set` lines, its values.schema.json
// refusals and `helm lint --strict`, and both `kubectl apply -k
// deploy/kustomize/osm` and `helm template | kubectl apply -f -` run against
// a fresh envtest API server with kubectl's own apply command.
package install
