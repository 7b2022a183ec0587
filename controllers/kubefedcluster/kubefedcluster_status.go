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
	"slices"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/metrics"
)

// health is the state of a member cluster as reported in its conditions.
type health string

const (
	// healthUnknown: never probed, or its configuration was malformed.
	healthUnknown health = ""
	// healthReady: the API server answered its health check with ok.
	healthReady health = "Ready"
	// healthNotReady: the API server answered, but not with ok.
	healthNotReady health = "NotReady"
	// healthOffline: the API server could not be reached in time.
	healthOffline health = "Offline"
	// healthMalformed: no client could be built (Secret, token, CA, endpoint).
	healthMalformed health = "ConfigMalformed"
)

// metricState maps a health to the state label of kubefedcluster_total.
func (h health) metricState() metrics.ClusterState {
	switch h {
	case healthReady:
		return metrics.ClusterReady
	case healthOffline:
		return metrics.ClusterOffline
	case healthMalformed:
		return metrics.ClusterConfigMalformed
	default:
		return metrics.ClusterNotReady
	}
}

// reportedHealth derives the health a KubeFedCluster's stored conditions
// report.
func reportedHealth(conds []fedcorev1b1.ClusterCondition) health {
	status := &fedcorev1b1.KubeFedClusterStatus{Conditions: conds}
	switch {
	case status.ConditionStatus(fedcorev1b1.ClusterConfigMalformed) == corev1.ConditionTrue:
		return healthMalformed
	case status.IsReady():
		return healthReady
	case status.ConditionStatus(fedcorev1b1.ClusterOffline) == corev1.ConditionTrue:
		return healthOffline
	case status.ConditionStatus(fedcorev1b1.ClusterReady) == corev1.ConditionFalse:
		return healthNotReady
	default:
		return healthUnknown
	}
}

// thresholds damp flapping: a healthy cluster is reported failed after
// failure consecutive failed probes, a failed one healthy after success
// consecutive successful probes.
type thresholds struct {
	failure, success int
}

// damp returns the health to report after a probe that observed probed,
// given the reported health and the number of consecutive earlier probes
// that disagreed with it (run), and the new run. The first probe of a
// cluster whose health is unknown or malformed is taken as is, and a change
// between two kinds of failure (NotReady and Offline) is not damped.
func damp(reported, probed health, run int, t thresholds) (health, int) {
	if reported == healthUnknown || reported == healthMalformed || probed == reported {
		return probed, 0
	}
	need := 1
	switch {
	case reported == healthReady:
		need = t.failure
	case probed == healthReady:
		need = t.success
	}
	run++
	if run >= need {
		return probed, 0
	}
	return reported, run
}

// conditionsFor returns the conditions (without times) that report h.
// detail completes the message of NotReady; malformed is the message of
// ConfigMalformed.
func conditionsFor(h health, detail, malformed string) []fedcorev1b1.ClusterCondition {
	cond := func(t fedcorev1b1.ClusterConditionType, s corev1.ConditionStatus, reason, msg string) fedcorev1b1.ClusterCondition {
		return fedcorev1b1.ClusterCondition{Type: t, Status: s, Reason: ptr.To(reason), Message: ptr.To(msg)}
	}
	reachable := cond(fedcorev1b1.ClusterOffline, corev1.ConditionFalse, fedcorev1b1.ClusterReachableReason, fedcorev1b1.ClusterReachableMessage)
	switch h {
	case healthReady:
		return []fedcorev1b1.ClusterCondition{
			cond(fedcorev1b1.ClusterReady, corev1.ConditionTrue, fedcorev1b1.ClusterReadyReason, fedcorev1b1.ClusterHealthzOKMessage),
			reachable,
		}
	case healthNotReady:
		msg := fedcorev1b1.ClusterHealthzNotOKMessage
		if detail != "" {
			msg += ": " + detail
		}
		return []fedcorev1b1.ClusterCondition{
			cond(fedcorev1b1.ClusterReady, corev1.ConditionFalse, fedcorev1b1.ClusterNotReadyReason, msg),
			reachable,
		}
	case healthOffline:
		return []fedcorev1b1.ClusterCondition{
			cond(fedcorev1b1.ClusterReady, corev1.ConditionUnknown, fedcorev1b1.ClusterNotReachableReason, fedcorev1b1.ClusterNotReachableMessage),
			cond(fedcorev1b1.ClusterOffline, corev1.ConditionTrue, fedcorev1b1.ClusterNotReachableReason, fedcorev1b1.ClusterNotReachableMessage),
		}
	case healthMalformed:
		return []fedcorev1b1.ClusterCondition{
			cond(fedcorev1b1.ClusterReady, corev1.ConditionFalse, fedcorev1b1.ClusterConfigMalformedReason, malformed),
			cond(fedcorev1b1.ClusterConfigMalformed, corev1.ConditionTrue, fedcorev1b1.ClusterConfigMalformedReason, malformed),
		}
	default:
		return nil
	}
}

// mergeConditions stamps desired with probe and transition times against
// the stored conditions. When nothing but lastProbeTime would change and the
// stored probe times are younger than heartbeat, the stored conditions are
// returned unchanged, so that an unchanged cluster is not written on every
// probe.
func mergeConditions(stored, desired []fedcorev1b1.ClusterCondition, now metav1.Time, heartbeat time.Duration) []fedcorev1b1.ClusterCondition {
	changed := len(stored) != len(desired)
	oldest := now.Time
	for _, d := range desired {
		s := findCondition(stored, d.Type)
		if s == nil || s.Status != d.Status || ptr.Deref(s.Reason, "") != ptr.Deref(d.Reason, "") ||
			ptr.Deref(s.Message, "") != ptr.Deref(d.Message, "") || s.LastTransitionTime == nil {
			changed = true
			continue
		}
		if s.LastProbeTime.Time.Before(oldest) {
			oldest = s.LastProbeTime.Time
		}
	}
	if !changed && now.Sub(oldest) < heartbeat {
		return stored
	}
	out := make([]fedcorev1b1.ClusterCondition, 0, len(desired))
	for _, d := range desired {
		d.LastProbeTime = now
		d.LastTransitionTime = ptr.To(now)
		if s := findCondition(stored, d.Type); s != nil && s.Status == d.Status && s.LastTransitionTime != nil {
			d.LastTransitionTime = s.LastTransitionTime.DeepCopy()
		}
		out = append(out, d)
	}
	return out
}

// heartbeatDue reports whether the stored conditions are older than
// heartbeat, i.e. the next status write is a heartbeat.
func heartbeatDue(stored []fedcorev1b1.ClusterCondition, now time.Time, heartbeat time.Duration) bool {
	for _, c := range stored {
		if now.Sub(c.LastProbeTime.Time) >= heartbeat {
			return true
		}
	}
	return len(stored) == 0
}

func findCondition(conds []fedcorev1b1.ClusterCondition, t fedcorev1b1.ClusterConditionType) *fedcorev1b1.ClusterCondition {
	for i := range conds {
		if conds[i].Type == t {
			return &conds[i]
		}
	}
	return nil
}

// zonesAndRegion returns the sorted distinct zones of the nodes and their
// region, nil unless every labelled node is in the same one.
func zonesAndRegion(nodes []metav1.PartialObjectMetadata) ([]string, *string) {
	var zones, regions []string
	for _, n := range nodes {
		if z := label(n.Labels, corev1.LabelTopologyZone, corev1.LabelFailureDomainBetaZone); z != "" {
			zones = append(zones, z)
		}
		if r := label(n.Labels, corev1.LabelTopologyRegion, corev1.LabelFailureDomainBetaRegion); r != "" {
			regions = append(regions, r)
		}
	}
	slices.Sort(zones)
	zones = slices.Compact(zones)
	slices.Sort(regions)
	regions = slices.Compact(regions)
	var region *string
	if len(regions) == 1 {
		region = ptr.To(regions[0])
	}
	if len(zones) == 0 {
		zones = nil
	}
	return zones, region
}

// label returns the value of the first of keys set in labels.
func label(labels map[string]string, keys ...string) string {
	for _, k := range keys {
		if v := labels[k]; v != "" {
			return v
		}
	}
	return ""
}
