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

package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedschedv1a1 "github.com/kubefed/kubefed/api/scheduling/v1alpha1"
	"github.com/kubefed/kubefed/test/testenv"
)

// sample is one document of a file in config/samples.
type sample struct {
	file string
	obj  *unstructured.Unstructured
}

func (s sample) String() string {
	return fmt.Sprintf("%s/%s %s", s.file, s.obj.GetKind(), s.obj.GetName())
}

// readSamples reads every YAML document of config/samples.
func readSamples(t *testing.T) []sample {
	t.Helper()
	return readConfigDocs(t, "samples", "no samples in config/samples")
}

// readConfigDocs reads every YAML document of the files config/<dir>/*.yaml
// but kustomization.yaml, and fails the test with ifNone when there is none.
func readConfigDocs(t *testing.T, dir, ifNone string) []sample {
	t.Helper()
	var samples []sample
	for _, f := range testenv.ReadManifests(t, filepath.Join("config", dir), "*.yaml") {
		for _, doc := range bytes.Split(f.Data, []byte("\n---\n")) {
			obj := &unstructured.Unstructured{}
			if err := yaml.Unmarshal(doc, &obj.Object); err != nil {
				t.Fatalf("%s: %v", f.Path, err)
			}
			if len(obj.Object) == 0 {
				continue
			}
			samples = append(samples, sample{file: f.Name, obj: obj})
		}
	}
	if len(samples) == 0 {
		t.Fatal(ifNone)
	}
	return samples
}

// ensureNamespaces creates the namespaces the given objects live in.
func ensureNamespaces(t *testing.T, objs ...client.Object) {
	t.Helper()
	ctx := testContext(t)
	for _, obj := range objs {
		if obj.GetNamespace() == "" {
			continue
		}
		ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: obj.GetNamespace()}}
		if err := k8sClient.Create(ctx, ns); err != nil && !apierrors.IsAlreadyExists(err) {
			t.Fatalf("creating namespace %s: %v", ns.Name, err)
		}
	}
}

// TestSamples applies every sample and reads it back: every field of the
// sample must be stored unchanged.
func TestSamples(t *testing.T) {
	t.Parallel()
	samples := readSamples(t)
	kinds := map[string]bool{}
	for _, s := range samples {
		ensureNamespaces(t, s.obj)
		kinds[s.obj.GetKind()] = true
	}
	// One sample per kind of the API.
	for _, kind := range []string{
		"KubeFedCluster", "KubeFedConfig", "FederatedTypeConfig", "PropagatedVersion",
		"ClusterPropagatedVersion", "ReplicaSchedulingPreference", "FederatedNamespace",
		"FederatedConfigMap", "FederatedSecret", "FederatedService", "FederatedServiceAccount",
		"FederatedDeployment", "FederatedReplicaSet", "FederatedDaemonSet", "FederatedStatefulSet",
		"FederatedJob", "FederatedCronJob", "FederatedIngress", "FederatedClusterRole",
		"FederatedClusterRoleBinding", "FederatedRole", "FederatedRoleBinding",
	} {
		if !kinds[kind] {
			t.Errorf("config/samples has no %s", kind)
		}
	}

	for _, s := range samples {
		t.Run(s.String(), func(t *testing.T) {
			t.Parallel()
			ctx := testContext(t)
			want := s.obj.DeepCopy()
			obj := s.obj.DeepCopy()
			status, hasStatus := obj.Object["status"]
			if err := k8sClient.Create(ctx, obj); err != nil {
				t.Fatalf("creating %s: %v", s, err)
			}
			// A kind whose CRD has a status subresource drops the status
			// of a create: write it through the subresource. Kinds without
			// one (PropagatedVersion) store it with the create.
			if hasStatus && !equality.Semantic.DeepEqual(obj.Object["status"], status) {
				obj.Object["status"] = status
				if err := k8sClient.Status().Update(ctx, obj); err != nil {
					t.Fatalf("writing status of %s: %v", s, err)
				}
			}
			got := &unstructured.Unstructured{}
			got.SetGroupVersionKind(want.GroupVersionKind())
			if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(want), got); err != nil {
				t.Fatalf("reading %s back: %v", s, err)
			}
			if path, ok := subset(normalize(t, want.Object), normalize(t, got.Object), ""); !ok {
				stored, _ := yaml.Marshal(got.Object)
				t.Errorf("%s was not stored unchanged: %s differs; stored object:\n%s", s, path, stored)
			}
		})
	}
}

// normalize turns an object into plain JSON values, so that int64 and
// float64 numbers compare equal.
func normalize(t *testing.T, v interface{}) interface{} {
	t.Helper()
	data, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var out interface{}
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	return out
}

// subset reports whether every field of want is in got with the same value;
// lists must have the same length. It returns the first differing path.
func subset(want, got interface{}, path string) (string, bool) {
	switch w := want.(type) {
	case map[string]interface{}:
		g, ok := got.(map[string]interface{})
		if !ok {
			return path, false
		}
		keys := make([]string, 0, len(w))
		for k := range w {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			if p, ok := subset(w[k], g[k], path+"."+k); !ok {
				return p, false
			}
		}
		return "", true
	case []interface{}:
		g, ok := got.([]interface{})
		if !ok || len(g) != len(w) {
			return path, false
		}
		for i := range w {
			if p, ok := subset(w[i], g[i], fmt.Sprintf("%s[%d]", path, i)); !ok {
				return p, false
			}
		}
		return "", true
	default:
		return path, reflect.DeepEqual(want, got)
	}
}

// TestKubeFedConfigDefaults creates a KubeFedConfig with only its scope and
// checks that the API server fills in KubeFed's defaults.
func TestKubeFedConfigDefaults(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	config := &fedcorev1b1.KubeFedConfig{
		ObjectMeta: metav1.ObjectMeta{Name: fedcorev1b1.KubeFedConfigName, Namespace: "defaults-kubefedconfig"},
		Spec:       fedcorev1b1.KubeFedConfigSpec{Scope: "Namespaced"},
	}
	ensureNamespaces(t, config)
	if err := k8sClient.Create(ctx, config); err != nil {
		t.Fatal(err)
	}
	got := &fedcorev1b1.KubeFedConfig{}
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(config), got); err != nil {
		t.Fatal(err)
	}
	spec := got.Spec
	checks := []struct {
		field string
		got   interface{}
		want  interface{}
	}{
		{"controllerDuration.availableDelay", durationString(spec.ControllerDuration, func(d *fedcorev1b1.DurationConfig) *metav1.Duration { return d.AvailableDelay }), "20s"},
		{"controllerDuration.unavailableDelay", durationString(spec.ControllerDuration, func(d *fedcorev1b1.DurationConfig) *metav1.Duration { return d.UnavailableDelay }), "1m0s"},
		{"controllerDuration.cacheSyncTimeout", durationString(spec.ControllerDuration, func(d *fedcorev1b1.DurationConfig) *metav1.Duration { return d.CacheSyncTimeout }), "5m0s"},
		{"leaderElect.leaseDuration", durationString(spec.LeaderElect, func(d *fedcorev1b1.LeaderElectConfig) *metav1.Duration { return d.LeaseDuration }), "15s"},
		{"leaderElect.renewDeadline", durationString(spec.LeaderElect, func(d *fedcorev1b1.LeaderElectConfig) *metav1.Duration { return d.RenewDeadline }), "10s"},
		{"leaderElect.retryPeriod", durationString(spec.LeaderElect, func(d *fedcorev1b1.LeaderElectConfig) *metav1.Duration { return d.RetryPeriod }), "5s"},
		{"leaderElect.resourceLock", deref(spec.LeaderElect, func(d *fedcorev1b1.LeaderElectConfig) interface{} { return *d.ResourceLock }), fedcorev1b1.LeasesResourceLock},
		{"clusterHealthCheck.period", durationString(spec.ClusterHealthCheck, func(d *fedcorev1b1.ClusterHealthCheckConfig) *metav1.Duration { return d.Period }), "10s"},
		{"clusterHealthCheck.timeout", durationString(spec.ClusterHealthCheck, func(d *fedcorev1b1.ClusterHealthCheckConfig) *metav1.Duration { return d.Timeout }), "3s"},
		{"clusterHealthCheck.failureThreshold", deref(spec.ClusterHealthCheck, func(d *fedcorev1b1.ClusterHealthCheckConfig) interface{} { return *d.FailureThreshold }), int64(3)},
		{"clusterHealthCheck.successThreshold", deref(spec.ClusterHealthCheck, func(d *fedcorev1b1.ClusterHealthCheckConfig) interface{} { return *d.SuccessThreshold }), int64(1)},
		{"syncController.maxConcurrentReconciles", deref(spec.SyncController, func(d *fedcorev1b1.SyncControllerConfig) interface{} { return *d.MaxConcurrentReconciles }), int64(fedcorev1b1.DefaultSyncControllerMaxConcurrentReconciles)},
		{"syncController.adoptResources", deref(spec.SyncController, func(d *fedcorev1b1.SyncControllerConfig) interface{} { return *d.AdoptResources }), fedcorev1b1.AdoptResourcesEnabled},
		{"statusController.maxConcurrentReconciles", deref(spec.StatusController, func(d *fedcorev1b1.StatusControllerConfig) interface{} { return *d.MaxConcurrentReconciles }), int64(1)},
	}
	for _, c := range checks {
		if !reflect.DeepEqual(c.got, c.want) {
			t.Errorf("default of spec.%s = %v, want %v", c.field, c.got, c.want)
		}
	}
	if !spec.FeatureGateEnabled(fedcorev1b1.PushReconcilerFeature) || !spec.FeatureGateEnabled(fedcorev1b1.RawResourceStatusCollectionFeature) {
		t.Error("feature gate defaults are wrong")
	}
}

func durationString[T any](parent *T, field func(*T) *metav1.Duration) interface{} {
	if parent == nil || field(parent) == nil {
		return nil
	}
	return field(parent).Duration.String()
}

func deref[T any](parent *T, field func(*T) interface{}) (v interface{}) {
	if parent == nil {
		return nil
	}
	defer func() {
		if recover() != nil {
			v = nil
		}
	}()
	return field(parent)
}

// TestOverrideWithoutOpStoredWithoutOp checks that an override without op
// is stored and served without op, and one with an empty op with the empty
// op, as KubeFed v0.10's federated CRDs (which declare op without a default)
// keep them: KubeFed's overrides hash is computed over the object as served,
// so a default would change the version of every such object after a switch
// from KubeFed. The controller applies both as replace.
func TestOverrideWithoutOpStoredWithoutOp(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	obj := mustUnstructured(t, `
apiVersion: types.kubefed.io/v1beta1
kind: FederatedConfigMap
metadata:
  name: op-omitted
  namespace: override-op-omitted
spec:
  template:
    data:
      a: b
  overrides:
  - clusterName: cluster1
    clusterOverrides:
    - path: /data/a
      value: c
  - clusterName: cluster2
    clusterOverrides:
    - op: ""
      path: /data/a
      value: d
`)
	ensureNamespaces(t, obj)
	if err := k8sClient.Create(ctx, obj); err != nil {
		t.Fatal(err)
	}
	got := &unstructured.Unstructured{}
	got.SetGroupVersionKind(obj.GroupVersionKind())
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(obj), got); err != nil {
		t.Fatal(err)
	}
	overrides, _, err := unstructured.NestedSlice(got.Object, "spec", "overrides")
	if err != nil || len(overrides) != 2 {
		t.Fatalf("spec.overrides = %v (%v), want 2 entries", overrides, err)
	}
	omitted := overrides[0].(map[string]interface{})["clusterOverrides"].([]interface{})[0].(map[string]interface{})
	if op, ok := omitted["op"]; ok {
		t.Errorf("override stored without op is served with op %q; KubeFed's CRDs keep it without op", op)
	}
	empty := overrides[1].(map[string]interface{})["clusterOverrides"].([]interface{})[0].(map[string]interface{})
	if op, ok := empty["op"]; !ok || op != "" {
		t.Errorf("override stored with op \"\" is served with op %v (present: %v), want the empty op kept", op, ok)
	}
}

// TestTypedRead reads samples of the core kinds back into the Go types,
// which checks the scheme registration and the JSON tags against the
// served schema.
func TestTypedRead(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	rsp := &fedschedv1a1.ReplicaSchedulingPreference{
		ObjectMeta: metav1.ObjectMeta{Name: "typed", Namespace: "typed-read"},
		Spec: fedschedv1a1.ReplicaSchedulingPreferenceSpec{
			TargetKind:    fedschedv1a1.TargetKindFederatedDeployment,
			TotalReplicas: 4,
			Clusters:      map[string]fedschedv1a1.ClusterPreferences{fedschedv1a1.AllClusters: {Weight: 1}},
		},
	}
	ensureNamespaces(t, rsp)
	if err := k8sClient.Create(ctx, rsp); err != nil {
		t.Fatal(err)
	}
	rsp.Status = fedschedv1a1.ReplicaSchedulingPreferenceStatus{
		ObservedGeneration: rsp.Generation,
		Clusters:           []fedschedv1a1.ClusterReplicas{{Name: "cluster1", Replicas: 4}},
		Conditions: []metav1.Condition{{
			Type: fedschedv1a1.ScheduledCondition, Status: metav1.ConditionTrue, Reason: fedschedv1a1.ScheduledReason,
			Message: "4 replicas in 1 cluster", LastTransitionTime: metav1.Now(),
		}},
	}
	if err := k8sClient.Status().Update(ctx, rsp); err != nil {
		t.Fatalf("writing the ReplicaSchedulingPreference status: %v", err)
	}
	got := &fedschedv1a1.ReplicaSchedulingPreference{}
	if err := k8sClient.Get(ctx, client.ObjectKeyFromObject(rsp), got); err != nil {
		t.Fatal(err)
	}
	if len(got.Status.Clusters) != 1 || got.Status.Clusters[0].Replicas != 4 || len(got.Status.Conditions) != 1 {
		t.Errorf("status = %+v", got.Status)
	}
}

func mustUnstructured(t *testing.T, manifest string) *unstructured.Unstructured {
	t.Helper()
	obj := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(strings.TrimSpace(manifest)), &obj.Object); err != nil {
		t.Fatalf("decoding test manifest: %v", err)
	}
	return obj
}

// TestDefaultFederatedTypeConfigs applies the generated FederatedTypeConfigs
// of config/federatedtypeconfigs, which must pass the same validation as a
// user's.
func TestDefaultFederatedTypeConfigs(t *testing.T) {
	t.Parallel()
	ctx := testContext(t)
	ftcs := readConfigDocs(t, "federatedtypeconfigs", "config/federatedtypeconfigs is empty: run make manifests")
	const namespace = "default-federatedtypeconfigs"
	ensureNamespaces(t, &metav1.PartialObjectMetadata{ObjectMeta: metav1.ObjectMeta{Namespace: namespace}})
	for _, ftc := range ftcs {
		obj := ftc.obj
		obj.SetNamespace(namespace)
		if err := k8sClient.Create(ctx, obj); err != nil {
			t.Errorf("applying %s: %v", ftc.file, err)
		}
	}
}
