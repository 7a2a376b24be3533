// Package traffic generates synthetic mesh traffic and turns it into the
// series Open Service Mesh exports, appended at a scrape interval as a
// Prometheus server would: osm_request_total and the
// osm_request_duration_ms histogram (_bucket, _sum, _count).
//
// A [Model] holds [Source]s of traffic. Each sends requests at a rate, with a
// mix of status codes and a latency [Distribution], to the apex service
// (split between the primary and the canary by the TrafficSplit's weights),
// or straight to the canary or the primary. [Model.Advance] moves the
// model's clock: for each slice of virtual time it draws the number of
// requests (Poisson), the split (binomial), the status codes and the latency
// buckets (multinomial), and at each scrape time appends the cumulative
// counters to the store.
//
// # Determinism
//
// All randomness comes from PCG generators seeded by the model's seed and
// each source's name, so the same seed and the same calls give the same
// series, and adding a source does not change the draws of the others.
// Counts are drawn in aggregate, never a request at a time, so the cost of a
// step does not depend on the request rate.
//
// # Series
//
// Labels are those OSM's Prometheus scrape configuration produces:
//
//	osm_request_total{destination_namespace, destination_kind="Deployment",
//	    destination_name, response_code, source_namespace,
//	    source_kind="Deployment", source_name}
//	osm_request_duration_ms_bucket{<the same without response_code>, le}
//	osm_request_duration_ms_sum{...}, osm_request_duration_ms_count{...}
//
// destination_name is the target Deployment for canary traffic and
// "<target>-primary" for primary traffic; source_name is the source's Name.
// Bucket bounds are Envoy's (0.5 ms to 3,600,000 ms and +Inf), and le is
// written as Prometheus 3 stores it ("1.0", "1000.0", "1.8e+06"). A series
// appears at the first scrape after its first request, starting from the
// requests counted so far, and is then appended at every scrape, constant
// once its traffic stops, as Envoy's counters are.
//
// Config.Mesh exports the same requests as another mesh's proxies name
// them, for the builtin queries of that mesh's observer:
//
//	MeshLinkerd: response_total{namespace, deployment, direction="inbound",
//	    tls="true", client_id, status_code, classification="success"|"failure"}
//	    and response_latency_ms_bucket{namespace, deployment, direction, tls,
//	    client_id, le} (a 5xx is a failure, as Linkerd classifies it)
//	MeshIstio: istio_requests_total{reporter="destination",
//	    destination_workload_namespace, destination_workload,
//	    source_workload_namespace, source_workload, response_code} and
//	    istio_request_duration_milliseconds_bucket{<the same without
//	    response_code>, le}
//
// Every mesh uses Envoy's bucket bounds above; Linkerd's own bounds (1, 2,
// 3, 4, 5, 10, 20 … 50000 ms) differ, so a P99 interpolated from Linkerd
// series here is not exactly what Linkerd's Prometheus would answer.
//
// # Limits
//
// There are no destination_pod or source_pod labels, and counters never
// reset (no pod restarts). The duration histogram's _sum adds each bucket's
// count times the distribution's mean within the bucket, so it carries no
// noise of its own.
package traffic
