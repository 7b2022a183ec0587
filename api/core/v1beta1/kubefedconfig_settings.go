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

package v1beta1

import (
	"context"
	"fmt"
	"time"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Settings are the effective values of a KubeFedConfig: what its spec says,
// and the API's defaults (the Default* constants, which the CRD schema
// applies too) for what it omits. Every controller reads its settings
// through KubeFedConfigSpec.Settings, so that there is one set of defaults.
// +kubebuilder:object:generate=false
type Settings struct {
	// Scope of the control plane.
	Scope apiextensionsv1.ResourceScope
	// AvailableDelay, UnavailableDelay and CacheSyncTimeout are
	// spec.controllerDuration.
	AvailableDelay, UnavailableDelay, CacheSyncTimeout time.Duration
	// LeaseDuration, RenewDeadline and RetryPeriod are spec.leaderElect.
	LeaseDuration, RenewDeadline, RetryPeriod time.Duration
	// HealthCheckPeriod, HealthCheckTimeout, FailureThreshold and
	// SuccessThreshold are spec.clusterHealthCheck.
	HealthCheckPeriod, HealthCheckTimeout time.Duration
	FailureThreshold, SuccessThreshold    int64
	// SyncWorkers is spec.syncController.maxConcurrentReconciles.
	SyncWorkers int
	// AdoptResources is spec.syncController.adoptResources == Enabled.
	AdoptResources bool
	// spec is kept for the feature gates.
	spec *KubeFedConfigSpec
}

// FeatureGateEnabled reports whether the named feature is enabled (see
// KubeFedConfigSpec.FeatureGateEnabled).
func (s Settings) FeatureGateEnabled(name FeatureGateName) bool {
	if s.spec == nil {
		return DefaultFeatureGates[name] == ConfigurationEnabled
	}
	return s.spec.FeatureGateEnabled(name)
}

// ReadSettings reads the control plane's KubeFedConfig (KubeFedConfigName in
// namespace) and returns its effective settings: the one reader of
// KubeFedConfig for the controllers. No KubeFedConfig means every default;
// any other read error is returned, naming the object.
func ReadSettings(ctx context.Context, r client.Reader, namespace string) (Settings, error) {
	cfg := &KubeFedConfig{}
	err := r.Get(ctx, client.ObjectKey{Namespace: namespace, Name: KubeFedConfigName}, cfg)
	switch {
	case err == nil:
		return cfg.Spec.Settings(), nil
	case apierrors.IsNotFound(err):
		return (*KubeFedConfigSpec)(nil).Settings(), nil
	default:
		return Settings{}, fmt.Errorf("reading KubeFedConfig %s/%s: %w", namespace, KubeFedConfigName, err)
	}
}

// Settings returns the effective settings of the spec; a nil spec (no
// KubeFedConfig) yields every default with Cluster scope.
func (s *KubeFedConfigSpec) Settings() Settings {
	if s == nil {
		s = &KubeFedConfigSpec{}
	}
	out := Settings{
		Scope:              s.Scope,
		AvailableDelay:     mustDuration(DefaultClusterAvailableDelay),
		UnavailableDelay:   mustDuration(DefaultClusterUnavailableDelay),
		CacheSyncTimeout:   mustDuration(DefaultCacheSyncTimeout),
		LeaseDuration:      mustDuration(DefaultLeaderElectionLeaseDuration),
		RenewDeadline:      mustDuration(DefaultLeaderElectionRenewDeadline),
		RetryPeriod:        mustDuration(DefaultLeaderElectionRetryPeriod),
		HealthCheckPeriod:  mustDuration(DefaultClusterHealthCheckPeriod),
		HealthCheckTimeout: mustDuration(DefaultClusterHealthCheckTimeout),
		FailureThreshold:   DefaultClusterHealthCheckFailureThreshold,
		SuccessThreshold:   DefaultClusterHealthCheckSuccessThreshold,
		SyncWorkers:        DefaultSyncControllerMaxConcurrentReconciles,
		AdoptResources:     true,
		spec:               s,
	}
	if out.Scope == "" {
		out.Scope = apiextensionsv1.ClusterScoped
	}
	if d := s.ControllerDuration; d != nil {
		setDuration(&out.AvailableDelay, d.AvailableDelay)
		setDuration(&out.UnavailableDelay, d.UnavailableDelay)
		setDuration(&out.CacheSyncTimeout, d.CacheSyncTimeout)
	}
	if le := s.LeaderElect; le != nil {
		setDuration(&out.LeaseDuration, le.LeaseDuration)
		setDuration(&out.RenewDeadline, le.RenewDeadline)
		setDuration(&out.RetryPeriod, le.RetryPeriod)
	}
	if hc := s.ClusterHealthCheck; hc != nil {
		setDuration(&out.HealthCheckPeriod, hc.Period)
		setDuration(&out.HealthCheckTimeout, hc.Timeout)
		if hc.FailureThreshold != nil && *hc.FailureThreshold > 0 {
			out.FailureThreshold = *hc.FailureThreshold
		}
		if hc.SuccessThreshold != nil && *hc.SuccessThreshold > 0 {
			out.SuccessThreshold = *hc.SuccessThreshold
		}
	}
	if sc := s.SyncController; sc != nil {
		if sc.MaxConcurrentReconciles != nil && *sc.MaxConcurrentReconciles > 0 {
			out.SyncWorkers = int(*sc.MaxConcurrentReconciles)
		}
		if sc.AdoptResources != nil {
			out.AdoptResources = *sc.AdoptResources == AdoptResourcesEnabled
		}
	}
	return out
}

// setDuration sets *dst from a positive value; zero and negative values
// (which the schema refuses) keep the default.
func setDuration(dst *time.Duration, v *metav1.Duration) {
	if v != nil && v.Duration > 0 {
		*dst = v.Duration
	}
}

func mustDuration(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(fmt.Sprintf("invalid default duration %q: %v", s, err))
	}
	return d
}
