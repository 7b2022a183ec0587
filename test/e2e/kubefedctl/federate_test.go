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

package kubefedctl_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// fedAppNS is the namespace whose contents are federated in one command.
const fedAppNS = "fed-app"

// appContents are the objects of fedAppNS in the host that federate
// --contents federates, and member1's own copy of the ConfigMap, which is
// adopted.
type appContents struct {
	deploy *appsv1.Deployment
	cm     *corev1.ConfigMap
	svc    *corev1.Service
	// pre is member1's ConfigMap from before the federation.
	pre *corev1.ConfigMap
	// hostVersions are the resourceVersions of the host objects by type,
	// as created.
	hostVersions map[string]string
}

// testFederateContents federates a namespace with its contents in one
// command: the copies reach both members, member1's existing ConfigMap is
// adopted, and the host's originals stay as they were.
func testFederateContents(t *testing.T, e *chartEnv) {
	ctx := t.Context()
	a := createAppContents(t, e)
	out := e.kubefedctl(t, "federate", "namespace", fedAppNS, "--contents")
	contains(t, out, `Successfully created FederatedNamespace "fed-app/fed-app" from Namespace`,
		`Successfully created FederatedDeployment "fed-app/web" from Deployment`,
		`Successfully created FederatedConfigMap "fed-app/cfg" from ConfigMap`,
		`Successfully created FederatedService "fed-app/web" from Service`)
	if strings.Contains(out, "kube-root-ca.crt") || strings.Contains(out, "ReplicaSet") || strings.Contains(out, `"fed-app/default"`) {
		t.Errorf("federate --contents federated objects the clusters make themselves:\n%s", out)
	}
	a.waitInMembers(t, e)
	adopted := &corev1.ConfigMap{}
	if err := e.members["member1"].Get(ctx, client.ObjectKeyFromObject(a.pre), adopted); err != nil {
		t.Fatal(err)
	}
	if adopted.UID != a.pre.UID {
		t.Error("member1's ConfigMap was recreated, not adopted")
	}
	a.assertHostUnchanged(t, e)
}

// createAppContents creates the namespace fedAppNS with a Deployment, a
// ConfigMap and a Service in the host, and the ConfigMap alone in member1.
func createAppContents(t *testing.T, e *chartEnv) appContents {
	t.Helper()
	ctx := t.Context()
	if err := e.host.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fedAppNS}}); err != nil {
		t.Fatal(err)
	}
	labels := map[string]string{"app": "web"}
	deploy := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Namespace: fedAppNS, Name: "web", Labels: labels},
		Spec: appsv1.DeploymentSpec{
			Replicas: ptr.To[int32](2),
			Selector: &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "web", Image: "nginx:1.27"}}},
			},
		},
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: fedAppNS, Name: "cfg"}, Data: map[string]string{"k": "v"}}
	svc := &corev1.Service{ObjectMeta: metav1.ObjectMeta{Namespace: fedAppNS, Name: "web"},
		Spec: corev1.ServiceSpec{Selector: labels, Type: corev1.ServiceTypeNodePort, Ports: []corev1.ServicePort{{Port: 80, TargetPort: intstr.FromInt32(8080)}}}}
	for _, obj := range []client.Object{deploy, cm, svc} {
		if err := e.host.Create(ctx, obj); err != nil {
			t.Fatal(err)
		}
	}
	// member1 already has the ConfigMap: it is adopted, not recreated.
	if err := e.members["member1"].Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: fedAppNS}}); err != nil {
		t.Fatal(err)
	}
	pre := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Namespace: fedAppNS, Name: "cfg"}, Data: map[string]string{"k": "old"}}
	if err := e.members["member1"].Create(ctx, pre); err != nil {
		t.Fatal(err)
	}
	hostVersions := map[string]string{}
	for _, obj := range []client.Object{deploy, cm, svc} {
		hostVersions[fmt.Sprintf("%T", obj)] = obj.GetResourceVersion()
	}
	if err := e.host.Get(ctx, client.ObjectKeyFromObject(deploy), deploy); err != nil {
		t.Fatal(err)
	}
	return appContents{deploy: deploy, cm: cm, svc: svc, pre: pre, hostVersions: hostVersions}
}

// waitInMembers waits until both members have the federated copies.
func (a appContents) waitInMembers(t *testing.T, e *chartEnv) {
	t.Helper()
	deploy, cm, svc := a.deploy, a.cm, a.svc
	for _, m := range []string{"member1", "member2"} {
		mc := e.members[m]
		e2eutil.Eventually(t, 90*time.Second, func(ctx context.Context) error {
			d := &appsv1.Deployment{}
			if err := mc.Get(ctx, client.ObjectKeyFromObject(deploy), d); err != nil {
				return err
			}
			if *d.Spec.Replicas != 2 || d.Spec.Template.Spec.Containers[0].Image != "nginx:1.27" {
				return fmt.Errorf("Deployment differs: %+v", d.Spec)
			}
			c := &corev1.ConfigMap{}
			if err := mc.Get(ctx, client.ObjectKeyFromObject(cm), c); err != nil {
				return err
			}
			if c.Data["k"] != "v" {
				return fmt.Errorf("ConfigMap data %v", c.Data)
			}
			s := &corev1.Service{}
			if err := mc.Get(ctx, client.ObjectKeyFromObject(svc), s); err != nil {
				return err
			}
			if s.Spec.ClusterIP == "" || s.Spec.Ports[0].NodePort == 0 || s.Spec.Ports[0].TargetPort != intstr.FromInt32(8080) {
				return fmt.Errorf("Service spec %+v", s.Spec)
			}
			return nil
		}, "the federated Deployment, ConfigMap and Service in %s", m)
	}
}

// assertHostUnchanged checks that federating left the host's originals as
// they were: no managed label, the same spec.
func (a appContents) assertHostUnchanged(t *testing.T, e *chartEnv) {
	t.Helper()
	ctx := t.Context()
	deploy := a.deploy
	for _, obj := range []client.Object{a.deploy.DeepCopy(), a.cm.DeepCopy(), a.svc.DeepCopy()} {
		if err := e.host.Get(ctx, client.ObjectKeyFromObject(obj), obj); err != nil {
			t.Fatal(err)
		}
		if _, managed := obj.GetLabels()[fedcorev1b1.ManagedByKubeFedLabelKey]; managed {
			t.Errorf("host original %T %s got the managed label", obj, obj.GetName())
		}
		// The Deployment's status moves in the host; its spec must not.
		if d, ok := obj.(*appsv1.Deployment); ok {
			if d.Generation != deploy.Generation {
				t.Errorf("the host Deployment's generation moved from %d to %d", deploy.Generation, d.Generation)
			}
			continue
		}
		if got, want := obj.GetResourceVersion(), a.hostVersions[fmt.Sprintf("%T", obj)]; got != want {
			t.Errorf("host original %T %s was changed (resourceVersion %s, was %s)", obj, obj.GetName(), got, want)
		}
	}
}

func testOrphaning(t *testing.T, e *chartEnv) {
	ctx := t.Context()
	contains(t, e.kubefedctl(t, "orphaning-deletion", "status", "FederatedConfigMap", "cfg", "-n", fedAppNS), "Disabled")
	contains(t, e.kubefedctl(t, "orphaning-deletion", "enable", "FederatedConfigMap", "cfg", "-n", fedAppNS), "Orphaning deletion enabled")
	contains(t, e.kubefedctl(t, "orphaning-deletion", "status", "FederatedConfigMap", "cfg", "-n", fedAppNS), "Enabled")
	fed := &unstructured.Unstructured{}
	fed.SetAPIVersion("types.kubefed.io/v1beta1")
	fed.SetKind("FederatedConfigMap")
	fed.SetNamespace(fedAppNS)
	fed.SetName("cfg")
	if err := e.host.Delete(ctx, fed); err != nil {
		t.Fatal(err)
	}
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		err := e.host.Get(ctx, client.ObjectKeyFromObject(fed), fed.DeepCopy())
		if !apierrors.IsNotFound(err) {
			return fmt.Errorf("FederatedConfigMap still there (%v)", err)
		}
		return nil
	}, "FederatedConfigMap deleted")
	for _, m := range []string{"member1", "member2"} {
		c := &corev1.ConfigMap{}
		if err := e.members[m].Get(ctx, client.ObjectKey{Namespace: fedAppNS, Name: "cfg"}, c); err != nil {
			t.Errorf("the orphaned ConfigMap in %s: %v", m, err)
		}
	}
}
