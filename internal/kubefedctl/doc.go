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
// The logic is callable without cobra: Join and Unjoin take an options
// struct holding rest.Configs (LoadContext builds one from a kubeconfig
// context) and write their progress to an io.Writer. The names of the
// objects they create (ServiceAccountName, RoleName, HealthCheckRoleName)
// and the RBAC rules are KubeFed v0.10's, so clusters joined by KubeFed's
// kubefedctl can be unjoined by this one and the other way round.
//
// Join checks everything it can before it writes anything (reachability,
// the host's namespace and CRD, existing objects, and the host objects in
// server-side dry-run mode); when a later step fails it deletes what it had
// created, and names what it could not delete with the kubectl command that
// does.
package kubefedctl
