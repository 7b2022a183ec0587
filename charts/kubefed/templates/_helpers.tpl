{{/*
Chart name, for app.kubernetes.io/name.
*/}}
{{- define "kubefed.name" -}}
{{- .Chart.Name | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Chart name and version, for helm.sh/chart.
*/}}
{{- define "kubefed.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/*
Labels of every object the chart renders.
*/}}
{{- define "kubefed.labels" -}}
helm.sh/chart: {{ include "kubefed.chart" . }}
app.kubernetes.io/name: {{ include "kubefed.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: kubefed
{{- end }}

{{/*
Selector labels of the controller manager's pods. They are KubeFed v0.10's
and must never change: a Deployment's selector is immutable, and keeping
KubeFed's lets `helm upgrade` take over a KubeFed release in place.
*/}}
{{- define "kubefed.controllerSelectorLabels" -}}
kubefed-control-plane: controller-manager
{{- end }}

{{/*
Labels of the controller manager's pods: the selector labels plus the
stable app.kubernetes.io labels (no version, so a chart bump alone does not
roll the pods).
*/}}
{{- define "kubefed.controllerPodLabels" -}}
{{ include "kubefed.controllerSelectorLabels" . }}
app.kubernetes.io/name: {{ include "kubefed.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/component: controller-manager
app.kubernetes.io/part-of: kubefed
{{- end }}

{{/*
The control plane's scope: global.scope, Cluster when empty (KubeFed's rule).
*/}}
{{- define "kubefed.scope" -}}
{{- .Values.global.scope | default "Cluster" }}
{{- end }}

{{/*
Name of the controller manager's ServiceAccount (KubeFed's).
*/}}
{{- define "kubefed.serviceAccountName" -}}
kubefed-controller
{{- end }}

{{/*
The controller manager's image: repository/image:tag, tag defaulting to the
chart's appVersion.
*/}}
{{- define "kubefed.controllerImage" -}}
{{- $c := .Values.controllermanager.controller }}
{{- printf "%s/%s:%s" $c.repository $c.image (toString ($c.tag | default .Chart.AppVersion)) }}
{{- end }}

{{/*
The --zap-log-level flag's value for controllermanager.controller.logLevel:
KubeFed's klog verbosity (an integer) maps to the same zap verbosity; 0 is
info. Names (debug, info, error, panic) pass through.
*/}}
{{- define "kubefed.zapLogLevel" -}}
{{- $level := .Values.controllermanager.controller.logLevel }}
{{- if kindIs "string" $level }}
{{- $level }}
{{- else if gt (int $level) 0 }}
{{- int $level }}
{{- else }}
{{- "info" }}
{{- end }}
{{- end }}

{{/*
Federated types of the default FederatedTypeConfigs, as a YAML list of
{pluralName, scope}: the chart derives its types.kubefed.io RBAC rules from
them, so that the rules name each resource (no wildcard) and follow the FTC
list. Files that are not FederatedTypeConfigs are skipped.
*/}}
{{- define "kubefed.federatedTypes" -}}
{{- $types := list }}
{{- range $path, $_ := .Files.Glob "files/federatedtypeconfigs/*.yaml" }}
{{- $ftc := $.Files.Get $path | fromYaml }}
{{- if eq (get $ftc "kind" | default "") "FederatedTypeConfig" }}
{{- $types = append $types (dict "pluralName" $ftc.spec.federatedType.pluralName "scope" $ftc.spec.federatedType.scope) }}
{{- end }}
{{- end }}
{{- toYaml $types }}
{{- end }}

{{/*
Rules of kind (ClusterRole or Role) read from files/rbac/role.yaml, the
controllers' generated RBAC (config/rbac/role.yaml), as a YAML list.
*/}}
{{- define "kubefed.generatedRules" -}}
{{- $kind := .kind }}
{{- $rules := list }}
{{- range $doc := regexSplit "(?m)^---[ \t]*$" (.root.Files.Get "files/rbac/role.yaml") -1 }}
{{- $obj := $doc | fromYaml }}
{{- if and (eq (get $obj "kind" | default "") $kind) (get $obj "rules") }}
{{- $rules = concat $rules $obj.rules }}
{{- end }}
{{- end }}
{{- toYaml $rules }}
{{- end }}
