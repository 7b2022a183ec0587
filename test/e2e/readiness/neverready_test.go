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

package readiness_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/cli-utils/pkg/kstatus/status"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
	"github.com/kubefed/kubefed/test/framework"
	"github.com/kubefed/kubefed/test/testenv"
)

// TestNeverReadyImage checks the local clusters' simulation of an image
// that never becomes ready: in the same member, a Deployment of
// framework.NeverReadyImage runs Pods that stay Running and not ready, and
// passes its progress deadline, while a Deployment of any other image
// becomes ready as always; changing the image makes the first one ready.
// Kubernetes' own controllers and kstatus judge the outcome.
func TestNeverReadyImage(t *testing.T) {
	fed := framework.New(t, framework.Options{Members: framework.MemberNames(1), Nodes: 1})
	cs, err := fed.Members[0].Clientset()
	if err != nil {
		t.Fatal(err)
	}
	ctx := t.Context()
	for _, d := range []*appsv1.Deployment{
		plainDeployment("web", "nginx", 2),
		plainDeployment("stuck", framework.NeverReadyImage, 2),
	} {
		if _, err := cs.AppsV1().Deployments("default").Create(ctx, d, metav1.CreateOptions{}); err != nil {
			t.Fatalf("creating Deployment %s: %v", d.Name, err)
		}
	}

	waitDeployment(t, cs, "web", status.CurrentStatus)
	// Past its progress deadline, the Deployment controller reports
	// ProgressDeadlineExceeded: kstatus's Failed.
	stuck := waitDeployment(t, cs, "stuck", status.FailedStatus)
	if stuck.Status.ReadyReplicas != 0 || stuck.Status.AvailableReplicas != 0 {
		t.Errorf("Deployment stuck: %d ready, %d available replicas, want none", stuck.Status.ReadyReplicas, stuck.Status.AvailableReplicas)
	}
	pods, err := cs.CoreV1().Pods("default").List(ctx, metav1.ListOptions{LabelSelector: "app=stuck"})
	if err != nil {
		t.Fatal(err)
	}
	if len(pods.Items) != 2 {
		t.Errorf("Deployment stuck has %d Pods, want 2", len(pods.Items))
	}
	for _, p := range pods.Items {
		if p.Status.Phase != corev1.PodRunning || p.Status.PodIP == "" || e2eutil.PodReady(&p) {
			t.Errorf("Pod %s: phase %s, IP %q, ready %v; want Running with an IP and not ready", p.Name, p.Status.Phase, p.Status.PodIP, e2eutil.PodReady(&p))
		}
	}

	// Another image: the new Pods become ready and the rollout completes.
	stuck.Spec.Template.Spec.Containers[0].Image = "nginx"
	if _, err := cs.AppsV1().Deployments("default").Update(ctx, stuck, metav1.UpdateOptions{}); err != nil {
		t.Fatalf("updating Deployment stuck: %v", err)
	}
	waitDeployment(t, cs, "stuck", status.CurrentStatus)
}

// plainDeployment is a Deployment of one container with a 5 s progress
// deadline.
func plainDeployment(name, image string, replicas int32) *appsv1.Deployment {
	labels := map[string]string{"app": name}
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name, Namespace: "default"},
		Spec: appsv1.DeploymentSpec{
			Replicas:                ptr.To(replicas),
			ProgressDeadlineSeconds: ptr.To[int32](5),
			Selector:                &metav1.LabelSelector{MatchLabels: labels},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: labels},
				Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: image}}},
			},
		},
	}
}

// waitDeployment waits until kstatus computes want for the Deployment and
// returns it as it was then.
func waitDeployment(t *testing.T, cs kubernetes.Interface, name string, want status.Status) *appsv1.Deployment {
	t.Helper()
	var got *appsv1.Deployment
	testenv.Eventually(t, 2*time.Minute, func(ctx context.Context) error {
		d, err := cs.AppsV1().Deployments("default").Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			return err
		}
		u, err := runtime.DefaultUnstructuredConverter.ToUnstructured(d)
		if err != nil {
			return err
		}
		obj := &unstructured.Unstructured{Object: u}
		// A typed Get leaves the kind out; kstatus picks its rules by it.
		obj.SetGroupVersionKind(appsv1.SchemeGroupVersion.WithKind("Deployment"))
		res, err := status.Compute(obj)
		if err != nil {
			return err
		}
		if res.Status != want {
			return fmt.Errorf("kstatus %s (%s)", res.Status, res.Message)
		}
		got = d
		return nil
	}, "kstatus %s for Deployment %s", want, name)
	return got
}
