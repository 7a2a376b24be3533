{{/* The chart's name: nameOverride, else the chart's. */}}
{{- define "fledge.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* The release's full name: fullnameOverride, else the release name, or "<release>-<name>" when it lacks the name. */}}
{{- define "fledge.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "fledge.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Flagger's helper names, for values (e.g. affinity) copied from Flagger's chart. */}}
{{- define "flagger.name" -}}
{{- include "fledge.name" . -}}
{{- end -}}
{{- define "flagger.fullname" -}}
{{- include "fledge.fullname" . -}}
{{- end -}}

{{/* Labels that select the controller's pods (never change them: a Deployment's selector is immutable). */}}
{{- define "fledge.matchLabels" -}}
app.kubernetes.io/name: {{ include "fledge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{/* The selector of a controller Deployment: the default one's is fledge.matchLabels (unchanged
by shards, so that enabling them upgrades in place); a shard's names its own instance, so that no two
Deployments select the same pods. */}}
{{- define "fledge.shardMatchLabels" -}}
{{- if .shard -}}
app.kubernetes.io/name: {{ include "fledge.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}-shard-{{ .shard }}
{{- else -}}
{{ include "fledge.matchLabels" . }}
{{- end -}}
{{- end -}}

{{/* The pods the metrics Service and PodMonitor scrape: every controller of the release, shards
included, when there are shards. */}}
{{- define "fledge.scrapeLabels" -}}
{{- if .Values.shards -}}
app.kubernetes.io/name: {{ include "fledge.name" . }}
app.kubernetes.io/part-of: {{ .Release.Name }}
{{- else -}}
{{ include "fledge.matchLabels" . }}
{{- end -}}
{{- end -}}

{{/* The controller image's tag: image.tag, else "v" + the chart's appVersion. */}}
{{- define "fledge.imageTag" -}}
{{- .Values.image.tag | default (printf "v%s" .Chart.AppVersion) | toString -}}
{{- end -}}

{{/* Labels for every object of the release. */}}
{{- define "fledge.labels" -}}
{{ include "fledge.matchLabels" . }}
app.kubernetes.io/version: {{ include "fledge.imageTag" . | trunc 63 | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "fledge.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "fledge.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name | default "default" -}}
{{- end -}}
{{- end -}}

{{/* Where the leader-election Lease lives: the watched namespace when set (as Flagger does), else the release's. */}}
{{- define "fledge.leaseNamespace" -}}
{{- .Values.namespace | default .Release.Namespace -}}
{{- end -}}

{{/* Renders a value as a template: strings through tpl, anything else as YAML through tpl. */}}
{{- define "fledge.render" -}}
{{- if typeIs "string" .value -}}
{{- tpl .value .context -}}
{{- else -}}
{{- tpl (toYaml .value) .context -}}
{{- end -}}
{{- end -}}

{{/* Whether env holds an EVENT_WEBHOOK_URL entry ("true" or ""). */}}
{{- define "fledge.envWebhook" -}}
{{- range .Values.env -}}
{{- if eq (.name | default "") "EVENT_WEBHOOK_URL" -}}true{{- end -}}
{{- end -}}
{{- end -}}

{{/* Whether a value is set: neither null nor "". */}}
{{- define "fledge.isSet" -}}
{{- if not (kindIs "invalid" .) }}{{ if ne (toString .) "" }}true{{ end }}{{ end -}}
{{- end -}}

{{/* The controller's flags, Flagger's where they exist, from the values, as a YAML list. */}}
{{- define "fledge.args" -}}
{{- $v := .Values -}}
{{- $args := list (printf "-mesh-provider=%s" $v.meshProvider) (printf "-metrics-server=%s" $v.metricsServer) -}}
{{- with $v.namespace }}{{ $args = append $args (printf "-namespace=%s" .) }}{{ end -}}
{{- if $v.leaderElection.enabled -}}
{{- $args = append $args "-enable-leader-election=true" -}}
{{- $args = append $args (printf "-leader-election-namespace=%s" ($v.namespace | default "$(namespace)")) -}}
{{- end -}}
{{- with $v.selectorLabels }}{{ $args = append $args (printf "-selector-labels=%s" .) }}{{ end -}}
{{- with $v.includeLabelPrefix }}{{ $args = append $args (printf "-include-label-prefix=%s" .) }}{{ end -}}
{{- $args = append $args (printf "-enable-config-tracking=%t" $v.configTracking.enabled) -}}
{{- $args = append $args (printf "-threadiness=%d" (int64 $v.threadiness)) -}}
{{- if $v.noCrossNamespaceRefs }}{{ $args = append $args "-no-cross-namespace-refs=true" }}{{ end -}}
{{- if $v.eventWebhook -}}
{{- $args = append $args (printf "-event-webhook=%s" $v.eventWebhook) -}}
{{- else if include "fledge.envWebhook" . -}}
{{- $args = append $args "-event-webhook=$(EVENT_WEBHOOK_URL)" -}}
{{- end -}}
{{- with $v.clusterName }}{{ $args = append $args (printf "-cluster-name=%s" .) }}{{ end -}}
{{- with $v.slack -}}
{{- if .url -}}
{{- $args = append $args (printf "-slack-url=%s" .url) -}}
{{- with .user }}{{ $args = append $args (printf "-slack-user=%s" .) }}{{ end -}}
{{- with .channel }}{{ $args = append $args (printf "-slack-channel=%s" .) }}{{ end -}}
{{- end -}}
{{- with (.proxy | default .proxyUrl) }}{{ $args = append $args (printf "-slack-proxy-url=%s" .) }}{{ end -}}
{{- end -}}
{{- with $v.msteams -}}
{{- with .url }}{{ $args = append $args (printf "-msteams-url=%s" .) }}{{ end -}}
{{- with (.proxy | default .proxyUrl) }}{{ $args = append $args (printf "-msteams-proxy-url=%s" .) }}{{ end -}}
{{- end -}}
{{- $args = append $args (printf "-event-source=%s" $v.eventSource) -}}
{{- if include "fledge.isSet" $v.kubeconfigQPS }}{{ $args = append $args (printf "-kubeconfig-qps=%v" $v.kubeconfigQPS) }}{{ end -}}
{{- if include "fledge.isSet" $v.kubeconfigBurst }}{{ $args = append $args (printf "-kubeconfig-burst=%d" (int64 $v.kubeconfigBurst)) }}{{ end -}}
{{- $args = append $args (printf "-log-level=%s" (eq $v.logLevel "warning" | ternary "warn" $v.logLevel)) -}}
{{- $args = append $args (printf "-zap-encoding=%s" $v.zapEncoding) -}}
{{- $args = append $args "-port=8080" -}}
{{- if .shard }}{{ $args = append $args (printf "-watch-label-selector=fledge.dev/shard in (%s)" .shard) }}
{{- else if $v.shards }}{{ $args = append $args "-watch-label-selector=!fledge.dev/shard" }}{{ end -}}
{{- range $v.extraArgs }}{{ $args = append $args (toString .) }}{{ end -}}
{{- toYaml $args -}}
{{- end -}}
