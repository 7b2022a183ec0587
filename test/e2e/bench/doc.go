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

// Package bench measures propagation against the raw write limit of the
// member API servers, on local clusters (a host and three members). It
// holds benchmarks only; `make bench` runs them. Every number is reported
// next to the raw client-go figure measured in the same run, because the
// absolute times depend on the machine: the control planes of all four
// clusters and kubefed share its cores.
package bench
