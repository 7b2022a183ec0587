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

package admission

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"

	admissionv1 "k8s.io/api/admission/v1"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apiequality "k8s.io/apimachinery/pkg/api/equality"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/klog/v2"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/healthrules"
)

const (
	// HealthRulesPath is the path HealthRules is served at.
	HealthRulesPath = "/validate-core-kubefed-io-v1beta1-federatedtypeconfig-health"
	// HealthRulesWebhookName is the name of the webhook in the
	// ValidatingWebhookConfiguration; the API server's refusal quotes it.
	HealthRulesWebhookName = "health-rules.core.kubefed.io"
)

// HealthRulesRules are the requests HealthRules validates: creates and
// updates of FederatedTypeConfigs (not their status).
func HealthRulesRules() []admissionregistrationv1.RuleWithOperations {
	return []admissionregistrationv1.RuleWithOperations{{
		Operations: []admissionregistrationv1.OperationType{admissionregistrationv1.Create, admissionregistrationv1.Update},
		Rule: admissionregistrationv1.Rule{
			APIGroups:   []string{fedcorev1b1.GroupVersion.Group},
			APIVersions: []string{fedcorev1b1.GroupVersion.Version},
			Resources:   []string{"federatedtypeconfigs"},
		},
	}}
}

// HealthRulesMatchConditions narrow HealthRulesRules to the requests that
// write health rules: a FederatedTypeConfig with spec.health, created or
// with spec.health changed. The others never reach the webhook, so
// FederatedTypeConfigs without health rules do not depend on it at all.
func HealthRulesMatchConditions() []admissionregistrationv1.MatchCondition {
	return []admissionregistrationv1.MatchCondition{
		{Name: "has-health-rules", Expression: "has(object.spec.health)"},
		{Name: "health-rules-written", Expression: "request.operation == 'CREATE' || !has(oldObject.spec.health) || oldObject.spec.health != object.spec.health"},
	}
}

// NewHealthRulesWebhook returns HealthRules as an admission webhook, to
// register at HealthRulesPath.
func NewHealthRulesWebhook() *webhook.Admission {
	return &webhook.Admission{Handler: HealthRules{}}
}

// HealthRules refuses a FederatedTypeConfig whose spec.health has an
// expression that does not compile (healthrules.Compile). It checks
// creates, and updates that change spec.health: a rule that is already
// stored is left to the controller, which reports it on the federated
// objects.
type HealthRules struct{}

var _ admission.Handler = HealthRules{}

// Handle implements admission.Handler.
func (HealthRules) Handle(ctx context.Context, req admission.Request) admission.Response {
	if req.Operation != admissionv1.Create && req.Operation != admissionv1.Update {
		return admission.Allowed("")
	}
	ftc := &fedcorev1b1.FederatedTypeConfig{}
	if err := json.Unmarshal(req.Object.Raw, ftc); err != nil {
		return admission.Errored(http.StatusBadRequest, fmt.Errorf("decoding FederatedTypeConfig %s/%s: %w", req.Namespace, req.Name, err))
	}
	if ftc.Spec.Health == nil {
		return admission.Allowed("no health rules")
	}
	if req.Operation == admissionv1.Update {
		old := &fedcorev1b1.FederatedTypeConfig{}
		if err := json.Unmarshal(req.OldObject.Raw, old); err != nil {
			return admission.Errored(http.StatusBadRequest, fmt.Errorf("decoding the stored FederatedTypeConfig %s/%s: %w", req.Namespace, req.Name, err))
		}
		if apiequality.Semantic.DeepEqual(old.Spec.Health, ftc.Spec.Health) {
			return admission.Allowed("health rules unchanged")
		}
	}
	errs := validateHealthRules(ftc.Spec.Health, field.NewPath("spec", "health"))
	if len(errs) == 0 {
		return admission.Allowed("")
	}
	ctrl.LoggerFrom(ctx).V(1).Info("Refused health rules that do not compile", "federatedTypeConfig", klog.KObj(ftc), "errors", errs.ToAggregate().Error())
	status := apierrors.NewInvalid(fedcorev1b1.GroupVersion.WithKind("FederatedTypeConfig").GroupKind(), ftc.Name, errs).ErrStatus
	return admission.Response{AdmissionResponse: admissionv1.AdmissionResponse{Allowed: false, Result: &status}}
}

// validateHealthRules compiles each expression on its own, so that the
// refusal lists every expression that does not compile. Compile's error
// names the field and quotes CEL's message, which points at the expression;
// the value itself is left out of the refusal (it can be 4 KiB long).
func validateHealthRules(h *fedcorev1b1.HealthRules, path *field.Path) field.ErrorList {
	var errs field.ErrorList
	for _, e := range []struct {
		field string
		rules fedcorev1b1.HealthRules
	}{
		{"readyWhen", fedcorev1b1.HealthRules{ReadyWhen: h.ReadyWhen}},
		{"failedWhen", fedcorev1b1.HealthRules{FailedWhen: h.FailedWhen}},
	} {
		if e.rules == (fedcorev1b1.HealthRules{}) {
			continue
		}
		if _, err := healthrules.Compile(&e.rules); err != nil {
			errs = append(errs, field.Invalid(path.Child(e.field), field.OmitValueType{},
				fmt.Sprintf("%v (fix the expression: it sees the member copy as self and returns a bool; or remove %s)", err, e.field)))
		}
	}
	return errs
}
