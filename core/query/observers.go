package query

import "strings"

// The Linkerd observer's query templates, as Flagger v1.44 writes them
// (pkg/metrics/observers/linkerd.go): inbound traffic of the target's
// Deployment as the Linkerd proxy reports it. A failure is a response the
// proxy classified as failure (a 5xx or a gRPC error), not a status code.
const (
	linkerdSuccessRate = `
	sum(
		rate(
			response_total{
				namespace="{{ namespace }}",
				deployment=~"{{ target }}",
				classification!="failure",
				direction="inbound"
			}[{{ interval }}]
		)
	) 
	/ 
	sum(
		rate(
			response_total{
				namespace="{{ namespace }}",
				deployment=~"{{ target }}",
				direction="inbound"
			}[{{ interval }}]
		)
	) 
	* 100`

	linkerdDuration = `
	histogram_quantile(
		0.99,
		sum(
			rate(
				response_latency_ms_bucket{
					namespace="{{ namespace }}",
					deployment=~"{{ target }}",
					direction="inbound"
				}[{{ interval }}]
			)
		) by (le)
	)`
)

// The Istio observer's query templates, as Flagger v1.44 writes them
// (pkg/metrics/observers/istio.go). Flagger's observer factory has no case
// for gatewayapi providers, so a gatewayapi:v1 canary's builtin metrics are
// these: the destination workload's requests as Istio's sidecars (or
// ambient waypoints) report them.
const (
	istioSuccessRate = `
	sum(
		rate(
			istio_requests_total{
				reporter="destination",
				destination_workload_namespace="{{ namespace }}",
				destination_workload=~"{{ target }}",
				response_code!~"5.*"
			}[{{ interval }}]
		)
	) 
	/ 
	sum(
		rate(
			istio_requests_total{
				reporter="destination",
				destination_workload_namespace="{{ namespace }}",
				destination_workload=~"{{ target }}"
			}[{{ interval }}]
		)
	) 
	* 100`

	istioDuration = `
	histogram_quantile(
		0.99,
		sum(
			rate(
				istio_request_duration_milliseconds_bucket{
					reporter="destination",
					destination_workload_namespace="{{ namespace }}",
					destination_workload=~"{{ target }}"
				}[{{ interval }}]
			)
		) by (le)
	)`
)

// Observer names a set of builtin queries.
type Observer string

// The observers Fledge renders builtin metrics with.
const (
	ObserverOSM     Observer = "osm"
	ObserverLinkerd Observer = "linkerd"
	ObserverIstio   Observer = "istio"
)

// MetricsProvider is the provider whose observer judges a canary, as
// Flagger picks it: the Canary's spec.provider, else the controller's
// -mesh-provider; but a Canary naming a provider under a controller whose
// mesh provider contains "linkerd" is judged by Linkerd's queries (so a
// gatewayapi:v1 canary on Linkerd's GAMMA is measured by its proxies).
func MetricsProvider(specProvider, meshProvider string) string {
	switch {
	case specProvider == "":
		return meshProvider
	case strings.Contains(meshProvider, string(ObserverLinkerd)):
		return string(ObserverLinkerd)
	default:
		return specProvider
	}
}

// ObserverFor is the observer of a metrics provider (see MetricsProvider),
// chosen as Flagger chooses it: OSM for exactly "osm", Linkerd for exactly
// "linkerd", and Istio for everything else, gatewayapi:v1 included.
func ObserverFor(metricsProvider string) Observer {
	switch Observer(metricsProvider) {
	case ObserverOSM, ObserverLinkerd:
		return Observer(metricsProvider)
	default:
		return ObserverIstio
	}
}

// SuccessRate renders the observer's request-success-rate query: the
// percentage of the target's requests that did not fail.
func (o Observer) SuccessRate(m Model) (string, error) {
	return Render(o.templates()[0], m)
}

// Duration renders the observer's request-duration query: the P99 latency
// of the target's requests in milliseconds.
func (o Observer) Duration(m Model) (string, error) {
	return Render(o.templates()[1], m)
}

// templates is the observer's success-rate and duration templates.
func (o Observer) templates() [2]string {
	switch o {
	case ObserverLinkerd:
		return [2]string{linkerdSuccessRate, linkerdDuration}
	case ObserverIstio:
		return [2]string{istioSuccessRate, istioDuration}
	default:
		return [2]string{osmSuccessRate, osmDuration}
	}
}
