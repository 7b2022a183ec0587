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

// Package propagatedversion computes the values recorded in PropagatedVersion
// and ClusterPropagatedVersion objects with KubeFed v0.10's formulas: the
// template and overrides hashes of a federated object and the version string
// of a member object. A record written by KubeFed therefore matches one
// computed here, and a control plane taking over from KubeFed does not
// rewrite member objects that are already up to date.
package propagatedversion
