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

// Package e2eutil brings up a complete KubeFed control plane for end-to-end
// tests: a local federation (test/framework: a host and N members, each a
// real API server with kwok nodes), every CRD and default
// FederatedTypeConfig installed in the host, a KubeFedConfig with short
// test timings, the members joined with kubefedctl, and the controller
// manager (cmd/controller-manager/app) running in-process, stoppable and restartable.
//
// Setup returns an Env with clients for the host (the manager's full
// scheme) and every member. Env.DumpOnFailure prints, only when a test
// failed, the federated objects, the managed member objects, the
// KubeFedClusters and the controller logs, which are otherwise kept out of
// the test output. Eventually is the bounded polling helper the suites use
// (test/testenv's).
//
// It is also the one home of what the end-to-end suites repeat, by file:
//
//   - install.go: the chart as a user installs it (HelmInstall, SetValues,
//     InstallChart, ProcessChartValues), bin/kubefedctl (Kubefedctl), the
//     chart's identity (ChartIdentity, ChartKubeconfig);
//   - kubeconfig.go: a TokenRequest kubeconfig of the chart's
//     ServiceAccount (TokenKubeconfig);
//   - process.go: bin/controller-manager as a process of its own
//     (StartControllerManager: the suites' defaults over
//     framework.NewControllerManager, the one launcher of it, plus the
//     checks of how it ends), the bin directory (BinDir,
//     RequireBinaries), free listener addresses (FreeAddr);
//   - env.go: an Env and its in-process control plane (NewEnv, Setup,
//     StartControlPlane), joins (JoinMembers), a stopped cluster that is
//     started again (StopCluster);
//   - namespace.go: test namespaces (HostNamespace, FederatedNamespace);
//   - crdtype.go: a CRD-backed type federated at run time (FederateCRDType);
//   - propagated.go: many federated objects and their propagation
//     (CreateFederated, WaitConfigMapsPropagated, CheckPropagated);
//   - template.go: a federated object's update with conflict retries
//     (UpdateFederated) and a template change seen in the members
//     (UpdateTemplate);
//   - workload.go: Pod and Deployment readiness as their conditions say
//     (PodReady, DeploymentAvailable);
//   - webapp.go: the federated web application of the install and DNS
//     suites (WebAppYAML);
//   - negative.go: watches that show nothing happened (NegativeCheck) and
//     resumable watches (Follow);
//   - dump.go: state printed when a test failed (DumpOnFailure, OnFailure,
//     WriteControlPlane).
package e2eutil
