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

var (
	// PropagationLatency observes, per federated object generation, the
	// time from the sync controller first seeing the generation to the
	// object being applied in every placed cluster.
	PropagationLatency = prometheus.NewHistogram(prometheus.HistogramOpts{
		Name:    "kubefed_propagation_latency_seconds",
		Help:    "Time from a federated object generation being seen to it being applied in every placed cluster.",
		Buckets: []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120},
	})

	// DispatchDuration observes member operations (create, update, delete,
	// release) per cluster.
	DispatchDuration = prometheus.NewHistogramVec(prometheus.HistogramOpts{
		Name:    "kubefed_dispatch_operation_duration_seconds",
		Help:    "Duration of the operations the sync controllers send to member clusters.",
		Buckets: []float64{0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30},
	}, []string{"cluster", "operation"})

	// DispatchErrors counts failed member operations per cluster.
	DispatchErrors = prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "kubefed_dispatch_operation_errors_total",
		Help: "Member operations of the sync controllers that failed.",
	}, []string{"cluster", "operation"})
)

func init() {
	ctrlmetrics.Registry.MustRegister(PropagationLatency, DispatchDuration, DispatchErrors)
}

// SyncMetrics records the sync controllers' measurements in the
// Prometheus metrics above; it implements the sync package's Metrics.
type SyncMetrics struct{}

// Dispatched records one member operation.
func (SyncMetrics) Dispatched(cluster, operation string, d time.Duration, err error) {
	DispatchDuration.WithLabelValues(cluster, operation).Observe(d.Seconds())
	if err != nil {
		DispatchErrors.WithLabelValues(cluster, operation).Inc()
	}
}

// Propagated records a propagation latency.
func (SyncMetrics) Propagated(d time.Duration) {
	PropagationLatency.Observe(d.Seconds())
}
