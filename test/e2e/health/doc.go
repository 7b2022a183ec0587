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

// Package health holds the end-to-end tests of member cluster health under
// the real installation: the Helm chart installed in the host of a local
// federation (a host and two members, each a real API server), the members
// joined with kubefedctl join, and the control plane (test/e2e/e2eutil)
// running as the chart's ServiceAccount. The tests stop members, delete
// Secrets, rotate tokens and slow a member down to check the conditions,
// the timing, the isolation between members, the control plane's member
// connections and the absence of status churn.
package health
