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

// Package federatedtypeconfig implements the FederatedTypeConfig
// reconciler: for every FederatedTypeConfig it decides whether the type's
// sync controller should run, has it run or stopped, and reports it in the
// status. It does not run the controllers: a SyncControllers (the
// Supervisor of controllers/propagation, wired in by
// cmd/controller-manager/app) starts, restarts and stops them at run time
// without restarting the manager, paces the retries of the types that
// failed, and owns the host informers they share. Each pass reads
// (the FederatedTypeConfig, the KubeFedConfig settings through
// fedcorev1b1.ReadSettings), ensures or stops, and writes the status.
//
// Before a controller starts, the reconciler lists the host kinds it will
// watch with the manager's identity, so that a type whose CRD is missing or
// that the identity may not read is reported at once (Ready=False,
// FederatedTypeCRDNotFound or FederatedTypeAccessDenied) and no informer
// retries it in the background. After the start the type reports
// ControllerStarting until its host informers synced, then
// ControllerRunning; a cache that does not sync within the KubeFedConfig's
// cacheSyncTimeout (CacheSyncFailed) or a controller that stops with an
// error (ControllerStartFailed) is stopped and tried again after 10 s,
// 20 s, 40 s, at most 1 minute. A running type is checked again every
// 30 s, so that a CRD deleted or an access revoked under it stops its
// controller and is reported. Each type is handled on its own: one broken
// type does not hold the others.
//
// A running type whose copies cannot be watched in some member (the target
// type's CRD is installed in the host but not there) reports
// MemberWatchesReady=False, naming each such member and what to do. The
// sync controller tells the reconciler when this changes (as it does for
// status fields its CRD drops), retries the member watch by itself, and the
// condition is removed once the watch runs in every connected member.
//
// A controller is restarted when its FederatedTypeConfig's spec or the
// KubeFedConfig settings it is built with change (the KubeFedConfig is
// watched), and only then: status updates and other KubeFedConfig changes
// leave it running. It is not started while a namespaced type has no
// "namespaces" FederatedTypeConfig, or for cluster-scoped types in a
// Namespaced control plane.
//
// The status is written with internal/statuspatch under the optimistic
// lock: the reconciler reads through the cache, which may not show its own
// last write yet, so a status computed from an older read is refused
// (Conflict) and the FederatedTypeConfig is read again a second later,
// without an error. Conditions are set through internal/conditions.
//
// Files: federatedtypeconfig_controller.go (the reconciler, its watches and
// the SyncControllers it drives), federatedtypeconfig_checks.go (whether a
// type may run), federatedtypeconfig_status.go (the status and its
// conditions).
package federatedtypeconfig
