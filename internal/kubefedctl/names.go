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

package kubefedctl

import (
	rbacv1 "k8s.io/api/rbac/v1"
)

// ServiceAccountName returns the name of the ServiceAccount that join
// creates in the joining cluster for the host cluster's control plane. The
// host's name is part of it so that one cluster can be joined to several
// hosts; the format is KubeFed's, so clusters joined by KubeFed's kubefedctl
// can be unjoined by this one.
func ServiceAccountName(joiningClusterName, hostClusterName string) string {
	return joiningClusterName + "-" + hostClusterName
}

// TokenSecretName returns the name of the service account token Secret that
// join creates next to the ServiceAccount. Kubernetes 1.24 and later no
// longer create such Secrets on their own, so join asks for one explicitly.
func TokenSecretName(joiningClusterName, hostClusterName string) string {
	return ServiceAccountName(joiningClusterName, hostClusterName)
}

// RoleName returns the name of the ClusterRole (Cluster scope) or Role
// (Namespaced scope) and of its binding that grant the control plane access
// to the joining cluster.
func RoleName(serviceAccountName string) string {
	return "kubefed-controller-manager:" + serviceAccountName
}

// HealthCheckRoleName returns the name of the ClusterRole and
// ClusterRoleBinding that, in Namespaced scope, let the control plane probe
// the joining cluster's health and nothing else outside its namespace. The
// namespace is part of the name because several namespaced control planes
// may join the same cluster.
func HealthCheckRoleName(serviceAccountName, namespace string) string {
	return "kubefed-controller-manager:" + namespace + ":healthcheck-" + serviceAccountName
}

// ClusterScopeRules are the rules of the ClusterRole a Cluster-scoped
// control plane gets in a member: everything, as in KubeFed, because the
// federated types are open-ended (any CRD can be federated).
func ClusterScopeRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{rbacv1.APIGroupAll}, Resources: []string{rbacv1.ResourceAll}, Verbs: []string{rbacv1.VerbAll}},
		{NonResourceURLs: []string{rbacv1.NonResourceAll}, Verbs: []string{"get"}},
	}
}

// NamespaceScopeRules are the rules of the Role a Namespaced control plane
// gets in the member's control-plane namespace.
func NamespaceScopeRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{APIGroups: []string{rbacv1.APIGroupAll}, Resources: []string{rbacv1.ResourceAll}, Verbs: []string{rbacv1.VerbAll}},
	}
}

// HealthCheckRules are the rules of the health-check ClusterRole of a
// Namespaced control plane: the health endpoints, and listing nodes, which
// the cluster controller needs to report the member's zones and region
// (KubeFed granted the same).
func HealthCheckRules() []rbacv1.PolicyRule {
	return []rbacv1.PolicyRule{
		{NonResourceURLs: []string{"/healthz", "/readyz", "/livez"}, Verbs: []string{"get"}},
		{APIGroups: []string{""}, Resources: []string{"nodes"}, Verbs: []string{"list"}},
	}
}
