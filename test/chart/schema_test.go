/*
Copyright 2026 The KubeFed Authors.

Licensed under the Apache License, Version 2.0 (the "License");
you may not use this file except in compliance with the License.
You may obtain a copy of the License at

    http://www.apache.org/licenses/LICENSE-2.0

Unless required by applicable law or agreed to in writing, software
distributed under the License is distributed on an "AS IS" BASIS,
WITHOUT WARRANTIES OR CONDITIONS OF ANY KIND, either express or implied.
See the License for the specific language governing permissions and
limitations under the License.
*/

package chart_test

import (
	"strings"
	"testing"
)

// TestSchemaRejectsWrongValues checks that values.schema.json makes helm
// refuse a wrong value before anything is rendered, with a message naming
// the value, and accepts the forms KubeFed's chart accepted.
func TestSchemaRejectsWrongValues(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		set  string
		want []string // substrings of helm's error
	}{
		{"global.scope=Galaxy", []string{"/global/scope", "Cluster", "Namespaced"}},
		{"controllermanager.controller.replicaCount=-1", []string{"/controllermanager/controller/replicaCount", "minimum"}},
		{"controllermanager.replicaCount=-1", []string{"/controllermanager", "replicaCount", "not allowed"}},
		{"controllermanager.clusterAvailableDelay=20 seconds", []string{"/controllermanager/clusterAvailableDelay", "pattern"}},
		{"controllermanager.leaderElectRenewDeadline=10", []string{"/controllermanager/leaderElectRenewDeadline", "want null or string"}},
		{"controllermanager.clusterHealthCheckTimeout=-3s", []string{"/controllermanager/clusterHealthCheckTimeout", "pattern"}},
		{"controllermanager.clusterHealthCheckFailureThreshold=0", []string{"/controllermanager/clusterHealthCheckFailureThreshold", "minimum"}},
		{"controllermanager.syncController.maxConcurrentReconciles=0", []string{"/controllermanager/syncController/maxConcurrentReconciles", "minimum"}},
		{"controllermanager.syncController.adoptResources=Maybe", []string{"/controllermanager/syncController/adoptResources", "Enabled"}},
		{"controllermanager.featureGates.PushReconciler=On", []string{"/controllermanager/featureGates/PushReconciler", "Enabled"}},
		{"controllermanager.featureGates.Teleport=Enabled", []string{"/controllermanager/featureGates", "Teleport"}},
		{"controllermanager.leaderElectResourceLock=etcd", []string{"/controllermanager/leaderElectResourceLock", "leases"}},
		{"controllermanager.controller.imagePullPolicy=Sometimes", []string{"/controllermanager/controller/imagePullPolicy"}},
		{"controllermanager.controller.logLevel=loud", []string{"/controllermanager/controller/logLevel"}},
		{"controllermanager.controller.metricsPort=70000", []string{"/controllermanager/controller/metricsPort", "maximum"}},
		{"metrics.serviceMonitor.enabled=yes", []string{"/metrics/serviceMonitor/enabled", "boolean"}},
	} {
		t.Run(tc.set, func(t *testing.T) {
			t.Parallel()
			res := runHelm(t, "template", releaseName, chartDir(), "--namespace", releaseNamespace, "--set", tc.set)
			if res.err == nil {
				t.Fatalf("helm template --set %s succeeded, want a schema error", tc.set)
			}
			for _, want := range tc.want {
				if !strings.Contains(res.stderr, want) {
					t.Errorf("helm template --set %s: error does not mention %q:\n%s", tc.set, want, res.stderr)
				}
			}
		})
	}
}

// TestSchemaAcceptsKubeFedValues checks that values in the forms KubeFed's
// chart documented are accepted.
func TestSchemaAcceptsKubeFedValues(t *testing.T) {
	t.Parallel()
	render(t,
		"global.scope=",
		"controllermanager.clusterAvailableDelay=1m30s",
		"controllermanager.clusterUnavailableDelay=",
		"controllermanager.leaderElectResourceLock=endpoints",
		"controllermanager.featureGates.PushReconciler=true",
		"controllermanager.featureGates.FederatedIngress=Disabled",
		"controllermanager.controller.logLevel=debug",
		"controllermanager.webhook.logLevel=8",
		"controllermanager.certManager.enabled=false",
		"controllermanager.service.labels.team=platform",
		"controllermanager.controller.replicaCount=0",
	)
}
