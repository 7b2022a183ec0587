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

// Package bench measures kubefed on local clusters and guards its write
// path. TestWriteBudget (run by `make test`) counts, from the API servers'
// apiserver_request_total, the writes kubefed makes to the host and to the
// members per federated object created, updated and deleted, and while
// idle, and fails when a count exceeds its documented budget: it is a
// count, not a timing. BenchmarkFederation (`make bench`) runs the
// scenarios of docs/performance.md (bulk, scale, members, status) with
// the controller-manager as its own process, and prints one table per
// scenario, every timing beside the raw figure of the same run, because
// absolute times depend on the machine: the control planes of all
// clusters and kubefed share its cores.
package bench
