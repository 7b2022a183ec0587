{{/*
The admission webhook of FederatedTypeConfig health rules: see webhook.yaml.
*/}}

{{/*
"true" when the chart installs the webhook: controllermanager.webhook.enabled,
and something to serve it, either the chart's Pods (the Deployment with at
least one replica) or the controller manager at controllermanager.webhook.url.
A webhook configuration with nothing behind it would refuse every
FederatedTypeConfig with health rules (failurePolicy Fail).
*/}}
{{- define "kubefed.webhookEnabled" -}}
{{- $cm := .Values.controllermanager }}
{{- $wh := $cm.webhook | default dict }}
{{- $served := or (not (empty $wh.url)) (and $cm.enabled (gt (int $cm.controller.replicaCount) 0)) }}
{{- and (ne (toString $wh.enabled) "false") $served | toString }}
{{- end }}

{{/*
How long a stopping controller manager Pod keeps serving the webhook
(--shutdown-delay): the API server reaches the webhook through its
Service, and each kube-proxy drops a terminating Pod from it a moment
after the Pod was told to stop.
*/}}
{{- define "kubefed.webhookShutdownDelay" -}}
{{- (.Values.controllermanager.webhook | default dict).shutdownDelay | default "5s" }}
{{- end }}

{{/*
The webhook server's port in the controller manager's Pods.
*/}}
{{- define "kubefed.webhookPort" -}}
{{- (.Values.controllermanager.webhook | default dict).port | default 9443 }}
{{- end }}

{{/*
Names of the webhook's Service and of the Secret holding its serving
certificate.
*/}}
{{- define "kubefed.webhookServiceName" -}}
kubefed-controller-manager-webhook
{{- end }}
{{- define "kubefed.webhookCertSecretName" -}}
kubefed-controller-manager-webhook-cert
{{- end }}

{{/*
Where the controller manager's Pods read the serving certificate
(--webhook-cert-dir).
*/}}
{{- define "kubefed.webhookCertDir" -}}
/var/run/kubefed/webhook-certs
{{- end }}
