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

// Package kubefedctl holds the end-to-end tests of kubefedctl.
//
// TestKubefedctl covers join and unjoin: it runs the commands in-process,
// through the cobra command and through the Join and Unjoin functions,
// against a local host and two member clusters from test/framework, and
// checks the objects that end up in each cluster, that the registered
// credentials really work, and what the user is told when something fails
// (a re-join right after an unjoin included).
//
// TestTypeCommandsWithController covers enable, disable, federate,
// orphaning-deletion, status and the kubectl plugin: the Helm chart is
// installed in the host, the controller manager runs as a process with the
// chart's ServiceAccount identity (so its RBAC is the chart's), and the
// built bin/kubefedctl is run as a user would, exit codes included.
//
// Files by theme: setup_test.go and chart_test.go bring the federations up;
// join_test.go, join_checks_test.go and join_failures_test.go are join and
// unjoin; types_test.go runs the steps of enable_test.go, federate_test.go
// and status_test.go. The fixtures shared with the in-process tests of
// internal/kubefedctl (running the command line, the example CRDs, CRD and
// object installs) are in internal/kubefedctl/kubefedctltest.
package kubefedctl
