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

// Package kubefedctl implements the kubefedctl command line: the cobra
// command tree and the logic of each command, kept out of cmd/kubefedctl so
// that tests and the demo can run the commands in-process against local
// clusters.
//
// The logic is callable without cobra: Join, Unjoin, Enable, Disable,
// Federate, SetOrphaning and Status take an options struct holding
// rest.Configs (LoadContext builds one from a kubeconfig context) and write
// their progress to an io.Writer. Names, flags, output lines and the objects
// written are KubeFed v0.10's (ServiceAccountName, RoleName, the
// FederatedTypeConfig and Federated<Kind> names, the kubefed.io/orphan
// annotation), so a KubeFed user's scripts keep working and clusters joined
// by KubeFed's kubefedctl can be unjoined by this one.
//
// Join checks everything it can before it writes anything (reachability,
// the host's namespace and CRD, existing objects, and the host objects in
// server-side dry-run mode); when a later step fails it deletes what it had
// created, and names what it could not delete with the kubectl command that
// does.
//
// Enable builds the federated CRD with internal/federatedtypes, the
// generator of the default types, giving spec.template the target's own
// schema (its CRD's, or the API server's OpenAPI v3 for built-in kinds).
// Types are resolved by discovery as kubectl resolves them (kind, plural,
// short name, group-qualified plural).
//
// The package's tests run the commands in-process against a test API server
// (cmd_test.go and the *_cmd_test.go steps); the fixtures they share with the
// end-to-end tests in test/e2e/kubefedctl are in the kubefedctltest package.
package kubefedctl
