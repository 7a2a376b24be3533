package traffic

import (
	"strconv"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/labels"
)

// Mesh says whose series a model exports: the proxies of each mesh name
// the same requests differently.
type Mesh int

const (
	// MeshOSM exports Open Service Mesh's osm_request_total and
	// osm_request_duration_ms (the zero value).
	MeshOSM Mesh = iota
	// MeshLinkerd exports the Linkerd proxy's inbound response_total and
	// response_latency_ms, as Linkerd's Prometheus scrapes them.
	MeshLinkerd
	// MeshIstio exports Istio's istio_requests_total and
	// istio_request_duration_milliseconds as the destination reports them,
	// which Flagger's builtin queries read for Gateway API canaries.
	MeshIstio
)

func (m Mesh) String() string {
	switch m {
	case MeshLinkerd:
		return "linkerd"
	case MeshIstio:
		return "istio"
	default:
		return "osm"
	}
}

// seriesNames are a mesh's metric names: the request counter, and the
// latency histogram's name without its _bucket, _sum and _count.
func (m Mesh) seriesNames() (counter, histogram string) {
	switch m {
	case MeshLinkerd:
		return "response_total", "response_latency_ms"
	case MeshIstio:
		return "istio_requests_total", "istio_request_duration_milliseconds"
	default:
		return "osm_request_total", "osm_request_duration_ms"
	}
}

// baseLabels are the labels of every series of src's requests to the
// deployment, besides the name and the status code.
func (m Mesh) baseLabels(ns, deployment string, src *source) []string {
	switch m {
	case MeshLinkerd:
		return []string{
			"namespace", ns,
			"deployment", deployment,
			"direction", "inbound",
			"tls", "true",
			"client_id", src.Name + "." + ns + ".serviceaccount.identity.linkerd.cluster.local",
		}
	case MeshIstio:
		return []string{
			"reporter", "destination",
			"destination_workload_namespace", ns,
			"destination_workload", deployment,
			"source_workload_namespace", ns,
			"source_workload", src.Name,
		}
	default:
		return []string{
			"destination_namespace", ns,
			"destination_kind", "Deployment",
			"destination_name", deployment,
			"source_namespace", ns,
			"source_kind", "Deployment",
			"source_name", src.Name,
		}
	}
}

// codeLabels are the labels a response's status code adds to the counter:
// Linkerd classifies a 5xx as a failure.
func (m Mesh) codeLabels(code int) []string {
	switch m {
	case MeshLinkerd:
		class := "success"
		if code >= 500 {
			class = "failure"
		}
		return []string{"status_code", strconv.Itoa(code), "classification", class}
	default:
		return []string{"response_code", strconv.Itoa(code)}
	}
}

// seriesLabels builds a series' labels from its name, base and extra labels.
func seriesLabels(name string, base []string, extra ...string) labels.Labels {
	ss := make([]string, 0, 2+len(base)+len(extra))
	ss = append(ss, model.MetricNameLabel, name)
	ss = append(ss, base...)
	return labels.FromStrings(append(ss, extra...)...)
}
