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

// Package testenv is what the tests of every package share to run against
// a real API server: the repository's root, where the pinned kube-apiserver
// and etcd are, an envtest API server with the project's CRDs that stops
// with the test, and Eventually, the one way to wait for a condition.
//
// Its files are ordinary Go files, so any test may import it; no production
// code does.
package testenv
