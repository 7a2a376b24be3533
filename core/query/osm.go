package query

// The OSM observer's query templates, verbatim from Flagger v1.44
// (pkg/metrics/observers/osm.go). Only canary traffic is measured:
// destination_name is the target Deployment, not its -primary.
const (
	osmSuccessRate = `
    sum(
        rate(
            osm_request_total{
				destination_namespace="{{ namespace }}",
				destination_kind="Deployment",
				destination_name="{{ target }}",
				response_code!~"5.*"
            }[{{ interval }}]
        )
    )
    /
    sum(
        rate(
            osm_request_total{
				destination_namespace="{{ namespace }}",
				destination_kind="Deployment",
				destination_name="{{ target }}"
            }[{{ interval }}]
        )
    )
	* 100`

	osmDuration = `
	histogram_quantile(
		0.99,
		sum(
		  rate(
			osm_request_duration_ms_bucket{
				destination_namespace="{{ namespace }}",
				destination_kind="Deployment",
				destination_name="{{ target }}"
			}[{{ interval }}]
		  )
		) by (le)
	)`
)

// SuccessRate renders OSM's request-success-rate query: the percentage of
// the target's requests that did not answer 5xx over the model's interval.
func SuccessRate(m Model) (string, error) {
	return ObserverOSM.SuccessRate(m)
}

// Duration renders OSM's request-duration query: the P99 latency of the
// target's requests, in milliseconds, over the model's interval.
func Duration(m Model) (string, error) {
	return ObserverOSM.Duration(m)
}
