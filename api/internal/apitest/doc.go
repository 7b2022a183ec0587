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

// Package apitest checks that every kind of the core.kubefed.io and
// scheduling.kubefed.io API groups reads and writes KubeFed's JSON
// unchanged (RoundTrip). Its test round-trips each fixture of testdata,
// one object per file as KubeFed (or the API server) writes it, through
// the Go type its apiVersion and kind name, and requires a fixture for
// every kind of those packages: a kind added to the API gets one there.
package apitest
