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

package propagation

import (
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/rest"
	kstatus "sigs.k8s.io/cli-utils/pkg/kstatus/status"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/test/testenv"
)

// rolloutEnv is a host API server and member API servers for the envtests
// of spec.rollout and of readiness: the members are joined (KubeFedClusters, Ready), the
// namespace is federated to all of them, and a sync reconciler of one type
// is wired to them; the tests call its Reconcile themselves.
type rolloutEnv struct {
	t       *testing.T
	hostCfg *rest.Config
	host    client.Client
	members directMembers
	names   []string
	r       *Reconciler
}

// rolloutNamespace is the namespace of the rollout envtests' objects.
const rolloutNamespace = "ns"

// newRolloutEnv starts the host and one member per name (labels: the
// KubeFedClusters' labels by name) for the federated type of group/kind,
// whose CRD file is federatedCRD.
func newRolloutEnv(t *testing.T, group, kind, federatedCRD string, names []string, labels map[string]map[string]string) *rolloutEnv {
	t.Helper()
	scheme := testScheme()
	var crds []string
	for _, name := range []string{"core.kubefed.io_kubefedclusters.yaml", "core.kubefed.io_kubefedconfigs.yaml", "core.kubefed.io_propagatedversions.yaml",
		"core.kubefed.io_federatedtypeconfigs.yaml", "types.kubefed.io_federatednamespaces.yaml", federatedCRD} {
		crds = append(crds, "config/crd/bases/"+name)
	}
	e := &rolloutEnv{t: t, members: directMembers{}, names: names}
	host, hostEnv := testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: scheme, CRDs: crds})
	e.host, e.hostCfg = host, hostEnv.Config
	mustCreate(t, e.host, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: testNamespace}})
	mustCreate(t, e.host, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: rolloutNamespace}})
	for _, name := range names {
		c, _ := testenv.StartClientWith(t, testenv.EnvtestOptions{Scheme: scheme})
		e.members[name] = c
		mustCreate(t, c, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: rolloutNamespace}})
		kfc := &fedcorev1b1.KubeFedCluster{
			ObjectMeta: metav1.ObjectMeta{Namespace: testNamespace, Name: name, Labels: labels[name]},
			Spec:       fedcorev1b1.KubeFedClusterSpec{APIEndpoint: "https://" + name + ".invalid:6443", SecretRef: fedcorev1b1.LocalSecretReference{Name: name}},
		}
		mustCreate(t, e.host, kfc)
		// Joined and healthy, as the cluster controller would say, for
		// kubefedctl status.
		kfc.Status.Conditions = []fedcorev1b1.ClusterCondition{{Type: fedcorev1b1.ClusterReady, Status: corev1.ConditionTrue, LastProbeTime: metav1.Now()}}
		if err := e.host.Status().Update(t.Context(), kfc); err != nil {
			t.Fatal(err)
		}
	}
	fedNS := federatedNamespace(rolloutNamespace)
	fedNS.Object["spec"] = map[string]any{"placement": map[string]any{"clusters": e.placed(names...)}}
	mustCreate(t, e.host, fedNS)
	e.r = reconcilerFor(t, group, kind)
	e.r.Client, e.r.APIReader, e.r.Members = e.host, e.host, e.members
	return e
}

// placed is spec.placement.clusters naming the given clusters.
func (e *rolloutEnv) placed(names ...string) []any {
	out := []any{}
	for _, name := range names {
		out = append(out, map[string]any{"name": name})
	}
	return out
}

// reconcileOnce reconciles the named object once and returns the result
// and the object as stored, with its status.
func (e *rolloutEnv) reconcileOnce(step, name string) (ctrl.Result, *unstructured.Unstructured, *fedtypesv1b1.GenericFederatedStatus) {
	e.t.Helper()
	key := types.NamespacedName{Namespace: rolloutNamespace, Name: name}
	result, err := e.r.Reconcile(e.t.Context(), ctrl.Request{NamespacedName: key})
	if err != nil {
		e.t.Fatalf("%s: reconcile: %v", step, err)
	}
	got := e.r.fedObject(rolloutNamespace, name, nil)
	if err := e.host.Get(e.t.Context(), key, got); err != nil {
		e.t.Fatal(err)
	}
	status, err := fedtypesv1b1.GetStatus(got)
	if err != nil {
		e.t.Fatal(err)
	}
	return result, got, status
}

// reconcile reconciles the named object once and returns it as stored,
// with its status and kstatus's Compute of it.
func (e *rolloutEnv) reconcile(step, name string) (*unstructured.Unstructured, *fedtypesv1b1.GenericFederatedStatus, kstatus.Status) {
	e.t.Helper()
	_, got, status := e.reconcileOnce(step, name)
	res, err := kstatus.Compute(got)
	if err != nil {
		e.t.Fatalf("%s: kstatus: %v", step, err)
	}
	return got, status, res.Status
}

// reconcileUntil reconciles the named object until done holds of its
// status, for at most 15 s, and returns the last status and kstatus.
func (e *rolloutEnv) reconcileUntil(step, name string, done func(*fedtypesv1b1.GenericFederatedStatus) bool) (*fedtypesv1b1.GenericFederatedStatus, kstatus.Status) {
	e.t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		_, status, ks := e.reconcile(step, name)
		if done(status) {
			return status, ks
		}
		time.Sleep(200 * time.Millisecond)
	}
	e.t.Fatalf("%s: not reached within 15s", step)
	return nil, ""
}

// update changes the named federated object's spec with change.
func (e *rolloutEnv) update(name string, change func(obj *unstructured.Unstructured) error) {
	e.t.Helper()
	obj := e.r.fedObject(rolloutNamespace, name, nil)
	if err := e.host.Get(e.t.Context(), types.NamespacedName{Namespace: rolloutNamespace, Name: name}, obj); err != nil {
		e.t.Fatal(err)
	}
	if err := change(obj); err != nil {
		e.t.Fatal(err)
	}
	if err := e.host.Update(e.t.Context(), obj); err != nil {
		e.t.Fatal(err)
	}
}

// setSpec sets the field at path in the named federated object's spec to
// value.
func (e *rolloutEnv) setSpec(name string, value any, path ...string) {
	e.t.Helper()
	e.update(name, func(obj *unstructured.Unstructured) error {
		return unstructured.SetNestedField(obj.Object, value, append([]string{"spec"}, path...)...)
	})
}

// rolloutPhaseIs holds of a status whose rollout is in phase, at wave
// unless wave is "".
func rolloutPhaseIs(phase fedtypesv1b1.RolloutPhase, wave string) func(*fedtypesv1b1.GenericFederatedStatus) bool {
	return func(s *fedtypesv1b1.GenericFederatedStatus) bool {
		return s.Rollout != nil && s.Rollout.Phase == phase && (wave == "" || s.Rollout.CurrentWaveName == wave)
	}
}

// copyState is a member's copy of a ConfigMap: its data's version and its
// resourceVersion; the zero value when there is none.
type copyState struct{ version, resourceVersion string }

// configMapCopies returns each member's copy of the ConfigMap name.
func (e *rolloutEnv) configMapCopies(name string) map[string]copyState {
	e.t.Helper()
	out := map[string]copyState{}
	for _, member := range e.names {
		cm := &corev1.ConfigMap{}
		switch err := e.members[member].Get(e.t.Context(), types.NamespacedName{Namespace: rolloutNamespace, Name: name}, cm); {
		case err == nil:
			out[member] = copyState{cm.Data["version"], cm.ResourceVersion}
		case client.IgnoreNotFound(err) != nil:
			e.t.Fatal(err)
		}
	}
	return out
}

// expectCopies checks that each member's copy of the ConfigMap name runs
// the version want says ("": no copy) and that the copies of unwritten
// are as they were; it returns the copies.
func (e *rolloutEnv) expectCopies(step, name string, want map[string]string, unwritten map[string]copyState) map[string]copyState {
	e.t.Helper()
	got := e.configMapCopies(name)
	for _, member := range e.names {
		if got[member].version != want[member] {
			e.t.Errorf("%s: %s runs %q, want %q (\"\": no copy)", step, member, got[member].version, want[member])
		}
		if before, ok := unwritten[member]; ok && got[member] != before {
			e.t.Errorf("%s: %s was written (resourceVersion %s -> %s), want no write", step, member, before.resourceVersion, got[member].resourceVersion)
		}
	}
	return got
}

// expectNoWrite checks that after, the object as a later reconcile stored
// it, is before: the reconcile wrote nothing.
func expectNoWrite(t *testing.T, step string, before, after *unstructured.Unstructured) {
	t.Helper()
	if after.GetResourceVersion() != before.GetResourceVersion() {
		t.Errorf("%s: an idle reconcile wrote the federated object (resourceVersion %s -> %s)", step, before.GetResourceVersion(), after.GetResourceVersion())
	}
}

// deployment reads the copy of a Deployment in a member; nil when there is
// none.
func (e *rolloutEnv) deployment(member, name string) *appsv1.Deployment {
	e.t.Helper()
	dep := &appsv1.Deployment{}
	err := e.members[member].Get(e.t.Context(), types.NamespacedName{Namespace: rolloutNamespace, Name: name}, dep)
	switch {
	case err == nil:
		return dep
	case client.IgnoreNotFound(err) != nil:
		e.t.Fatal(err)
	}
	return nil
}

// setDeploymentStatus writes the status a Deployment controller writes: the
// copy's replica available, or (available false) its progress deadline
// exceeded, which kstatus reads as Failed.
func (e *rolloutEnv) setDeploymentStatus(member, name string, available bool) {
	e.t.Helper()
	dep := e.deployment(member, name)
	if dep == nil {
		e.t.Fatalf("no Deployment %s in %s", name, member)
	}
	dep.Status = appsv1.DeploymentStatus{ObservedGeneration: dep.Generation, Replicas: 1, UpdatedReplicas: 1, ReadyReplicas: 1, AvailableReplicas: 1,
		Conditions: []appsv1.DeploymentCondition{
			{Type: appsv1.DeploymentAvailable, Status: corev1.ConditionTrue, Reason: "MinimumReplicasAvailable"},
			{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionTrue, Reason: "NewReplicaSetAvailable"}}}
	if !available {
		dep.Status = appsv1.DeploymentStatus{ObservedGeneration: dep.Generation, Replicas: 1, UpdatedReplicas: 1, UnavailableReplicas: 1,
			Conditions: []appsv1.DeploymentCondition{
				{Type: appsv1.DeploymentProgressing, Status: corev1.ConditionFalse, Reason: "ProgressDeadlineExceeded"}}}
	}
	if err := e.members[member].Status().Update(e.t.Context(), dep); err != nil {
		e.t.Fatal(err)
	}
}

// webTemplate is a FederatedDeployment's spec.template running image.
func webTemplate(image string) map[string]any {
	return map[string]any{"spec": map[string]any{
		"replicas": int64(1),
		"selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
		"template": map[string]any{
			"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
			"spec":     map[string]any{"containers": []any{map[string]any{"name": "web", "image": image}}},
		},
	}}
}
