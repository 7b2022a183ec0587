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

// Package health holds the end-to-end tests of member cluster health: the
// KubeFedCluster controller and the cluster cache run in-process against a
// local federation (a host and two members, each a real API server), and
// the tests stop members, delete Secrets and slow a member down to check
// the conditions, the timing, the isolation between members and the
// absence of status churn.
package health
