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

package metrics

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"
	ctrlmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
)

// ClusterState is the value of the state label of KubeFedClusterTotal.
type ClusterState string

// States of a member cluster as reported by KubeFedClusterTotal. The first
// three are KubeFed's values; ConfigMalformed is added here so that a cluster
// whose Secret or CA is broken is not counted as merely not ready.
const (
	// ClusterReady counts clusters whose Ready condition is True.
	ClusterReady ClusterState = "ready"
	// ClusterNotReady counts clusters whose API server answered its health
	// check with something other than ok.
	ClusterNotReady ClusterState = "notready"
	// ClusterOffline counts clusters whose API server could not be reached.
	ClusterOffline ClusterState = "offline"
	// ClusterConfigMalformed counts clusters for which no client could be
	// built (missing Secret or token, unparsable CA, bad endpoint).
	ClusterConfigMalformed ClusterState = "configmalformed"
)

// AllClusterStates lists every ClusterState, in a stable order.
var AllClusterStates = []ClusterState{ClusterReady, ClusterNotReady, ClusterOffline, ClusterConfigMalformed}

// durationBuckets are KubeFed's histogram buckets, in seconds.
var durationBuckets = []float64{0.01, 0.05, 0.1, 0.5, 1.0, 2.5, 5.0, 7.5, 10.0, 12.5, 15.0, 17.5, 20.0, 22.5, 25.0, 27.5, 30.0, 50.0, 75.0, 100.0, 1000.0}

var (
	// KubeFedClusterTotal is 1 for the (state, cluster) pair a member cluster
	// is in and 0 for its other states. sum by (state) gives the number of
	// clusters per state.
	KubeFedClusterTotal = prometheus.NewGaugeVec(
		prometheus.GaugeOpts{
			Name: "kubefedcluster_total",
			Help: "Number of total kubefed cluster in a specific state.",
		}, []string{"state", "cluster"},
	)

	// JoinedClusterTotal is the number of registered KubeFedClusters.
	JoinedClusterTotal = prometheus.NewGauge(
		prometheus.GaugeOpts{
			Name: "joinedcluster_total",
			Help: "Number of total joined clusters.",
		},
	)

	// ClusterHealthStatusDuration observes how long one health probe of a
	// member cluster took.
	ClusterHealthStatusDuration = prometheus.NewHistogram(
		prometheus.HistogramOpts{
			Name:    "cluster_health_status_duration_seconds",
			Help:    "Time taken for the cluster health periodic function.",
			Buckets: durationBuckets,
		},
	)

	// ClusterClientConnectionDuration observes how long a member connection
	// took from its creation until its watches had synced.
	ClusterClientConnectionDuration = prometheus.NewHistogram(
		prometheus.HistogramOpts{
			Name:    "cluster_client_connection_duration_seconds",
			Help:    "Time taken for the cluster client connection function.",
			Buckets: durationBuckets,
		},
	)

	// ClusterConnections is 1 for each member cluster the control plane holds
	// an open connection (client and cache) to.
	ClusterConnections = prometheus.NewGaugeVec(
		prometheus.GaugeOpts{
			Name: "kubefed_cluster_connections",
			Help: "Member clusters with an open connection (1) from the control plane.",
		}, []string{"cluster"},
	)
)

func init() {
	ctrlmetrics.Registry.MustRegister(
		KubeFedClusterTotal,
		JoinedClusterTotal,
		ClusterHealthStatusDuration,
		ClusterClientConnectionDuration,
		ClusterConnections,
	)
}

// SetClusterState records that cluster is in state, and in no other state.
func SetClusterState(cluster string, state ClusterState) {
	for _, s := range AllClusterStates {
		v := 0.0
		if s == state {
			v = 1
		}
		KubeFedClusterTotal.WithLabelValues(string(s), cluster).Set(v)
	}
}

// ForgetCluster drops every series of a cluster that was removed.
func ForgetCluster(cluster string) {
	KubeFedClusterTotal.DeletePartialMatch(prometheus.Labels{"cluster": cluster})
	ClusterConnections.DeleteLabelValues(cluster)
}

// ObserveSince records in h the time elapsed since start.
func ObserveSince(h prometheus.Observer, start time.Time) {
	h.Observe(time.Since(start).Seconds())
}
