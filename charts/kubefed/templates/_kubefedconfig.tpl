{{- /*
The defaults of a KubeFedConfig spec, as YAML: the CRD's schema defaults
(KubeFed v0.10's SetDefaultKubeFedConfig, with the changes docs/api.md
lists) and the feature gates' defaults (DefaultFeatureGates in
api/core/v1beta1), by gate name. The chart's KubeFedConfig starts from them
(kubefedconfig.yaml) and so does the admission policy that completes the
feature gates of any other KubeFedConfig (kubefedconfig-defaults.yaml).
test/chart checks that they equal the CRD's and the API's.
*/}}
{{- define "kubefed.kubeFedConfigDefaults" -}}
controllerDuration:
  availableDelay: 20s
  unavailableDelay: 60s
  cacheSyncTimeout: 5m
leaderElect:
  leaseDuration: 15s
  renewDeadline: 10s
  retryPeriod: 5s
  resourceLock: leases
clusterHealthCheck:
  period: 10s
  failureThreshold: 3
  successThreshold: 1
  timeout: 3s
syncController:
  maxConcurrentReconciles: 8
  adoptResources: Enabled
statusController:
  maxConcurrentReconciles: 1
featureGates:
  PushReconciler: Enabled
  RawResourceStatusCollection: Enabled
  SchedulerPreferences: Enabled
{{- end }}
