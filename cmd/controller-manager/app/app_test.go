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

package app

import (
	"testing"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// TestManagerOptions: the manager takes the leader election durations from
// the KubeFedConfig, its own defaults where the flags say nothing, and a
// Namespaced control plane's host cache watches its namespace only.
func TestManagerOptions(t *testing.T) {
	spec := &fedcorev1b1.KubeFedConfigSpec{Scope: apiextensionsv1.NamespaceScoped, LeaderElect: &fedcorev1b1.LeaderElectConfig{
		LeaseDuration: &metav1.Duration{Duration: 40 * time.Second},
		RenewDeadline: &metav1.Duration{Duration: 30 * time.Second},
		RetryPeriod:   &metav1.Duration{Duration: 7 * time.Second},
	}}
	opts := Options{Namespace: "kf"}
	got := managerOptions(Scheme(), opts, spec.Settings())
	for _, d := range []struct {
		name      string
		got, want time.Duration
	}{
		{"lease duration", *got.LeaseDuration, 40 * time.Second},
		{"renew deadline", *got.RenewDeadline, 30 * time.Second},
		{"retry period", *got.RetryPeriod, 7 * time.Second},
		{"graceful shutdown timeout", *got.GracefulShutdownTimeout, 30 * time.Second},
	} {
		if d.got != d.want {
			t.Errorf("%s = %s, want %s", d.name, d.got, d.want)
		}
	}
	if got.LeaderElectionID != "kubefed-controller-manager" || got.LeaderElectionNamespace != "kf" {
		t.Errorf("leader election Lease %s/%s, want kf/kubefed-controller-manager", got.LeaderElectionNamespace, got.LeaderElectionID)
	}
	if _, ok := got.Cache.DefaultNamespaces["kf"]; !ok || len(got.Cache.DefaultNamespaces) != 1 {
		t.Errorf("a Namespaced control plane's host cache watches %v, want only kf", got.Cache.DefaultNamespaces)
	}
	if w := watchNamespace(opts, spec.Settings()); w != "kf" {
		t.Errorf("watchNamespace = %q, want kf", w)
	}

	opts.LeaderElectionID, opts.GracefulShutdownTimeout = "other", time.Minute
	cluster := managerOptions(Scheme(), opts, (*fedcorev1b1.KubeFedConfigSpec)(nil).Settings())
	if cluster.LeaderElectionID != "other" || *cluster.GracefulShutdownTimeout != time.Minute {
		t.Errorf("flags not kept: Lease %q, graceful shutdown timeout %s", cluster.LeaderElectionID, *cluster.GracefulShutdownTimeout)
	}
	if cluster.Cache.DefaultNamespaces != nil {
		t.Errorf("a Cluster control plane's host cache watches %v, want every namespace", cluster.Cache.DefaultNamespaces)
	}
	if w := watchNamespace(opts, (*fedcorev1b1.KubeFedConfigSpec)(nil).Settings()); w != "" {
		t.Errorf("watchNamespace = %q, want every namespace", w)
	}
}
