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

package federatedtypes

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// FederatedTypeConfig returns the FederatedTypeConfig of t, named as KubeFed
// names them (deployments.apps, configmaps) and without a namespace: it
// belongs in the control-plane namespace, which the installer sets.
// Propagation is enabled; status collection is enabled for workloads and
// Services.
func FederatedTypeConfig(t TargetType) *fedcorev1b1.FederatedTypeConfig {
	ftc := &fedcorev1b1.FederatedTypeConfig{
		TypeMeta: metav1.TypeMeta{
			APIVersion: fedcorev1b1.GroupVersion.String(),
			Kind:       "FederatedTypeConfig",
		},
		ObjectMeta: metav1.ObjectMeta{Name: t.FederatedTypeConfigName()},
		Spec: fedcorev1b1.FederatedTypeConfigSpec{
			TargetType:    t.TargetAPIResource(),
			Propagation:   fedcorev1b1.PropagationEnabled,
			FederatedType: t.FederatedAPIResource(),
		},
	}
	if t.StatusCollection {
		mode := fedcorev1b1.StatusCollectionEnabled
		ftc.Spec.StatusCollection = &mode
	}
	return ftc
}
