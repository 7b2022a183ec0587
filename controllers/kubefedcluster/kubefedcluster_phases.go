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

package kubefedcluster

import (
	"context"
	"fmt"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/eventnote"
	"github.com/kubefed/kubefed/internal/metrics"
	"github.com/kubefed/kubefed/internal/statuspatch"
)

// Event reasons of the controller, besides the condition reasons.
const (
	// EventReasonConnectionFailed is recorded when a Ready cluster could not
	// be connected in the cluster cache.
	EventReasonConnectionFailed = "ConnectionFailed"
)

// reconcileProber builds the probe client from the cluster's spec and
// Secret, or reuses the one built from the same inputs. It sets s.malformed
// when no client can be built.
func (r *Reconciler) reconcileProber(_ context.Context, s *scope) (ctrl.Result, error) {
	rec := s.record
	hash := clustercache.InputsHash(s.cluster, s.secret)
	if rec.prober != nil && hash != "" && rec.prober.hash == hash && rec.prober.timeout == s.settings.HealthCheckTimeout {
		return ctrl.Result{}, nil
	}
	if rec.prober != nil {
		rec.prober.close()
		rec.prober = nil
	}
	member, err := clustercache.NewMemberConfig(s.cluster, s.secret)
	if err != nil {
		s.malformed = err
		return ctrl.Result{}, nil
	}
	p, err := newProber(member, s.settings.HealthCheckTimeout)
	if err != nil {
		member.Close()
		s.malformed = fmt.Errorf("%w: %w", clustercache.ErrConfigMalformed, err)
		return ctrl.Result{}, nil
	}
	rec.prober = p
	return ctrl.Result{}, nil
}

// reconcileHealth probes the member and damps the result into s.health.
func (r *Reconciler) reconcileHealth(ctx context.Context, s *scope) (ctrl.Result, error) {
	log := ctrl.LoggerFrom(ctx)
	rec := s.record
	s.reported = reportedHealth(s.cluster.Status.Conditions)
	s.runBefore = rec.run
	if s.malformed != nil {
		s.health, rec.run = healthMalformed, 0
	} else {
		start := time.Now()
		s.probed = rec.prober.probe(ctx, s.cluster.Namespace+"/"+s.cluster.Spec.SecretRef.Name)
		metrics.ObserveSince(metrics.ClusterHealthStatusDuration, start)
		s.health, rec.run = damp(s.reported, s.probed.health, rec.run,
			thresholds{failure: int(s.settings.FailureThreshold), success: int(s.settings.SuccessThreshold)})
		if s.probed.health != s.health {
			log.V(1).Info("Probe disagreed with the reported health; waiting for the threshold",
				"observed", s.probed.health, "reported", s.health, "run", rec.run, "detail", s.probed.detail)
		}
	}
	return ctrl.Result{}, nil
}

// announceTransition logs and records the event of a health transition
// that the status now reports.
func (r *Reconciler) announceTransition(ctx context.Context, s *scope) {
	reason, note, eventType := transitionEvent(s)
	ctrl.LoggerFrom(ctx).Info("Member cluster health changed", "from", s.reported, "to", s.health, "reason", reason, "detail", note)
	r.Recorder.Eventf(s.cluster, nil, eventType, reason, "HealthCheck", "%s", eventnote.Format("%s", note))
}

// transitionEvent returns the reason, note and type of the event recorded
// when the reported health changes.
func transitionEvent(s *scope) (reason, note, eventType string) {
	switch s.health {
	case healthReady:
		return fedcorev1b1.ClusterReadyReason, fedcorev1b1.ClusterHealthzOKMessage, corev1.EventTypeNormal
	case healthNotReady:
		return fedcorev1b1.ClusterNotReadyReason, fedcorev1b1.ClusterHealthzNotOKMessage + ": " + s.probed.detail, corev1.EventTypeWarning
	case healthOffline:
		return fedcorev1b1.ClusterNotReachableReason, fedcorev1b1.ClusterNotReachableMessage + ": " + s.probed.detail, corev1.EventTypeWarning
	default:
		return fedcorev1b1.ClusterConfigMalformedReason, s.malformed.Error(), corev1.EventTypeWarning
	}
}

// reconcileConnection keeps a connection in the cluster cache exactly while
// the cluster is Ready. Connection failures are reported, not retried here:
// the cluster cache backs off, and the next probe asks again.
func (r *Reconciler) reconcileConnection(ctx context.Context, s *scope) (ctrl.Result, error) {
	rec := s.record
	if s.health != healthReady {
		r.ClusterCache.Disconnect(ctx, s.cluster.Name)
		rec.connectErr = ""
		return ctrl.Result{}, nil
	}
	err := r.ClusterCache.Connect(ctx, clustercache.ConnectInput{
		Cluster:          s.cluster,
		Secret:           s.secret,
		CacheSyncTimeout: s.settings.CacheSyncTimeout,
	})
	switch {
	case err == nil:
		rec.connectErr = ""
	case rec.connectErr != "":
		// Already reported; the cluster cache backs off meanwhile.
		ctrl.LoggerFrom(ctx).V(1).Info("Member cluster is still not connected", "detail", err.Error())
	default:
		rec.connectErr = err.Error()
		ctrl.LoggerFrom(ctx).Error(err, "Could not connect to member cluster")
		r.Recorder.Eventf(s.cluster, nil, corev1.EventTypeWarning, EventReasonConnectionFailed, "Connect", "%s", eventnote.Format("%s", err.Error()))
	}
	return ctrl.Result{}, nil
}

// reconcileClusterInfo fills kubernetesVersion, zones and region of a Ready
// cluster when it becomes Ready, when they are unknown, and with every
// status heartbeat. Failures are logged: they do not make a cluster
// unhealthy.
func (r *Reconciler) reconcileClusterInfo(ctx context.Context, s *scope) (ctrl.Result, error) {
	if s.health != healthReady {
		return ctrl.Result{}, nil
	}
	if !s.transitioned() && s.cluster.Status.KubernetesVersion != "" &&
		!heartbeatDue(s.original.Status.Conditions, s.now.Time, r.StatusHeartbeat) {
		return ctrl.Result{}, nil
	}
	log := ctrl.LoggerFrom(ctx)
	if v, err := s.record.prober.serverVersion(ctx); err != nil {
		log.Error(err, "Could not read the member's Kubernetes version")
	} else {
		s.cluster.Status.KubernetesVersion = v
	}
	c, err := r.ClusterCache.GetClient(ctx, s.cluster.Name)
	if err != nil {
		log.V(1).Info("Zones and region not read: the cluster is not connected", "detail", err.Error())
		return ctrl.Result{}, nil
	}
	nodes, err := listNodes(ctx, c)
	if err != nil {
		log.Error(err, "Could not list the member's nodes for zones and region")
		return ctrl.Result{}, nil
	}
	s.cluster.Status.Zones, s.cluster.Status.Region = zonesAndRegion(nodes)
	return ctrl.Result{}, nil
}

// listNodes lists the metadata of every node of a member, by pages.
func listNodes(ctx context.Context, c client.Client) ([]metav1.PartialObjectMetadata, error) {
	var out []metav1.PartialObjectMetadata
	cont := ""
	for {
		list := &metav1.PartialObjectMetadataList{}
		list.SetGroupVersionKind(corev1.SchemeGroupVersion.WithKind("NodeList"))
		if err := c.List(ctx, list, client.Limit(500), client.Continue(cont)); err != nil {
			return nil, fmt.Errorf("listing nodes: %w", err)
		}
		out = append(out, list.Items...)
		if cont = list.Continue; cont == "" {
			return out, nil
		}
	}
}

// patchStatus computes the conditions and writes the status, once, when it
// changed.
func (r *Reconciler) patchStatus(ctx context.Context, s *scope) error {
	if s.health == healthUnknown {
		return nil // an earlier phase failed before the probe
	}
	metrics.SetClusterState(s.cluster.Name, s.health.metricState())
	stored := s.original.Status.Conditions
	desired := stored
	if s.transitioned() || s.probed.health == s.health || s.health == healthMalformed {
		malformed := ""
		if s.malformed != nil {
			malformed = s.malformed.Error()
		}
		desired = conditionsFor(s.health, s.probed.detail, malformed)
	}
	// else a damped probe disagreed: keep the reported conditions as they are.
	s.cluster.Status.Conditions = mergeConditions(stored, desired, s.now, r.StatusHeartbeat)
	// Optimistic lock (the statuspatch rule): conditions merged from a stale
	// read must not replace newer ones; a conflict requeues.
	if _, err := statuspatch.Patch(ctx, r.Client, s.cluster, s.original, statuspatch.Optimistic); err != nil {
		return fmt.Errorf("patching the status of KubeFedCluster %s/%s: %w", s.cluster.Namespace, s.cluster.Name, err)
	}
	return nil
}
