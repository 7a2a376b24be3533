package install

import (
	"reflect"
	"slices"
	"testing"

	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// objs are a rendering's objects, checked by a case.
type objs = []*unstructured.Unstructured

// wantFlag expects -name=value among the controller's arguments.
func wantFlag(name, value string) func(*testing.T, objs) {
	return func(t *testing.T, o objs) {
		t.Helper()
		if got, ok := flagValue(args(o), name); !ok || got != value {
			t.Errorf("-%s = %q (present %v), want %q; args %v", name, got, ok, value, args(o))
		}
	}
}

// noFlag expects no -name among the controller's arguments.
func noFlag(name string) func(*testing.T, objs) {
	return func(t *testing.T, o objs) {
		t.Helper()
		if got, ok := flagValue(args(o), name); ok {
			t.Errorf("-%s=%s rendered, want none", name, got)
		}
	}
}

// wantField expects the object kind/name to hold value at path.
func wantField(kind, name string, value any, path ...string) func(*testing.T, objs) {
	return func(t *testing.T, o objs) {
		t.Helper()
		obj := find(o, kind, name)
		if obj == nil {
			t.Fatalf("no %s/%s rendered; got %v", kind, name, kinds(o))
		}
		if got := field(obj, path...); !reflect.DeepEqual(got, value) {
			t.Errorf("%s/%s %v = %#v, want %#v", kind, name, path, got, value)
		}
	}
}

// wantObject expects kind/name rendered (present) or not.
func wantObject(kind, name string, present bool) func(*testing.T, objs) {
	return func(t *testing.T, o objs) {
		t.Helper()
		if got := find(o, kind, name) != nil; got != present {
			t.Errorf("%s/%s rendered: %v, want %v; got %v", kind, name, got, present, kinds(o))
		}
	}
}

// wantPod expects the controller's pod spec to hold value at path.
func wantPod(value any, path ...string) func(*testing.T, objs) {
	return wantField("Deployment", "fledge", value, append([]string{"spec", "template", "spec"}, path...)...)
}

// flaggerSetLines are `--set` lines written for Flagger 1.44's chart, each
// with what Fledge's chart must render for it.
var flaggerSetLines = []struct {
	name   string
	sets   []string
	checks []func(*testing.T, objs)
}{
	{"the tutorial's install", []string{"meshProvider=osm", "metricsServer=http://osm-prometheus.osm-system.svc:7070"}, []func(*testing.T, objs){
		wantFlag("mesh-provider", "osm"), wantFlag("metrics-server", "http://osm-prometheus.osm-system.svc:7070"),
		wantField("Deployment", "fledge", "ghcr.io/fledge-canary/fledge-controller:v0.9.0", "spec", "template", "spec", "containers", "0", "image"),
		wantFlag("enable-config-tracking", "true"), wantFlag("threadiness", "16"), wantFlag("event-source", "fledge"),
		noFlag("no-cross-namespace-refs"), noFlag("event-webhook"), noFlag("kubeconfig-qps"), noFlag("cluster-name"),
		wantObject("PodDisruptionBudget", "", false), wantObject("ServiceMonitor", "", false), wantObject("PodMonitor", "", false),
		wantObject("CustomResourceDefinition", "", false),
	}},
	{"Linkerd", []string{"meshProvider=linkerd"}, []func(*testing.T, objs){wantFlag("mesh-provider", "linkerd")}},
	{"Gateway API", []string{"meshProvider=gatewayapi:v1"}, []func(*testing.T, objs){wantFlag("mesh-provider", "gatewayapi:v1")}},
	{"noCrossNamespaceRefs", []string{"noCrossNamespaceRefs=true"}, []func(*testing.T, objs){wantFlag("no-cross-namespace-refs", "true")}},
	{"eventWebhook", []string{"eventWebhook=http://event-receiver.test/"}, []func(*testing.T, objs){wantFlag("event-webhook", "http://event-receiver.test/")}},
	{"EVENT_WEBHOOK_URL from a Secret", []string{"env[0].name=EVENT_WEBHOOK_URL", "env[0].valueFrom.secretKeyRef.name=eventwebhook",
		"env[0].valueFrom.secretKeyRef.key=url"}, []func(*testing.T, objs){wantFlag("event-webhook", "$(EVENT_WEBHOOK_URL)"),
		wantPod("EVENT_WEBHOOK_URL", "containers", "0", "env", "1", "name")}},
	{"threadiness", []string{"threadiness=4"}, []func(*testing.T, objs){wantFlag("threadiness", "4")}},
	{"configTracking.enabled", []string{"configTracking.enabled=false"}, []func(*testing.T, objs){wantFlag("enable-config-tracking", "false")}},
	{"kubeconfigQPS and kubeconfigBurst", []string{"kubeconfigQPS=200", "kubeconfigBurst=400"}, []func(*testing.T, objs){
		wantFlag("kubeconfig-qps", "200"), wantFlag("kubeconfig-burst", "400")}},
	{"clusterName", []string{"clusterName=prod-eu"}, []func(*testing.T, objs){wantFlag("cluster-name", "prod-eu")}},
	{"slack.user alone", []string{"slack.user=fledge"}, []func(*testing.T, objs){noFlag("slack-user"), noFlag("slack-url")}},
	{"slack", []string{"slack.url=https://hooks.slack.com/services/x", "slack.user=fledge", "slack.channel=deploys", "slack.proxy=http://proxy:3128"},
		[]func(*testing.T, objs){wantFlag("slack-url", "https://hooks.slack.com/services/x"), wantFlag("slack-user", "fledge"),
			wantFlag("slack-channel", "deploys"), wantFlag("slack-proxy-url", "http://proxy:3128")}},
	{"msteams", []string{"msteams.url=https://example.webhook.office.com/x", "msteams.proxyUrl=http://proxy:3128"},
		[]func(*testing.T, objs){wantFlag("msteams-url", "https://example.webhook.office.com/x"), wantFlag("msteams-proxy-url", "http://proxy:3128"), noFlag("slack-url")}},
	{"SLACK_URL from a Secret", []string{"env[0].name=SLACK_URL", "env[0].valueFrom.secretKeyRef.name=slack", "env[0].valueFrom.secretKeyRef.key=url"},
		[]func(*testing.T, objs){noFlag("slack-url"), wantPod("SLACK_URL", "containers", "0", "env", "1", "name")}},
	{"namespace", []string{"namespace=test"}, []func(*testing.T, objs){wantFlag("namespace", "test"),
		wantFlag("leader-election-namespace", "test"), wantField("Role", "fledge-leader-election", "test", "metadata", "namespace")}},
	{"selectorLabels and includeLabelPrefix", []string{"selectorLabels=app", "includeLabelPrefix=app.kubernetes.io"}, []func(*testing.T, objs){
		wantFlag("selector-labels", "app"), wantFlag("include-label-prefix", "app.kubernetes.io")}},
	{"logLevel warning, Flagger's spelling", []string{"logLevel=warning"}, []func(*testing.T, objs){wantFlag("log-level", "warn")}},
	{"image", []string{"image.repository=registry.example/fledge", "image.tag=v1.0.0", "image.pullPolicy=Always"}, []func(*testing.T, objs){
		wantPod("registry.example/fledge:v1.0.0", "containers", "0", "image"), wantPod("Always", "containers", "0", "imagePullPolicy")}},
	{"image.pullSecret", []string{"image.pullSecret=regcred"}, []func(*testing.T, objs){
		wantPod([]any{map[string]any{"name": "regcred"}}, "imagePullSecrets")}},
	{"podPriorityClassName", []string{"podPriorityClassName=system-cluster-critical"}, []func(*testing.T, objs){
		wantPod("system-cluster-critical", "priorityClassName")}},
	{"leaderElection with 2 replicas", []string{"leaderElection.enabled=true", "leaderElection.replicaCount=2"}, []func(*testing.T, objs){
		wantFlag("enable-leader-election", "true"), wantField("Deployment", "fledge", int64(2), "spec", "replicas")}},
	{"leaderElection disabled", []string{"leaderElection.enabled=false"}, []func(*testing.T, objs){
		noFlag("enable-leader-election"), wantField("Deployment", "fledge", "Recreate", "spec", "strategy", "type"),
		wantObject("Role", "fledge-leader-election", false)}},
	{"serviceAccount", []string{"serviceAccount.create=false", "serviceAccount.name=flagger"}, []func(*testing.T, objs){
		wantPod("flagger", "serviceAccountName"), wantObject("ServiceAccount", "", false),
		wantField("ClusterRoleBinding", "fledge", "flagger", "subjects", "0", "name")}},
	{"serviceAccount.annotations", []string{"serviceAccount.annotations.eks\\.amazonaws\\.com/role-arn=arn:aws:iam::1:role/x"}, []func(*testing.T, objs){
		wantField("ServiceAccount", "fledge", "arn:aws:iam::1:role/x", "metadata", "annotations", "eks.amazonaws.com/role-arn")}},
	{"rbac.create=false", []string{"rbac.create=false"}, []func(*testing.T, objs){
		wantObject("ClusterRole", "", false), wantObject("ClusterRoleBinding", "", false), wantObject("Role", "", false)}},
	{"crd.create", []string{"crd.create=true"}, []func(*testing.T, objs){
		wantField("CustomResourceDefinition", "canaries.flagger.app", "keep", "metadata", "annotations", "helm.sh/resource-policy"),
		wantObject("CustomResourceDefinition", "metrictemplates.flagger.app", true)}},
	{"podLabels and podAnnotations", []string{"podLabels.team=platform", "podAnnotations.example\\.com/owner=sre"}, []func(*testing.T, objs){
		wantField("Deployment", "fledge", "platform", "spec", "template", "metadata", "labels", "team"),
		wantField("Deployment", "fledge", "sre", "spec", "template", "metadata", "annotations", "example.com/owner")}},
	{"deploymentLabels and annotations", []string{"deploymentLabels.team=platform", "annotations.example\\.com/owner=sre"}, []func(*testing.T, objs){
		wantField("Deployment", "fledge", "platform", "metadata", "labels", "team"),
		wantField("Deployment", "fledge", "sre", "metadata", "annotations", "example.com/owner")}},
	{"additionalVolumes", []string{"additionalVolumes[0].name=ca", "additionalVolumes[0].secret.secretName=ca-bundle"}, []func(*testing.T, objs){
		wantPod("ca-bundle", "volumes", "1", "secret", "secretName")}},
	{"nodeSelector and tolerations", []string{"nodeSelector.pool=system", "tolerations[0].key=dedicated", "tolerations[0].operator=Exists"},
		[]func(*testing.T, objs){wantPod("system", "nodeSelector", "pool"), wantPod("dedicated", "tolerations", "0", "key")}},
	{"resources", []string{"resources.requests.cpu=10m", "resources.requests.memory=32Mi"}, []func(*testing.T, objs){
		wantPod("10m", "containers", "0", "resources", "requests", "cpu")}},
	{"securityContext.context, Flagger's shape", []string{"securityContext.context.runAsUser=10001"}, []func(*testing.T, objs){
		wantPod(int64(10001), "containers", "0", "securityContext", "runAsUser"),
		wantPod(true, "containers", "0", "securityContext", "readOnlyRootFilesystem")}},
}

// TestFlaggerSetLines renders the chart for each of Flagger's `--set`
// lines and checks the flag or object Flagger's chart renders for it.
func TestFlaggerSetLines(t *testing.T) {
	ch := loadChart(t)
	for _, tc := range flaggerSetLines {
		t.Run(tc.name, func(t *testing.T) {
			o, err := render(ch, tc.sets...)
			if err != nil {
				t.Fatalf("--set %v: %v", tc.sets, err)
			}
			for _, check := range tc.checks {
				check(t, o)
			}
		})
	}
}

// TestDefaultAntiAffinity: as Flagger's chart, replicas prefer different
// nodes, selected by the release's own pod labels.
func TestDefaultAntiAffinity(t *testing.T) {
	for _, sets := range [][]string{nil, {"nameOverride=canaries"}} {
		o, err := render(loadChart(t), sets...)
		if err != nil {
			t.Fatal(err)
		}
		term := field(find(o, "Deployment", ""), "spec", "template", "spec", "affinity", "podAntiAffinity",
			"preferredDuringSchedulingIgnoredDuringExecution")
		terms, _ := term.([]any)
		if len(terms) != 1 {
			t.Fatalf("--set %v: pod anti-affinity %#v, want one preferred term", sets, term)
		}
		first, _ := terms[0].(map[string]any)
		sel, _, _ := unstructured.NestedStringMap(first, "podAffinityTerm", "labelSelector", "matchLabels")
		pods, _, _ := unstructured.NestedStringMap(find(o, "Deployment", "").Object, "spec", "selector", "matchLabels")
		topology, _, _ := unstructured.NestedString(first, "podAffinityTerm", "topologyKey")
		if !reflect.DeepEqual(sel, pods) || topology != "kubernetes.io/hostname" {
			t.Errorf("--set %v: anti-affinity selects %v on %q, want the pods' labels %v on kubernetes.io/hostname", sets, sel, topology, pods)
		}
	}
}

// TestSecurityContextDisabled: Flagger's OpenShift switch leaves out the
// container's and the pod's security contexts, and renders no stray
// "enabled" field.
func TestSecurityContextDisabled(t *testing.T) {
	o, err := render(loadChart(t), "securityContext.enabled=false")
	if err != nil {
		t.Fatal(err)
	}
	if sc, ok := container(o)["securityContext"]; ok {
		t.Errorf("container securityContext %v, want none", sc)
	}
	if sc, ok := podSpec(o)["securityContext"]; ok {
		t.Errorf("pod securityContext %v, want none", sc)
	}
	o, err = render(loadChart(t))
	if err != nil {
		t.Fatal(err)
	}
	sc, _ := container(o)["securityContext"].(map[string]any)
	if _, stray := sc["enabled"]; stray || sc["runAsNonRoot"] != true {
		t.Errorf("default container securityContext %v, want runAsNonRoot and no enabled field", sc)
	}
}

// TestNameOverrides: nameOverride and fullnameOverride name the objects as
// in Flagger's chart.
func TestNameOverrides(t *testing.T) {
	tests := []struct {
		sets     []string
		fullname string
		appName  string
	}{
		{nil, "fledge", "fledge"},
		{[]string{"nameOverride=canaries"}, "fledge-canaries", "canaries"},
		{[]string{"fullnameOverride=flagger"}, "flagger", "fledge"},
	}
	for _, tc := range tests {
		o, err := render(loadChart(t), tc.sets...)
		if err != nil {
			t.Fatal(err)
		}
		for _, kind := range []string{"Deployment", "Service", "ServiceAccount", "ClusterRole", "ClusterRoleBinding"} {
			if find(o, kind, tc.fullname) == nil {
				t.Errorf("--set %v: no %s/%s; got %v", tc.sets, kind, tc.fullname, kinds(o))
			}
		}
		if got := field(find(o, "Deployment", ""), "spec", "selector", "matchLabels", "app.kubernetes.io/name"); got != tc.appName {
			t.Errorf("--set %v: app.kubernetes.io/name %v, want %s", tc.sets, got, tc.appName)
		}
	}
}

// TestMonitorsAndPDB: serviceMonitor, podMonitor and podDisruptionBudget
// render their objects, selecting the controller's Service or pods.
func TestMonitorsAndPDB(t *testing.T) {
	o, err := render(loadChart(t), "serviceMonitor.enabled=true", "serviceMonitor.honorLabels=true",
		"serviceMonitor.namespace=monitoring", "serviceMonitor.labels.release=kps",
		"podMonitor.enabled=true", "podMonitor.interval=30s", "podMonitor.additionalLabels.release=kps",
		"podDisruptionBudget.enabled=true", "podDisruptionBudget.minAvailable=1")
	if err != nil {
		t.Fatal(err)
	}
	svcLabels, _, _ := unstructured.NestedStringMap(find(o, "Service", "fledge").Object, "metadata", "labels")
	podLabels, _, _ := unstructured.NestedStringMap(find(o, "Deployment", "fledge").Object, "spec", "template", "metadata", "labels")
	sm, pm, pdb := find(o, "ServiceMonitor", "fledge"), find(o, "PodMonitor", "fledge"), find(o, "PodDisruptionBudget", "fledge")
	if sm == nil || pm == nil || pdb == nil {
		t.Fatalf("rendered %v, want a ServiceMonitor, a PodMonitor and a PodDisruptionBudget named fledge", kinds(o))
	}
	checks := []struct {
		what      string
		selector  map[string]string
		selecting map[string]string
	}{
		{"ServiceMonitor", nestedMap(sm, "spec", "selector", "matchLabels"), svcLabels},
		{"PodMonitor", nestedMap(pm, "spec", "selector", "matchLabels"), podLabels},
		{"PodDisruptionBudget", nestedMap(pdb, "spec", "selector", "matchLabels"), podLabels},
	}
	for _, c := range checks {
		if len(c.selector) == 0 || !subset(c.selector, c.selecting) {
			t.Errorf("%s selects %v, which does not match %v", c.what, c.selector, c.selecting)
		}
	}
	wantField("ServiceMonitor", "fledge", "monitoring", "metadata", "namespace")(t, o)
	wantField("ServiceMonitor", "fledge", "kps", "metadata", "labels", "release")(t, o)
	wantField("ServiceMonitor", "fledge", []any{map[string]any{"port": "http-metrics", "path": "/metrics",
		"interval": "30s", "scrapeTimeout": "30s", "honorLabels": true}}, "spec", "endpoints")(t, o)
	wantField("PodMonitor", "fledge", "30s", "spec", "podMetricsEndpoints", "0", "interval")(t, o)
	wantField("PodMonitor", "fledge", "kps", "metadata", "labels", "release")(t, o)
	wantField("PodDisruptionBudget", "fledge", int64(1), "spec", "minAvailable")(t, o)
}

func nestedMap(obj *unstructured.Unstructured, path ...string) map[string]string {
	m, _, _ := unstructured.NestedStringMap(obj.Object, path...)
	return m
}

// subset reports whether every label of sel is in labels.
func subset(sel, labels map[string]string) bool {
	for k, v := range sel {
		if labels[k] != v {
			return false
		}
	}
	return true
}

// TestEveryArgIsAControllerFlag: whatever the values, the chart renders
// only flags fledge-controller defines (an unknown one would stop it).
func TestEveryArgIsAControllerFlag(t *testing.T) {
	all := []string{"noCrossNamespaceRefs=true", "eventWebhook=http://event-receiver.test/", "threadiness=4",
		"configTracking.enabled=false", "kubeconfigQPS=200", "kubeconfigBurst=400", "clusterName=prod", "namespace=test",
		"selectorLabels=app", "includeLabelPrefix=*", "logLevel=warning", "eventSource=flagger"}
	o, err := render(loadChart(t), all...)
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range args(o) {
		name, _, _ := cutFlag(a)
		if !slices.Contains(controllerFlags, name) {
			t.Errorf("argument %q: fledge-controller has no flag %q", a, name)
		}
	}
}

// flaggerValuesFile is a values file in the shape of Flagger 1.44's
// values.yaml (nulls for unset alert settings, additionalVolumes as {},
// affinity written with Flagger's template helper), as a user switching
// keeps it, with meshProvider osm and an extra object.
const flaggerValuesFile = `
image:
  pullSecret:
logLevel: info
meshProvider: osm
metricsServer: http://osm-prometheus.osm-system.svc:7070
slack:
  user: flagger
  channel:
  url:
  proxy:
msteams:
  url:
podMonitor:
  enabled: false
  namespace:
  interval: 15s
  additionalLabels: {}
prometheus:
  install: false
  image: docker.io/prom/prometheus:v2.41.0
  pullSecret:
  retention: 2h
controlplane:
  kubeconfig:
    secretName: ""
    key: "kubeconfig"
kubeconfigQPS: ""
kubeconfigBurst: ""
additionalVolumes: {}
affinity:
  podAntiAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: '{{ template "flagger.name" . }}'
              app.kubernetes.io/instance: '{{ .Release.Name }}'
          topologyKey: kubernetes.io/hostname
extraDeploy:
  - apiVersion: v1
    kind: ConfigMap
    metadata:
      name: '{{ .Release.Name }}-extra'
`

// TestFlaggerValuesFile renders the chart with a values file shaped as
// Flagger's (helm install -f values.yaml).
func TestFlaggerValuesFile(t *testing.T) {
	ch := loadChart(t)
	vals, err := chartutil.ReadValues([]byte(flaggerValuesFile))
	if err != nil {
		t.Fatal(err)
	}
	top, err := chartutil.ToRenderValues(ch, vals, release, chartutil.DefaultCapabilities)
	if err != nil {
		t.Fatalf("Flagger-shaped values refused: %v", err)
	}
	files, err := engine.Render(ch, top)
	if err != nil {
		t.Fatal(err)
	}
	var o objs
	for _, name := range yamlFiles(files) {
		docs, err := decodeYAML(files[name])
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		o = append(o, docs...)
	}
	wantObject("ConfigMap", "fledge-extra", true)(t, o)
	wantPod("fledge", "affinity", "podAntiAffinity", "preferredDuringSchedulingIgnoredDuringExecution", "0",
		"podAffinityTerm", "labelSelector", "matchLabels", "app.kubernetes.io/name")(t, o)
	noFlag("kubeconfig-qps")(t, o)
	if _, ok := podSpec(o)["imagePullSecrets"]; ok {
		t.Error("imagePullSecrets rendered for a null image.pullSecret")
	}
}
