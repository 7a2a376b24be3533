package query

import "testing"

// The rendered builtin queries, as Flagger's observers send them for canary
// podinfo in namespace default (Flagger's own observer tests hold the same
// strings).
func TestObserverQueriesOnTheWire(t *testing.T) {
	m := Model{Name: "podinfo", Namespace: "default", Target: "podinfo", Service: "podinfo"}
	tests := []struct {
		name     string
		observer Observer
		duration bool
		interval string
		want     string
	}{
		{
			name: "osm success rate", observer: ObserverOSM, interval: "1m",
			want: ` sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[1m] ) ) * 100`,
		},
		{
			name: "osm duration", observer: ObserverOSM, duration: true, interval: "30s",
			want: ` histogram_quantile( 0.99, sum( rate( osm_request_duration_ms_bucket{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[30s] ) ) by (le) )`,
		},
		{
			name: "linkerd success rate", observer: ObserverLinkerd, interval: "1m",
			want: ` sum( rate( response_total{ namespace="default", deployment=~"podinfo", classification!="failure", direction="inbound" }[1m] ) ) / sum( rate( response_total{ namespace="default", deployment=~"podinfo", direction="inbound" }[1m] ) ) * 100`,
		},
		{
			name: "linkerd duration", observer: ObserverLinkerd, duration: true, interval: "30s",
			want: ` histogram_quantile( 0.99, sum( rate( response_latency_ms_bucket{ namespace="default", deployment=~"podinfo", direction="inbound" }[30s] ) ) by (le) )`,
		},
		{
			name: "istio (gatewayapi:v1) success rate", observer: ObserverIstio, interval: "1m",
			want: ` sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( istio_requests_total{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo" }[1m] ) ) * 100`,
		},
		{
			name: "istio (gatewayapi:v1) duration", observer: ObserverIstio, duration: true, interval: "1m",
			want: ` histogram_quantile( 0.99, sum( rate( istio_request_duration_milliseconds_bucket{ reporter="destination", destination_workload_namespace="default", destination_workload=~"podinfo" }[1m] ) ) by (le) )`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m.Interval = tc.interval
			render := tc.observer.SuccessRate
			if tc.duration {
				render = tc.observer.Duration
			}
			got, err := render(m)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestObserverForProvider(t *testing.T) {
	tests := []struct {
		spec, mesh          string
		wantMetricsProvider string
		want                Observer
	}{
		{spec: "", mesh: "osm", wantMetricsProvider: "osm", want: ObserverOSM},
		{spec: "osm", mesh: "osm", wantMetricsProvider: "osm", want: ObserverOSM},
		{spec: "", mesh: "linkerd", wantMetricsProvider: "linkerd", want: ObserverLinkerd},
		{spec: "linkerd", mesh: "osm", wantMetricsProvider: "linkerd", want: ObserverLinkerd},
		{spec: "gatewayapi:v1", mesh: "osm", wantMetricsProvider: "gatewayapi:v1", want: ObserverIstio},
		{spec: "", mesh: "gatewayapi:v1", wantMetricsProvider: "gatewayapi:v1", want: ObserverIstio},
		// A Canary naming a provider under a Linkerd controller is judged
		// by Linkerd's queries (Linkerd's GAMMA routes HTTPRoutes).
		{spec: "gatewayapi:v1", mesh: "linkerd", wantMetricsProvider: "linkerd", want: ObserverLinkerd},
		{spec: "osm", mesh: "linkerd", wantMetricsProvider: "linkerd", want: ObserverLinkerd},
		// Without spec.provider the flag is taken as it is: only exactly
		// "linkerd" is Linkerd's observer.
		{spec: "", mesh: "smi:v1alpha1:linkerd", wantMetricsProvider: "smi:v1alpha1:linkerd", want: ObserverIstio},
	}
	for _, tc := range tests {
		t.Run(tc.spec+"/"+tc.mesh, func(t *testing.T) {
			mp := MetricsProvider(tc.spec, tc.mesh)
			if mp != tc.wantMetricsProvider {
				t.Errorf("MetricsProvider(%q, %q) = %q, want %q", tc.spec, tc.mesh, mp, tc.wantMetricsProvider)
			}
			if got := ObserverFor(mp); got != tc.want {
				t.Errorf("ObserverFor(%q) = %q, want %q", mp, got, tc.want)
			}
		})
	}
}
