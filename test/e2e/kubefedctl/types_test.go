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
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	policyv1 "k8s.io/api/policy/v1"
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/util/retry"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/yaml"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// widgetCRD is a test CRD with a nested schema that no default type covers.
const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.example.com
spec:
  group: example.com
  names: {kind: Widget, plural: widgets, singular: widget, listKind: WidgetList}
  scope: Namespaced
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            required: [size]
            properties:
              size: {type: integer, minimum: 1}
              style:
                type: object
                properties:
                  color: {type: string, enum: [red, blue]}
`

// appNS holds the federated objects of the test.
const appNS = "cli-e2e"

// TestTypeCommandsWithController runs enable, disable, federate,
// orphaning-deletion and status against a federation whose controller
// manager runs with the chart's ServiceAccount identity, in order: each step
// builds on the one before.
func TestTypeCommandsWithController(t *testing.T) {
	start := time.Now()
	e := setupChart(t)
	t.Logf("federation with the chart's controller ready in %s", time.Since(start).Round(100*time.Millisecond))
	for _, c := range append([]client.Client{e.host}, e.members["member1"], e.members["member2"]) {
		installWidgetCRD(t, c)
	}
	if err := e.host.Create(t.Context(), &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: appNS}}); err != nil {
		t.Fatal(err)
	}
	out := e.kubefedctl(t, "federate", "namespace", appNS)
	contains(t, out, `Successfully created FederatedNamespace "`+appNS+`/`+appNS+`" from Namespace`)

	steps := []struct {
		name string
		run  func(t *testing.T, e *chartEnv)
	}{
		{"enable a CRD at run time, propagate with an override", testEnableCRD},
		{"disable, disable --delete-crd, enable again", testDisable},
		{"enable a built-in kind that is not a default type", testEnableBuiltin},
		{"enable into another federated group", testFederatedGroup},
		{"federate a namespace's contents", testFederateContents},
		{"orphaning-deletion", testOrphaning},
		{"status of a healthy, a failed and an Offline cluster", testStatus},
		{"kubectl plugin", testKubectlPlugin},
		{"the host joined into itself gets an enabled CRD's objects", testSelfJoinedHost},
	}
	for _, s := range steps {
		stepStart := time.Now()
		if !t.Run(s.name, func(t *testing.T) { s.run(t, e) }) {
			return
		}
		t.Logf("%s: %s", s.name, time.Since(stepStart).Round(100*time.Millisecond))
	}
	// An RBAC refusal names the user; a member's /readyz answering 403
	// while it restarts is not one.
	var refused []string
	for _, l := range e.controllerLog("forbidden") {
		if strings.Contains(l, "system:serviceaccount:"+ns+":"+chartServiceAccount) {
			refused = append(refused, l)
		}
	}
	if lines := refused; len(lines) > 0 {
		t.Errorf("the controller was refused requests under the chart's RBAC:\n%s", strings.Join(lines, "\n"))
	}
}

func installWidgetCRD(t *testing.T, c client.Client) {
	t.Helper()
	installCRD(t, c, widgetCRD, "example.com/v1", "WidgetList")
}

// installCRD creates a CRD and waits until its list kind is served.
func installCRD(t *testing.T, c client.Client, manifest, apiVersion, listKind string) {
	t.Helper()
	crd := &apiextensionsv1.CustomResourceDefinition{}
	if err := yaml.UnmarshalStrict([]byte(manifest), crd); err != nil {
		t.Fatal(err)
	}
	if err := c.Create(t.Context(), crd); err != nil {
		t.Fatal(err)
	}
	e2eutil.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		list := &unstructured.UnstructuredList{}
		list.SetAPIVersion(apiVersion)
		list.SetKind(listKind)
		return c.List(ctx, list)
	}, "%s served", listKind)
}

func widget(t *testing.T, c client.Client, name string) *unstructured.Unstructured {
	t.Helper()
	u := &unstructured.Unstructured{}
	u.SetAPIVersion("example.com/v1")
	u.SetKind("Widget")
	if err := c.Get(t.Context(), client.ObjectKey{Namespace: appNS, Name: name}, u); err != nil {
		return nil
	}
	return u
}

// waitWidgetSize waits until the Widget in a member has spec.size.
func (e *chartEnv) waitWidgetSize(t *testing.T, member, name string, size int64) {
	t.Helper()
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		w := widget(t, e.members[member], name)
		if w == nil {
			return fmt.Errorf("no Widget %s/%s in %s", appNS, name, member)
		}
		got, _, _ := unstructured.NestedInt64(w.Object, "spec", "size")
		if got != size {
			return fmt.Errorf("Widget %s in %s has size %d", name, member, got)
		}
		return nil
	}, "Widget %s with size %d in %s", name, size, member)
}

// updateWidgetTemplate sets the size and color of a FederatedWidget's
// template.
func (e *chartEnv) updateWidgetTemplate(ctx context.Context, name string, size int64, color string) error {
	return retry.RetryOnConflict(retry.DefaultRetry, func() error {
		fed := &unstructured.Unstructured{}
		fed.SetAPIVersion("types.kubefed.io/v1beta1")
		fed.SetKind("FederatedWidget")
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: appNS, Name: name}, fed); err != nil {
			return err
		}
		if err := unstructured.SetNestedField(fed.Object, size, "spec", "template", "spec", "size"); err != nil {
			return err
		}
		if err := unstructured.SetNestedField(fed.Object, color, "spec", "template", "spec", "style", "color"); err != nil {
			return err
		}
		if err := e.host.Update(ctx, fed); err != nil {
			return fmt.Errorf("updating the template of FederatedWidget %s/%s: %w", appNS, name, err)
		}
		return nil
	})
}

func createFederatedWidget(t *testing.T, c client.Client, name string, size int) error {
	t.Helper()
	u := &unstructured.Unstructured{}
	manifest := fmt.Sprintf(`{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": %q, "namespace": %q},
		"spec": {"template": {"spec": {"size": %d, "style": {"color": "red"}}}, "placement": {"clusterSelector": {}},
		"overrides": [{"clusterName": "member2", "clusterOverrides": [{"path": "/spec/size", "value": 5}]}]}}`, name, appNS, size)
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	return c.Create(t.Context(), u)
}

func testEnableCRD(t *testing.T, e *chartEnv) {
	out := e.kubefedctl(t, "enable", "widgets.example.com")
	contains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedwidgets.types.kubefed.io created",
		"federatedtypeconfig.core.kubefed.io/widgets.example.com created in namespace "+ns,
		"Sync controller of widgets.example.com is running.")
	// The template validates against the Widget's schema.
	err := createFederatedWidget(t, e.host, "too-small", 0)
	if !apierrors.IsInvalid(err) || !strings.Contains(err.Error(), "spec.template.spec.size") {
		t.Errorf("a FederatedWidget with size 0: error %v, want Invalid naming spec.template.spec.size", err)
	}
	if err := createFederatedWidget(t, e.host, "w1", 2); err != nil {
		t.Fatal(err)
	}
	e.waitWidgetSize(t, "member1", "w1", 2)
	e.waitWidgetSize(t, "member2", "w1", 5)
	// Enabling it again changes nothing.
	contains(t, e.kubefedctl(t, "enable", "Widget"), "Type widgets.example.com is already enabled: nothing changed.")
}

// testDisable checks that disable stops propagation without touching the
// member copies: the members' watches first report a template change made
// while the type is enabled, and then, for a window at least three times
// as long as that change took, report no event of the Widget at all after
// disable and a second template change.
func testDisable(t *testing.T, e *chartEnv) {
	widgets := &unstructured.UnstructuredList{}
	widgets.SetAPIVersion("example.com/v1")
	widgets.SetKind("WidgetList")
	var sources []e2eutil.WatchSource
	for _, m := range []string{"member1", "member2"} {
		sources = append(sources, e2eutil.WatchSource{
			Name: m, Client: e2eutil.NewWatchClient(t, e.fed.Cluster(m).Config), List: widgets, Opts: []client.ListOption{client.InNamespace(appNS)},
		})
	}
	isW1 := func(ev watch.Event) (*unstructured.Unstructured, bool) {
		u, ok := ev.Object.(*unstructured.Unstructured)
		return u, ok && u.GetName() == "w1"
	}
	res := e2eutil.NegativeCheck{
		What:    "disabling widgets.example.com",
		Sources: sources,
		// Enabled, a template change reaches both members (member2's size
		// is overridden, its color is not).
		Control: func(ctx context.Context) error { return e.updateWidgetTemplate(ctx, "w1", 2, "blue") },
		ControlSeen: func(_ string, ev watch.Event) bool {
			u, ok := isW1(ev)
			if !ok || ev.Type != watch.Modified {
				return false
			}
			color, _, _ := unstructured.NestedString(u.Object, "spec", "style", "color")
			return color == "blue"
		},
		Act: func(ctx context.Context) error {
			out := e.kubefedctl(t, "disable", "widgets.example.com")
			contains(t, out, `Disabled propagation for FederatedTypeConfig "`+ns+`/widgets.example.com"`,
				`Propagation controller for FederatedTypeConfig "`+ns+`/widgets.example.com" is stopped`)
			return e.updateWidgetTemplate(ctx, "w1", 3, "red")
		},
		Window: 5 * time.Second,
		Forbidden: func(m string, ev watch.Event) string {
			u, ok := isW1(ev)
			if !ok {
				return ""
			}
			if ev.Type == watch.Deleted {
				return fmt.Sprintf("the copy of w1 in %s was deleted by disable", m)
			}
			size, _, _ := unstructured.NestedInt64(u.Object, "spec", "size")
			color, _, _ := unstructured.NestedString(u.Object, "spec", "style", "color")
			return fmt.Sprintf("the copy of w1 in %s was written after disable (%s: size %d, color %s)", m, e2eutil.DescribeEvent(ev), size, color)
		},
	}.Run(t)
	t.Logf("a template change reached both members %s after it was made while enabled; the copies were watched for %s after disable and a second change", res.ControlLatency.Round(time.Millisecond), res.Window.Round(100*time.Millisecond))

	out, code := e.kubefedctlErr(t, "disable", "widgets.example.com", "--delete-crd")
	if code == 0 || !strings.Contains(out, "cannot delete CRD federatedwidgets.types.kubefed.io while 1 FederatedWidget objects exist ("+appNS+"/w1)") {
		t.Errorf("disable --delete-crd with an object: exit %d", code)
	}
	out = e.kubefedctl(t, "disable", "widgets.example.com", "--delete-crd", "--force")
	contains(t, out, `federatedtypeconfig "`+ns+`/widgets.example.com" deleted`, `customresourcedefinition "federatedwidgets.types.kubefed.io" deleted`)
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		if err := e.host.Get(ctx, client.ObjectKey{Name: "federatedwidgets.types.kubefed.io"}, &apiextensionsv1.CustomResourceDefinition{}); !apierrors.IsNotFound(err) {
			return fmt.Errorf("CRD still there (%v)", err)
		}
		return nil
	}, "federated CRD deleted")

	// Enable again: a new object propagates.
	out = e.kubefedctl(t, "enable", "widgets.example.com")
	contains(t, out, "federatedwidgets.types.kubefed.io created", "Sync controller of widgets.example.com is running.")
	if err := createFederatedWidget(t, e.host, "w2", 4); err != nil {
		t.Fatal(err)
	}
	e.waitWidgetSize(t, "member1", "w2", 4)
	e.waitWidgetSize(t, "member2", "w2", 5)
}

func testEnableBuiltin(t *testing.T, e *chartEnv) {
	out := e.kubefedctl(t, "enable", "poddisruptionbudgets.policy")
	contains(t, out, "federatedpoddisruptionbudgets.types.kubefed.io created", "Sync controller of poddisruptionbudgets.policy is running.")
	u := &unstructured.Unstructured{}
	manifest := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedPodDisruptionBudget", "metadata": {"name": "web", "namespace": "` + appNS + `"},
		"spec": {"template": {"spec": {"minAvailable": 1, "selector": {"matchLabels": {"app": "web"}}}}, "placement": {"clusterSelector": {}}}}`
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	if err := e.host.Create(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"member1", "member2"} {
		e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
			pdb := &policyv1.PodDisruptionBudget{}
			if err := e.members[m].Get(ctx, client.ObjectKey{Namespace: appNS, Name: "web"}, pdb); err != nil {
				return err
			}
			if pdb.Spec.MinAvailable == nil || *pdb.Spec.MinAvailable != intstr.FromInt32(1) {
				return fmt.Errorf("minAvailable %v", pdb.Spec.MinAvailable)
			}
			return nil
		}, "PodDisruptionBudget in %s", m)
	}
}

// testFederatedGroup enables a CRD into a federated group other than
// types.kubefed.io: enable grants the controller access through the chart's
// aggregated ClusterRole, and an object propagates without a restart.
func testFederatedGroup(t *testing.T, e *chartEnv) {
	gadgets := strings.NewReplacer("widgets", "gadgets", "Widget", "Gadget", "widget", "gadget").Replace(widgetCRD)
	for _, c := range append([]client.Client{e.host}, e.members["member1"], e.members["member2"]) {
		installCRD(t, c, gadgets, "example.com/v1", "GadgetList")
	}
	out := e.kubefedctl(t, "enable", "gadgets.example.com", "--federated-group", "federated.example.com")
	contains(t, out, "customresourcedefinition.apiextensions.k8s.io/federatedgadgets.federated.example.com created",
		"clusterrole.rbac.authorization.k8s.io/kubefed-role:federated:federated.example.com created",
		"Sync controller of gadgets.example.com is running.")
	u := &unstructured.Unstructured{}
	manifest := `{"apiVersion": "federated.example.com/v1beta1", "kind": "FederatedGadget", "metadata": {"name": "g1", "namespace": "` + appNS + `"},
		"spec": {"template": {"spec": {"size": 7}}, "placement": {"clusterSelector": {}}}}`
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	if err := e.host.Create(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	for _, m := range []string{"member1", "member2"} {
		e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
			g := &unstructured.Unstructured{}
			g.SetAPIVersion("example.com/v1")
			g.SetKind("Gadget")
			if err := e.members[m].Get(ctx, client.ObjectKey{Namespace: appNS, Name: "g1"}, g); err != nil {
				return err
			}
			if size, _, _ := unstructured.NestedInt64(g.Object, "spec", "size"); size != 7 {
				return fmt.Errorf("size %d", size)
			}
			return nil
		}, "Gadget g1 in %s", m)
	}
}

// fedAppNS is the namespace whose contents are federated in one command.
const fedAppNS = "fed-app"

func testFederateContents(t *testing.T, e *chartEnv) {
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

	out := e.kubefedctl(t, "federate", "namespace", fedAppNS, "--contents")
	contains(t, out, `Successfully created FederatedNamespace "fed-app/fed-app" from Namespace`,
		`Successfully created FederatedDeployment "fed-app/web" from Deployment`,
		`Successfully created FederatedConfigMap "fed-app/cfg" from ConfigMap`,
		`Successfully created FederatedService "fed-app/web" from Service`)
	if strings.Contains(out, "kube-root-ca.crt") || strings.Contains(out, "ReplicaSet") || strings.Contains(out, `"fed-app/default"`) {
		t.Errorf("federate --contents federated objects the clusters make themselves:\n%s", out)
	}
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
	adopted := &corev1.ConfigMap{}
	if err := e.members["member1"].Get(ctx, client.ObjectKeyFromObject(pre), adopted); err != nil {
		t.Fatal(err)
	}
	if adopted.UID != pre.UID {
		t.Error("member1's ConfigMap was recreated, not adopted")
	}
	for _, obj := range []client.Object{deploy.DeepCopy(), cm.DeepCopy(), svc.DeepCopy()} {
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
		if got, want := obj.GetResourceVersion(), hostVersions[fmt.Sprintf("%T", obj)]; got != want {
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

func testStatus(t *testing.T, e *chartEnv) {
	ctx := t.Context()
	// Healthy: every row Propagated, the workload columns filled, exit 0.
	var out string
	e2eutil.Eventually(t, 90*time.Second, func(context.Context) error {
		var code int
		out, code = e.kubefedctlErr(t, "status", "deployments", "web", "-n", fedAppNS)
		if code != 0 || !strings.Contains(out, "replicas 4/4 ready") {
			return fmt.Errorf("exit %d:\n%s", code, out)
		}
		return nil
	}, "status of the healthy FederatedDeployment exits 0 with 4/4 replicas ready")
	contains(t, out, "CLUSTER", "DESIRED", "member1", "member2", "Ready", "Propagated", "gen:", "Propagation=True", "2/2 clusters propagated")

	// A failed cluster: an override that cannot apply to member2.
	u := &unstructured.Unstructured{}
	manifest := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedConfigMap", "metadata": {"name": "broken", "namespace": "` + fedAppNS + `"},
		"spec": {"template": {"data": {"k": "v"}}, "placement": {"clusterSelector": {}},
		"overrides": [{"clusterName": "member2", "clusterOverrides": [{"op": "remove", "path": "/data/missing/deeper"}]}]}}`
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	if err := e.host.Create(ctx, u); err != nil {
		t.Fatal(err)
	}
	e2eutil.Eventually(t, time.Minute, func(context.Context) error {
		var code int
		out, code = e.kubefedctlErr(t, "status", "FederatedConfigMap", "broken", "-n", fedAppNS, "-o", "wide")
		if code != 2 || !strings.Contains(out, "ApplyOverridesFailed") {
			return fmt.Errorf("exit %d:\n%s", code, out)
		}
		return nil
	}, "status of a FederatedConfigMap failing in member2 exits 2 naming ApplyOverridesFailed")
	contains(t, out, "member1  Ready", "NotPropagated", "is not propagated to member2 (ApplyOverridesFailed)")

	// An Offline cluster.
	member2 := e.fed.Cluster("member2")
	if err := member2.Stop(ctx); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		_ = member2.Start(ctx)
	})
	e2eutil.Eventually(t, 90*time.Second, func(context.Context) error {
		var code int
		out, code = e.kubefedctlErr(t, "status", "fdeploy", "web", "-n", fedAppNS)
		if code != 2 || !strings.Contains(out, "ClusterNotReady") {
			return fmt.Errorf("exit %d:\n%s", code, out)
		}
		return nil
	}, "status of the FederatedDeployment with member2 stopped exits 2 naming ClusterNotReady")
	if !strings.Contains(out, "Offline") && !strings.Contains(out, "NotReady") {
		t.Errorf("member2's health is not shown as Offline or NotReady:\n%s", out)
	}
}

// testKubectlPlugin runs kubefedctl as the kubectl plugin kubectl-kubefed.
func testKubectlPlugin(t *testing.T, e *chartEnv) {
	dir := t.TempDir()
	if err := os.Symlink(filepath.Join(e.binDir, "kubefedctl"), filepath.Join(dir, "kubectl-kubefed")); err != nil {
		t.Fatal(err)
	}
	run := func(args ...string) string {
		cmd := exec.CommandContext(t.Context(), filepath.Join(e.binDir, "kubectl"), args...)
		cmd.Env = append(os.Environ(), "PATH="+dir+string(os.PathListSeparator)+os.Getenv("PATH"))
		out, err := cmd.CombinedOutput()
		t.Logf("kubectl %s:\n%s(error: %v)", strings.Join(args, " "), out, err)
		if err != nil {
			t.Fatalf("kubectl %s: %v", strings.Join(args, " "), err)
		}
		return string(out)
	}
	contains(t, run("kubefed", "--help"), "kubectl kubefed [command]", "enable", "federate", "orphaning-deletion", "status")
	contains(t, run("kubefed", "--kubeconfig", e.fed.Kubeconfig(), "--host-cluster-context", "host", "orphaning-deletion", "status", "FederatedPodDisruptionBudget", "web", "-n", appNS), "Disabled")
	contains(t, run("kubefed", "completion", "bash"), "bash completion")
}

// testSelfJoinedHost joins the host into itself, as KubeFed's docs do, and
// places a FederatedWidget there: the controller writes the host's own
// Widgets with the joined ServiceAccount's rights, not the chart's.
func testSelfJoinedHost(t *testing.T, e *chartEnv) {
	e.kubefedctl(t, "join", "host", "--cluster-context", "host")
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		kfc := &fedcorev1b1.KubeFedCluster{}
		if err := e.host.Get(ctx, client.ObjectKey{Namespace: ns, Name: "host"}, kfc); err != nil {
			return err
		}
		if h := health(kfc); h != "Ready" {
			return fmt.Errorf("KubeFedCluster host is %s", h)
		}
		return nil
	}, "the host joined into itself Ready")
	u := &unstructured.Unstructured{}
	manifest := `{"apiVersion": "types.kubefed.io/v1beta1", "kind": "FederatedWidget", "metadata": {"name": "at-home", "namespace": "` + appNS + `"},
		"spec": {"template": {"spec": {"size": 9}}, "placement": {"clusters": [{"name": "host"}]}}}`
	if err := yaml.Unmarshal([]byte(manifest), &u.Object); err != nil {
		t.Fatal(err)
	}
	if err := e.host.Create(t.Context(), u); err != nil {
		t.Fatal(err)
	}
	e2eutil.Eventually(t, time.Minute, func(ctx context.Context) error {
		w := widget(t, e.host, "at-home")
		if w == nil {
			return fmt.Errorf("no Widget %s/at-home in the host", appNS)
		}
		if size, _, _ := unstructured.NestedInt64(w.Object, "spec", "size"); size != 9 {
			return fmt.Errorf("size %d", size)
		}
		return nil
	}, "the Widget of a FederatedWidget placed on the host itself")
	// The Widget can be there before the status is written: poll.
	e2eutil.Eventually(t, time.Minute, func(context.Context) error {
		out, code := e.kubefedctlErr(t, "status", "widgets", "at-home", "-n", appNS)
		if code != 0 || !strings.Contains(out, "host     Ready   Propagated") {
			return fmt.Errorf("exit %d:\n%s", code, out)
		}
		return nil
	}, "status of the FederatedWidget on the host exits 0 with the host's row")
}
