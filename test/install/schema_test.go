package install

import (
	"strings"
	"testing"
)

// TestSchemaRefusals: what Fledge cannot do the same way as Flagger is
// refused by values.schema.json before anything is rendered, with the
// reason; so is a value of the wrong type and an unknown top-level key.
func TestSchemaRefusals(t *testing.T) {
	tests := []struct {
		set  string
		want string
	}{
		{"meshProvider=istio", "Fledge supports osm, linkerd and gatewayapi:v1 only"},
		{"meshProvider=", "Fledge supports osm, linkerd and gatewayapi:v1 only"},
		{"meshProvider=gatewayapi", "Fledge supports osm, linkerd and gatewayapi:v1 only"},
		{"rbac.pspEnabled=true", "PodSecurityPolicy was removed in Kubernetes 1.25"},
		{"prometheus.install=true", "Fledge installs no Prometheus"},
		{"linkerdAuthPolicy.create=true", "a Linkerd AuthorizationPolicy"},
		{"ingressAnnotationsPrefix=custom.ingress.kubernetes.io", "NGINX ingress canaries"},
		{"ingressClass=contour", "Contour HTTPProxy canaries"},
		{"controlplane.kubeconfig.secretName=mesh-kubeconfig", "a service mesh in another cluster"},
		{"istio.kubeconfig.secretName=istio-kubeconfig", "an Istio control plane in another cluster"},
		{"leaderElection.enabled=false,leaderElection.replicaCount=2", "more than 1 replica needs leaderElection.enabled=true"},
		{"metricServer=http://prometheus:9090", "additional properties 'metricServer' not allowed"},
		{"securityContext.runAsUser=10001", "additional properties 'runAsUser' not allowed"},
		{"logLevel=verbose", "logLevel"},
		{"threadiness=0", "threadiness"},
		{"metricsServer=prometheus:9090", "metricsServer"},
		{"slack.url[0]=x", "/slack/url"},
		{"eventWebhook=event-receiver.test", "eventWebhook"},
		{"kubeconfigQPS=fast", "kubeconfigQPS"},
		{"additionalVolumes.tmp.emptyDir=", "additionalVolumes"},
	}
	ch := loadChart(t)
	for _, tc := range tests {
		t.Run(tc.set, func(t *testing.T) {
			_, err := render(ch, tc.set)
			if err == nil {
				t.Fatalf("--set %s rendered, want a refusal containing %q", tc.set, tc.want)
			}
			if !strings.Contains(err.Error(), "values don't meet the specifications of the schema") ||
				!strings.Contains(err.Error(), tc.want) {
				t.Errorf("--set %s: %v\nwant the schema's refusal containing %q", tc.set, err, tc.want)
			}
		})
	}
}

// TestSchemaAcceptsFlaggerDefaults: the values of Flagger's chart that
// Fledge renders the same way, at Flagger's defaults (null and empty
// alert settings, an empty additionalVolumes map, Flagger's slack.user),
// pass the schema.
func TestSchemaAcceptsFlaggerDefaults(t *testing.T) {
	sets := []string{
		"slack.user=flagger", "slack.channel=null", "slack.url=null", "msteams.url=null", "image.pullSecret=null",
		"podMonitor.namespace=null", "kubeconfigQPS=", "kubeconfigBurst=", "ingressAnnotationsPrefix=", "ingressClass=",
		"linkerdAuthPolicy.create=false", "prometheus.install=false", "prometheus.retention=2h", "rbac.pspEnabled=false",
		"controlplane.kubeconfig.secretName=", "controlplane.kubeconfig.key=kubeconfig", "leaderElection.enabled=false",
		"leaderElection.replicaCount=1", "serviceMonitor.honorLabels=false", "securityContext.enabled=true",
		"logLevel=info", "podPriorityClassName=", "nameOverride=", "fullnameOverride=", "noCrossNamespaceRefs=false",
		"threadiness=2", "eventWebhook=", "clusterName=",
	}
	if _, err := render(loadChart(t), sets...); err != nil {
		t.Errorf("Flagger's defaults refused: %v", err)
	}
}
