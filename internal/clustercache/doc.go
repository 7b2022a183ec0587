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

// Package clustercache holds the control plane's connections to its member
// clusters: for each KubeFedCluster, one controller-runtime cluster.Cluster
// (HTTP client, REST mapper, cache) plus an uncached client, built from the
// cluster's endpoint, CA bundle, proxy URL and TLS options and from the
// bearer token in its Secret. It is shaped like Cluster API's ClusterCache.
//
// # Who drives it
//
// The KubeFedCluster health controller (controllers/kubefedcluster) is the
// single owner of member health and the only caller of Connect and
// Disconnect: it connects a cluster when its Ready condition turns True (and
// on every later probe, which is a no-op while the inputs are unchanged),
// and disconnects it when it goes Offline, NotReady or ConfigMalformed, or
// when its KubeFedCluster is deleted. Connect compares a hash of the inputs
// (InputsHash) with the connection's and rebuilds the connection when the
// Secret or the spec changed, so a rotated token is picked up on the next
// probe. Every other controller only reads: GetClient, GetReader,
// ReadyClusters, Watch, Subscribe.
//
// # Isolation
//
// Every connection has its own transport, goroutines and context. Connect
// never waits on the member: the caches start and sync in the background,
// and a connection whose watches do not sync within the cache sync timeout
// is dropped, published as disconnected and backed off (per cluster,
// doubling from Options.MinBackoff to Options.MaxBackoff), so one slow or
// hung member neither blocks another's reconcilers nor triggers a retry
// storm. Closing a connection closes its network connections, so requests
// in flight to a hung member end at once.
//
// # Watches and events
//
// Watch registers a named, idempotent watch of one kind, with a label
// selector (kubefed.io/managed=true by default, so only managed objects are
// cached), in every connected member and in every member connected later;
// member events reach an EventHandler with the member's name. WatchSource
// wraps this as a controller-runtime source for a host controller, with a
// map function to host requests; ConnectionSource turns connection events
// (a cluster became Ready, or stopped being Ready) into requests, so that
// controllers can reconcile what they placed in that cluster again.
//
// A watch that cannot be registered in a member (its kind is not served
// there: the CRD is installed in the host and some members only, or not
// yet) does not hold the connection's other watches, nor fail the
// connection: it is recorded (WatchErrors), its RegistrationHandler is
// told, and it is tried again in that member after Options.MinBackoff,
// doubling up to a minute. Once it started there, the handler is told
// again, and a WatchSource enqueues the host objects its RegistrationFunc
// returns, so that copies that could not be written meanwhile are written
// at once.
//
// A kind the member forbids is handled the same way. Before it registers
// a watch in a member, the connection asks the member
// (SelfSubjectAccessReviews) whether its identity may list and watch the
// kind there (in every namespace, or in each of Options.Namespaces): an
// informer that may not list never syncs, and would take the connection,
// and every other kind with it, down at the cache sync timeout. A denied
// kind is a watch failure whose error is a ForbiddenError (wrapping
// ErrWatchForbidden) naming the cluster, the resource and the verbs, and
// saying what to do: grant the kubefed service account in that cluster
// list and watch on it, or re-run kubefedctl join. The connection, its
// other watches and the cluster's health are untouched; the kind is
// checked again with the same backoff, and its watch starts once it is
// granted, without a new connection. Meanwhile a cached read of the kind
// (GetReader) fails at once with that error rather than waiting for an
// informer that cannot sync, and a read while the check is in flight
// waits for it. An access revoked after the watch started is not detected:
// the informer keeps its last state, and client-go logs its failed lists.
//
// # Member speed
//
// A member's write latency belongs to its connection, not to a controller:
// every controller that writes to a member reports each write's duration
// (ObserveWrite) and each operation while it runs (OperationStarted: for
// the sync controllers, a reconcile's whole operation on the member, its
// read of the member's cache included, which waits while that cache
// syncs), and all of
// them read the same verdict (SlowClusters: a member whose mean, over at
// least five writes, is at least 500 ms and four times the fastest
// member's, or that has five operations in flight for StuckAge (5 s) and
// four times the fastest other member's mean: a member that stopped
// answering, or whose cache cannot sync, measures nothing until its
// operations time out) and mean (WriteLatency). The sync controllers of every
// type thus learn together that a member is slow, and a new connection
// starts afresh, since its first writes also pay for connecting.
//
// # Namespaced scope
//
// A control plane joined in Namespaced scope holds a Role in its own
// namespace of each member and nothing cluster-wide. Options.Namespaces
// restricts every member cache to those namespaces, and a watch of a
// cluster-scoped kind is refused for such a connection (logged, not
// counted for the sync), since its list could never succeed and would take
// the connection down with it.
//
// Setup in a controller manager:
//
//	cc := clustercache.New(clustercache.Options{Scheme: memberScheme})
//	if err := mgr.Add(cc); err != nil { ... }
//	if err := (&kubefedcluster.Reconciler{
//		Client: mgr.GetClient(), ClusterCache: cc, Namespace: ns,
//	}).SetupWithManager(mgr); err != nil { ... }
package clustercache
