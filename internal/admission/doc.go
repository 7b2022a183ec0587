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

// Package admission holds the controller manager's admission webhooks:
// what the API server cannot check by itself. Today that is one check: the
// CEL expressions of a FederatedTypeConfig's spec.health
// (internal/healthrules) must compile. Neither the CRD's schema nor a
// ValidatingAdmissionPolicy can compile a string as CEL, so the API server
// asks the controller manager, which serves HealthRules at
// HealthRulesPath on controller-runtime's webhook server
// (cmd/controller-manager/app).
//
// The package also says what the API server must send: HealthRulesRules
// and HealthRulesMatchConditions. The chart's ValidatingWebhookConfiguration
// (charts/kubefed/templates/webhook.yaml) carries the same, and test/chart
// checks that it does. The match conditions keep every other
// FederatedTypeConfig away from the webhook: one without spec.health, and
// an update that leaves spec.health as it was (so that a rule stored before
// the webhook was installed never blocks the controller's finalizer, a
// label change or a deletion).
package admission
