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

package deploy_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"

	"github.com/kubefed/kubefed/test/e2e/e2eutil"
)

// The admission webhook of FederatedTypeConfig health rules as the chart
// installs it (charts/kubefed/templates/webhook.yaml): served by the
// controller manager's Pods, called by the host's API server through the
// chart's Service.
const (
	webhookService = "kubefed-controller-manager-webhook"
	webhookConfig  = "kubefed-health-rules." + ns
	webhookName    = "health-rules.core.kubefed.io"
	// typeConfig is the chart's FederatedTypeConfig of ConfigMaps, which
	// the propagation steps use.
	typeConfig = "configmaps"
)

var ftcGVR = schema.GroupVersionResource{Group: "core.kubefed.io", Version: "v1beta1", Resource: "federatedtypeconfigs"}

// testWebhook checks that the host's API server calls the chart's webhook
// through its Service, whose endpoints are the controller manager's Pods
// on the real node: a FederatedTypeConfig whose health rule does not
// compile is refused, on create and on update, with the webhook's answer
// naming the field; a valid rule is stored. The chart's FederatedTypeConfig
// of ConfigMaps is given back as it was.
func testWebhook(t *testing.T, e *env) {
	ctx := t.Context()
	e.checkWebhookService(t)
	// The API server reads webhook configurations and endpoints through
	// informers: wait until its first call is answered.
	e.waitWebhookAnswers(t, time.Minute)

	t.Run("create with a failedWhen that does not compile is refused", func(t *testing.T) {
		ftc := widgetFTC(map[string]any{"failedWhen": "self.status.phase == 'Failed' &&"})
		_, err := e.hostDyn.Resource(ftcGVR).Namespace(ns).Create(ctx, ftc, metav1.CreateOptions{})
		checkRefusal(t, err, "spec.health.failedWhen")
		t.Logf("the host's API server refuses the create: %v", err)
		if _, err := e.hostDyn.Resource(ftcGVR).Namespace(ns).Get(ctx, ftc.GetName(), metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("after the refusal, getting FederatedTypeConfig %s: %v, want NotFound", ftc.GetName(), err)
		}
	})

	before, err := e.hostDyn.Resource(ftcGVR).Namespace(ns).Get(ctx, typeConfig, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := before.Object["spec"].(map[string]any)["health"]; ok {
		t.Fatalf("the chart's FederatedTypeConfig %s has health rules: %v", typeConfig, before.Object["spec"])
	}
	t.Cleanup(func() {
		// Removing spec.health is not sent to the webhook (its
		// matchConditions): the chart's object is given back whatever
		// the webhook does.
		patch := []byte(`{"spec":{"health":null}}`)
		if _, err := e.hostDyn.Resource(ftcGVR).Namespace(ns).Patch(context.Background(), typeConfig, types.MergePatchType, patch, metav1.PatchOptions{}); err != nil {
			t.Errorf("giving FederatedTypeConfig %s back without health rules: %v", typeConfig, err)
		}
	})

	t.Run("update with a readyWhen that does not compile is refused", func(t *testing.T) {
		_, err := e.patchHealth(ctx, map[string]any{"readyWhen": "has(self.data) &&"})
		checkRefusal(t, err, "spec.health.readyWhen")
		got, err := e.hostDyn.Resource(ftcGVR).Namespace(ns).Get(ctx, typeConfig, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		if got.GetResourceVersion() != before.GetResourceVersion() {
			t.Errorf("FederatedTypeConfig %s changed after the refusal: resourceVersion %s, was %s; spec %v",
				typeConfig, got.GetResourceVersion(), before.GetResourceVersion(), got.Object["spec"])
		}
	})

	t.Run("update with valid health rules is stored", func(t *testing.T) {
		readyWhen := "has(self.data)"
		stored, err := e.patchHealth(ctx, map[string]any{"readyWhen": readyWhen})
		if err != nil {
			t.Fatalf("setting readyWhen %q on FederatedTypeConfig %s: %v", readyWhen, typeConfig, err)
		}
		if got, _, _ := unstructured.NestedString(stored.Object, "spec", "health", "readyWhen"); got != readyWhen {
			t.Errorf("stored readyWhen %q, want %q", got, readyWhen)
		}
	})
}

// checkWebhookService checks that the chart's webhook configuration calls
// its Service, and that the Service's endpoints are the controller
// manager's Pods, ready, on the real node.
func (e *env) checkWebhookService(t *testing.T) {
	ctx := t.Context()
	vwc, err := e.host.AdmissionregistrationV1().ValidatingWebhookConfigurations().Get(ctx, webhookConfig, metav1.GetOptions{})
	if err != nil {
		t.Fatalf("the chart's webhook configuration: %v", err)
	}
	if len(vwc.Webhooks) != 1 || vwc.Webhooks[0].Name != webhookName {
		t.Fatalf("webhook configuration %s has webhooks %v, want %s", webhookConfig, vwc.Webhooks, webhookName)
	}
	cc := vwc.Webhooks[0].ClientConfig
	if cc.URL != nil || cc.Service == nil || cc.Service.Name != webhookService || cc.Service.Namespace != ns {
		t.Fatalf("webhook %s is called at %+v, want the Service %s/%s", webhookName, cc, ns, webhookService)
	}
	pods, err := e.pods(ctx)
	if err != nil {
		t.Fatal(err)
	}
	var want []string
	for _, p := range pods {
		if p.Spec.NodeName != e.node.Name {
			t.Errorf("pod %s runs on %q, want the real node %s", p.Name, p.Spec.NodeName, e.node.Name)
		}
		want = append(want, p.Status.PodIP)
	}
	slices.Sort(want)
	e2eutil.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		list, err := e.host.DiscoveryV1().EndpointSlices(ns).List(ctx, metav1.ListOptions{LabelSelector: "kubernetes.io/service-name=" + webhookService})
		if err != nil {
			return err
		}
		var ready []string
		for _, s := range list.Items {
			for _, ep := range s.Endpoints {
				if ep.Conditions.Ready != nil && *ep.Conditions.Ready {
					ready = append(ready, ep.Addresses...)
				}
			}
		}
		if !equalSorted(ready, want) {
			return fmt.Errorf("service %s has ready endpoints %v, want the Pods' %v", webhookService, ready, want)
		}
		return nil
	}, "the webhook Service's endpoints are the controller manager's Pods")
}

func equalSorted(a, b []string) bool {
	a = slices.Clone(a)
	slices.Sort(a)
	return slices.Equal(a, b)
}

// waitWebhookAnswers waits until a server-side dry run of a
// FederatedTypeConfig whose readyWhen does not compile is refused by the
// webhook. The last error says why not: "failed calling webhook" when the
// API server cannot reach it.
func (e *env) waitWebhookAnswers(t testing.TB, timeout time.Duration) {
	t.Helper()
	e2eutil.Eventually(t, timeout, func(ctx context.Context) error {
		ftc := widgetFTC(map[string]any{"readyWhen": "self.status.ready =="})
		_, err := e.hostDyn.Resource(ftcGVR).Namespace(ns).Create(ctx, ftc, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
		if err == nil {
			return errors.New("a readyWhen that does not compile was accepted")
		}
		return refusal(err, "spec.health.readyWhen")
	}, "the host's API server calls webhook %s through Service %s/%s", webhookName, ns, webhookService)
}

// checkRefusal fails the test unless err is the webhook's refusal of the
// health rule at field.
func checkRefusal(t testing.TB, err error, field string) {
	t.Helper()
	if err == nil {
		t.Fatalf("a %s that does not compile was accepted", field)
	}
	if err := refusal(err, field); err != nil {
		t.Fatal(err)
	}
}

// refusal returns nil when err is webhookName's refusal of the health rule
// at field: Invalid, with the API server's "denied the request" naming the
// webhook, CEL's syntax error, and the field as the cause.
func refusal(err error, field string) error {
	msg := err.Error()
	if !apierrors.IsInvalid(err) || !strings.Contains(msg, fmt.Sprintf("admission webhook %q denied the request", webhookName)) {
		return fmt.Errorf("not refused by webhook %s: %w", webhookName, err)
	}
	for _, want := range []string{field, "Syntax error"} {
		if !strings.Contains(msg, want) {
			return fmt.Errorf("the webhook's refusal does not say %q: %s", want, msg)
		}
	}
	var status apierrors.APIStatus
	if !errors.As(err, &status) || status.Status().Details == nil ||
		!slices.ContainsFunc(status.Status().Details.Causes, func(c metav1.StatusCause) bool { return c.Field == field }) {
		return fmt.Errorf("the webhook's refusal has no cause at %s: %w", field, err)
	}
	return nil
}

// widgetFTC is a FederatedTypeConfig, in the release namespace, of a
// custom resource with the given health rules.
func widgetFTC(health map[string]any) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "core.kubefed.io/v1beta1", "kind": "FederatedTypeConfig",
		"metadata": map[string]any{"name": "widgets.example.com", "namespace": ns},
		"spec": map[string]any{
			"targetType":    map[string]any{"group": "example.com", "version": "v1", "kind": "Widget", "pluralName": "widgets", "scope": "Namespaced"},
			"federatedType": map[string]any{"group": "types.example.com", "version": "v1", "kind": "FederatedWidget", "pluralName": "federatedwidgets", "scope": "Namespaced"},
			"propagation":   "Enabled",
			"health":        health,
		},
	}}
}

// patchHealth sets the health rules of the chart's FederatedTypeConfig of
// ConfigMaps.
func (e *env) patchHealth(ctx context.Context, health map[string]any) (*unstructured.Unstructured, error) {
	patch, err := json.Marshal(map[string]any{"spec": map[string]any{"health": health}})
	if err != nil {
		return nil, err
	}
	return e.hostDyn.Resource(ftcGVR).Namespace(ns).Patch(ctx, typeConfig, types.MergePatchType, patch, metav1.PatchOptions{})
}

// webhookProbe asks the webhook every 100 ms, with server-side dry runs of
// a FederatedTypeConfig whose readyWhen does not compile, until stopped.
type webhookProbe struct {
	stop  chan struct{}
	done  chan struct{}
	calls int
	// failed are the answers that were not the webhook's refusal, with
	// their time.
	failed []string
}

// probeWebhook starts a webhookProbe.
func (e *env) probeWebhook(ctx context.Context) *webhookProbe {
	p := &webhookProbe{stop: make(chan struct{}), done: make(chan struct{})}
	start := time.Now()
	go func() {
		defer close(p.done)
		for {
			select {
			case <-p.stop:
				return
			case <-ctx.Done():
				return
			case <-time.After(100 * time.Millisecond):
			}
			ftc := widgetFTC(map[string]any{"readyWhen": "self.status.ready =="})
			_, err := e.hostDyn.Resource(ftcGVR).Namespace(ns).Create(ctx, ftc, metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}})
			if err == nil {
				err = errors.New("accepted")
			} else {
				err = refusal(err, "spec.health.readyWhen")
			}
			p.calls++
			if err != nil && ctx.Err() == nil {
				p.failed = append(p.failed, fmt.Sprintf("%s: %v", time.Since(start).Round(time.Millisecond), err))
			}
		}
	}()
	return p
}

// check stops the probe and fails the test unless every call was answered
// by the webhook.
func (p *webhookProbe) check(t testing.TB, during string) {
	t.Helper()
	close(p.stop)
	<-p.done
	t.Logf("%d calls of the webhook %s, %d not answered", p.calls, during, len(p.failed))
	if p.calls == 0 {
		t.Errorf("the webhook was not called %s", during)
	}
	for _, f := range p.failed {
		t.Errorf("%s, the host's API server did not get the webhook's answer at %s", during, f)
	}
}
