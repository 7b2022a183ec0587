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

package kubefedcluster

import (
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// settings are the health check settings of the KubeFedConfig, defaulted.
type settings struct {
	period           time.Duration
	timeout          time.Duration
	failureThreshold int
	successThreshold int
	cacheSyncTimeout time.Duration
}

// settingsFrom reads the health check settings from a KubeFedConfig (nil
// when there is none), applying KubeFed's defaults to omitted or invalid
// values. The API server applies the same defaults from the CRD schema;
// they are repeated here for a missing KubeFedConfig.
func settingsFrom(cfg *fedcorev1b1.KubeFedConfig) settings {
	s := settings{
		period:           mustParse(fedcorev1b1.DefaultClusterHealthCheckPeriod),
		timeout:          mustParse(fedcorev1b1.DefaultClusterHealthCheckTimeout),
		failureThreshold: fedcorev1b1.DefaultClusterHealthCheckFailureThreshold,
		successThreshold: fedcorev1b1.DefaultClusterHealthCheckSuccessThreshold,
		cacheSyncTimeout: mustParse(fedcorev1b1.DefaultCacheSyncTimeout),
	}
	if cfg == nil {
		return s
	}
	if hc := cfg.Spec.ClusterHealthCheck; hc != nil {
		setDuration(&s.period, hc.Period)
		setDuration(&s.timeout, hc.Timeout)
		setCount(&s.failureThreshold, hc.FailureThreshold)
		setCount(&s.successThreshold, hc.SuccessThreshold)
	}
	if d := cfg.Spec.ControllerDuration; d != nil {
		setDuration(&s.cacheSyncTimeout, d.CacheSyncTimeout)
	}
	return s
}

func setDuration(dst *time.Duration, d *metav1.Duration) {
	if d != nil && d.Duration > 0 {
		*dst = d.Duration
	}
}

func setCount(dst *int, n *int64) {
	if n != nil && *n >= 1 {
		*dst = int(*n)
	}
}

func mustParse(s string) time.Duration {
	d, err := time.ParseDuration(s)
	if err != nil {
		panic(err) // the defaults are constants of the API package
	}
	return d
}
