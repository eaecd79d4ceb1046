{{/*
Go-template twin of charts/starter/templates/_helpers.j2, kept only so that
bench/run.sh can time Helm on the same objects (tests/bench_twins.rs checks
that both render the same objects). Helpers that take a component get
(dict "root" $ "component" "api").
*/}}

{{/* The chart's short name (nameOverride or the chart name), DNS-1123, max 63. */}}
{{- define "starter.name" -}}
{{- .Values.nameOverride | default .Chart.Name | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{/* <release>-<chart>, or <release> when it contains the chart name, or fullnameOverride; max 52. */}}
{{- define "starter.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := include "starter.name" . -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "starter.componentName" -}}
{{- include "starter.fullname" .root }}-{{ .component -}}
{{- end -}}

{{- define "starter.selectorLabels" -}}
app.kubernetes.io/name: {{ include "starter.name" .root }}
app.kubernetes.io/instance: {{ .root.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end -}}

{{- define "starter.labels" -}}
{{ include "starter.selectorLabels" . }}
app.kubernetes.io/version: {{ .root.Chart.AppVersion | default .root.Chart.Version | toString | quote }}
app.kubernetes.io/part-of: {{ include "starter.name" .root }}
app.kubernetes.io/managed-by: {{ .root.Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .root.Chart.Name .root.Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end -}}

{{- define "starter.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- .Values.serviceAccount.name | default (include "starter.fullname" .) -}}
{{- else -}}
{{- .Values.serviceAccount.name -}}
{{- end -}}
{{- end -}}

{{/* "true" when the chart creates the component's Secret (ExternalSecret with data, or static secrets). */}}
{{- define "starter.managesSecret" -}}
{{- if .root.Values.externalSecrets.enabled -}}
{{- if (index .root.Values.externalSecrets .component).data }}true{{ end -}}
{{- else -}}
{{- if (index .root.Values .component).secrets }}true{{ end -}}
{{- end -}}
{{- end -}}

{{- define "starter.secretRef" -}}
{{- if include "starter.managesSecret" . -}}
{{- (index .root.Values .component).secretName | default (include "starter.componentName" .) -}}
{{- else -}}
{{- (index .root.Values .component).secretName -}}
{{- end -}}
{{- end -}}

{{- define "starter.hookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ .weight | toString | quote }}
helm.sh/hook-delete-policy: before-hook-creation{{ if ge (int .weight) 0 }},hook-succeeded{{ end }}
argocd.argoproj.io/hook: PreSync
argocd.argoproj.io/hook-delete-policy: BeforeHookCreation{{ if ge (int .weight) 0 }},HookSucceeded{{ end }}
{{- end -}}

{{/*
A component's env as JSON: its values env over the defaults that Skiff's
values.computed.yaml derives (billing flags with a dedicated worker;
API_BASE_URL for the web BFF unless given). Helm has no computed-values
layer, so the twin computes them where they are used; the user's keys win.
*/}}
{{- define "starter.env" -}}
{{- $v := .root.Values -}}
{{- $env := deepCopy ((index $v .component).env | default dict) -}}
{{- $computed := dict -}}
{{- if $v.worker.enabled -}}
{{- if eq .component "api" -}}
{{- $computed = dict "ENABLE_BILLING_RETRY_WORKER" "false" "ENABLE_BILLING_STREAM_REPLAY" "false" -}}
{{- else if eq .component "worker" -}}
{{- $computed = dict "ENABLE_BILLING_RETRY_WORKER" "true" "ENABLE_BILLING_STREAM_REPLAY" "true" "BILLING_RETRY_DEPLOYMENT_MODE" "dedicated" -}}
{{- end -}}
{{- end -}}
{{- if eq .component "web" -}}
{{- $secretKeys := concat (keys ($v.web.secrets | default dict)) (keys ($v.externalSecrets.web.data | default dict)) -}}
{{- if and (not (hasKey $env "API_BASE_URL")) (not (has "API_BASE_URL" $secretKeys)) -}}
{{- $_ := set $computed "API_BASE_URL" (printf "http://%s:%v" (include "starter.componentName" (dict "root" .root "component" "api")) $v.api.port) -}}
{{- end -}}
{{- end -}}
{{- merge $env $computed | toJson -}}
{{- end -}}

{{- define "starter.envList" -}}
{{- range $key, $value := . }}
- name: {{ $key }}
  value: {{ $value | toString | toJson }}
{{- end }}
{{- end -}}

{{- define "starter.podSpecCommon" -}}
serviceAccountName: {{ include "starter.serviceAccountName" . | toJson }}
automountServiceAccountToken: false
securityContext: {{- toYaml .Values.podSecurityContext | nindent 2 }}
{{- if .Values.imagePullSecrets }}
imagePullSecrets: {{- toYaml .Values.imagePullSecrets | nindent 2 }}
{{- end }}
{{- end -}}

{{- define "starter.tmpVolume" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- end -}}

{{- define "starter.tmpMount" -}}
- name: tmp
  mountPath: /tmp
{{- end -}}

{{/* The cross-field checks of Skiff's values.computed.yaml, as fail calls. */}}
{{- define "starter.validate" -}}
{{- $v := .Values -}}
{{- $es := $v.externalSecrets -}}
{{- range $c := list "api" "web" "worker" -}}
{{- $secrets := (index $v $c).secrets | default dict -}}
{{- $esData := (index $es $c).data | default dict -}}
{{- if and $es.enabled $secrets -}}
{{- fail (printf "%s.secrets is set (%s) but externalSecrets.enabled is true, so it would be ignored: map these keys under externalSecrets.%s.data (env var name -> provider secret identifier), or set externalSecrets.enabled=false to use static secrets" $c (keys $secrets | sortAlpha | join ", ") $c) -}}
{{- end -}}
{{- if and (not $es.enabled) $esData -}}
{{- fail (printf "externalSecrets.%s.data is set (%s) but externalSecrets.enabled is false, so it would be ignored: set externalSecrets.enabled=true, or give the values as %s.secrets" $c (keys $esData | sortAlpha | join ", ") $c) -}}
{{- end -}}
{{- end -}}
{{- if $v.autoscaling.enabled -}}
{{- range $c := list "api" "web" -}}
{{- $b := index $v.autoscaling $c -}}
{{- if gt (int $b.minReplicas) (int $b.maxReplicas) -}}
{{- fail (printf "autoscaling.%s.minReplicas (%v) is greater than autoscaling.%s.maxReplicas (%v): lower minReplicas or raise maxReplicas" $c $b.minReplicas $c $b.maxReplicas) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- if and $v.ingress.enabled (not $v.ingress.hosts) (not $v.ingress.apiHosts) -}}
{{- fail "ingress.enabled is true but ingress.hosts and ingress.apiHosts are both empty: add a host (ingress.hosts: [{host: app.example.com}]) or set ingress.enabled=false" -}}
{{- end -}}
{{- if and $v.ingress.apiTls (not $v.ingress.apiHosts) -}}
{{- fail "ingress.apiTls is set but ingress.apiHosts is empty: apiTls covers the separate API hostnames; add them to ingress.apiHosts or move the entries to ingress.tls" -}}
{{- end -}}
{{- end -}}

{{- define "starter.components" -}}
{{- $components := list "api" "web" -}}
{{- if .Values.worker.enabled }}{{ $components = append $components "worker" }}{{ end -}}
{{- toJson $components -}}
{{- end -}}
