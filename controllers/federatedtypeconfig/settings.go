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

package federatedtypeconfig

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"time"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// configHash identifies what a running controller was built from: the
// FederatedTypeConfig's spec and the settings it read from KubeFedConfig.
func configHash(ftc *fedcorev1b1.FederatedTypeConfig, s settings) string {
	data, _ := json.Marshal(struct {
		Spec     fedcorev1b1.FederatedTypeConfigSpec
		Settings settings
	}{ftc.Spec, s})
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:8])
}

// settings are the KubeFedConfig values a sync controller is built with.
type settings struct {
	Workers          int
	AvailableDelay   time.Duration
	UnavailableDelay time.Duration
}

func settingsFrom(cfg *fedcorev1b1.KubeFedConfigSpec) settings {
	eff := cfg.Settings()
	return settings{Workers: eff.SyncWorkers, AvailableDelay: eff.AvailableDelay, UnavailableDelay: eff.UnavailableDelay}
}

func cacheSyncTimeout(cfg *fedcorev1b1.KubeFedConfigSpec) time.Duration {
	return cfg.Settings().CacheSyncTimeout
}
