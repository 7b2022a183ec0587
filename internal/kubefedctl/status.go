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
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1a1 "github.com/kubefed/kubefed/api/core/v1alpha1"
	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// Cluster health values of a status row (see ClusterHealth): the
// KubeFedCluster's condition where one says it, as kubectl shows them.
const (
	HealthReady     = string(fedcorev1b1.ClusterReady)
	HealthNotReady  = "NotReady"
	HealthOffline   = string(fedcorev1b1.ClusterOffline)
	HealthUnknown   = string(corev1.ConditionUnknown)
	HealthNotJoined = "NotJoined"
)

// Propagation values of a status row.
const (
	Propagated    = "Propagated"
	NotPropagated = "NotPropagated"
	// PropagationUnknown is shown for a cluster that is not Ready while the
	// last status says propagated: the member copy may have changed or
	// be gone since, and nothing can correct it there.
	PropagationUnknown = "Unknown"
)

// StatusReport is what kubefedctl status shows of a federated object.
type StatusReport struct {
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace,omitempty"`
	Generation int64  `json:"generation"`
	// ObservedGeneration is the generation the status was written for.
	ObservedGeneration int64 `json:"observedGeneration"`
	// Propagation, Reason and Message are the Propagation condition's.
	Propagation string `json:"propagation"`
	Reason      string `json:"reason,omitempty"`
	Message     string `json:"message,omitempty"`
	// Orphaning is Enabled when member objects stay on deletion.
	Orphaning string `json:"orphaning"`
	// Ready is the status of the Ready condition (True, False, or Unknown
	// while there is none); Readiness is its reason, the kstatus status of
	// the object as a whole (Current, InProgress or Failed).
	Ready     string `json:"ready"`
	Readiness string `json:"readiness,omitempty"`
	// ReadinessReason and ReadinessMessage say what the object waits for:
	// the Stalled condition's when it is True, else the Reconciling
	// condition's when it is True, else the Ready condition's.
	ReadinessReason  string `json:"readinessReason,omitempty"`
	ReadinessMessage string `json:"readinessMessage,omitempty"`
	// Reconciling and Stalled are true while those conditions are True.
	Reconciling bool `json:"reconciling,omitempty"`
	Stalled     bool `json:"stalled,omitempty"`
	// Clusters has one row per placed cluster.
	Clusters []ClusterStatusRow `json:"clusters"`
	// Aggregated is the status summed across clusters.
	Aggregated *fedtypesv1b1.AggregatedStatus `json:"aggregated,omitempty"`
}

// ClusterStatusRow is the state of a federated object in one cluster.
type ClusterStatusRow struct {
	Cluster string `json:"cluster"`
	// Health is the KubeFedCluster's: Ready, NotReady, Offline, Unknown or
	// NotJoined.
	Health string `json:"health"`
	// Propagation is Propagated or NotPropagated; Reason is the sync
	// controller's reason (ClusterNotReady, ApplyOverridesFailed, ...).
	Propagation string `json:"propagation"`
	Reason      string `json:"reason,omitempty"`
	Message     string `json:"message,omitempty"`
	// Version is the member copy's version as last written (gen:N, rv:N).
	Version string `json:"version,omitempty"`
	// Desired, Ready and Available replicas of a workload's member copy.
	Desired   *int64 `json:"desired,omitempty"`
	Ready     *int64 `json:"ready,omitempty"`
	Available *int64 `json:"available,omitempty"`
	// Readiness is the kstatus status of the member copy
	// (status.clusters[].readiness): Current, InProgress, Failed,
	// Terminating, NotFound or Unknown; ReadinessMessage says why.
	Readiness        string `json:"readiness,omitempty"`
	ReadinessMessage string `json:"readinessMessage,omitempty"`
}

// NotPropagatedError is returned by Status when a placed cluster does not
// have the current object; kubefedctl exits with ExitCode.
type NotPropagatedError struct {
	Object   string
	Clusters []string
	Reason   string
}

func (e *NotPropagatedError) Error() string {
	if len(e.Clusters) == 0 {
		return fmt.Sprintf("%s is not propagated: %s", e.Object, e.Reason)
	}
	return fmt.Sprintf("%s is not propagated to %s: see the rows above, and 'kubectl get kubefedclusters -A' for the clusters' health", e.Object, strings.Join(e.Clusters, ", "))
}

// ExitCode is the exit code of kubefedctl status when an object is not
// propagated everywhere, set apart from 1 (the command failed).
func (e *NotPropagatedError) ExitCode() int { return ExitNotPropagated }

// The exit codes of kubefedctl status. A script that waits for a rollout
// loops while the code is ExitNotPropagated or ExitNotReady and stops on
// ExitStalled: that one will not pass without a change.
const (
	// ExitReady (0): propagated to every placed cluster at the current
	// generation, and Ready=True: every member copy is Current.
	ExitReady = 0
	// ExitFailed (1): the command itself failed (no such object, no access).
	ExitFailed = 1
	// ExitNotPropagated (2): some placed cluster does not have the current
	// object, or the sync controller has not processed its generation.
	ExitNotPropagated = 2
	// ExitNotReady (3): propagated everywhere, but not Ready yet: some
	// member copy is still rolling out (kstatus InProgress).
	ExitNotReady = 3
	// ExitStalled (4): propagated everywhere, and Stalled: some member copy
	// failed (kstatus Failed) and will not become ready without a change.
	ExitStalled = 4
)

// NotReadyError is returned by Status when an object is propagated
// everywhere but is not Ready; kubefedctl exits with ExitCode.
type NotReadyError struct {
	Object string
	// Readiness is the object's kstatus status (InProgress, Failed, or
	// empty before the controller wrote a Ready condition).
	Readiness string
	// Clusters are the clusters whose copy is not Current, with their
	// readiness.
	Clusters []string
	// Stalled is true when the Stalled condition is True.
	Stalled bool
	Reason  string
	Message string
}

func (e *NotReadyError) Error() string {
	what := "is not ready"
	if e.Stalled {
		what = "is stalled: it will not become ready without a change"
	}
	msg := fmt.Sprintf("%s %s", e.Object, what)
	if len(e.Clusters) > 0 {
		msg += " (" + strings.Join(e.Clusters, ", ") + ")"
	}
	if e.Reason != "" {
		msg += ": " + e.Reason
		if e.Message != "" {
			msg += ": " + e.Message
		}
	}
	switch {
	case e.Stalled && isRolloutStall(e.Reason):
		return msg + "; the rollout stopped: 'kubefedctl rollout status' shows where, the message above how to go on"
	case e.Stalled:
		return msg + "; fix the member copies named above (kubectl describe in that cluster), or the federated object"
	}
	return msg
}

// isRolloutStall reports whether a Stalled condition's reason is that of a
// stopped progressive rollout (the condition takes status.rollout's
// reason, docs/rollout.md).
func isRolloutStall(reason string) bool {
	switch fedtypesv1b1.RolloutReason(reason) {
	case fedtypesv1b1.RolloutReasonProgressDeadlineExceeded, fedtypesv1b1.RolloutReasonClusterFailed, fedtypesv1b1.RolloutReasonRevisionNotFound:
		return true
	}
	return false
}

// ExitCode is ExitStalled for a Stalled object, else ExitNotReady.
func (e *NotReadyError) ExitCode() int {
	if e.Stalled {
		return ExitStalled
	}
	return ExitNotReady
}

// StatusOptions configure Status.
type StatusOptions struct {
	Ref FederatedObjectRef
	// Output is "" (a table), wide (with messages), yaml or json.
	Output string
	Out    io.Writer
}

// Status prints the state of a federated object in every placed cluster
// and returns a *NotPropagatedError when any placed cluster is not
// propagated, else a *NotReadyError when the object is not Ready.
func Status(ctx context.Context, opts StatusOptions) error {
	if err := checkReportOutput(opts.Output); err != nil {
		return err
	}
	c, ro, err := readFederatedObject(ctx, opts.Ref)
	if err != nil {
		return err
	}
	report, err := buildReport(ctx, c, ro, namespaceOrDefault(opts.Ref.KubeFedNamespace))
	if err != nil {
		return err
	}
	printed, err := printStructured(opts.Out, report, opts.Output)
	if err != nil {
		return err
	}
	if !printed {
		if ro.warning != "" {
			fmt.Fprintln(opts.Out, ro.warning)
		}
		printReport(opts.Out, report, opts.Output == "wide")
	}
	if err := report.propagationError(); err != nil {
		return err
	}
	return report.readinessError()
}

// statusOf returns the status of a federated object; an empty one before
// the controller wrote any.
func statusOf(obj *unstructured.Unstructured) (*fedtypesv1b1.GenericFederatedStatus, error) {
	status, err := fedtypesv1b1.GetStatus(obj)
	if err != nil {
		return nil, fmt.Errorf("reading the status of %s: %w", objectRef(obj.GetKind(), obj), err)
	}
	if status == nil {
		status = &fedtypesv1b1.GenericFederatedStatus{}
	}
	return status, nil
}

func buildReport(ctx context.Context, c client.Client, ro *resolvedObject, kubefedNS string) (*StatusReport, error) {
	obj := ro.obj
	status, err := statusOf(obj)
	if err != nil {
		return nil, err
	}
	r := &StatusReport{Kind: obj.GetKind(), Name: obj.GetName(), Namespace: obj.GetNamespace(), Generation: obj.GetGeneration(),
		Propagation: string(corev1.ConditionUnknown), Orphaning: orphaningState(IsOrphaningEnabled(obj))}
	r.ObservedGeneration = status.ObservedGeneration
	r.Aggregated = status.AggregatedStatus
	if cond := status.GetCondition(fedtypesv1b1.PropagationConditionType); cond != nil {
		r.Propagation, r.Reason, r.Message = string(cond.Status), string(cond.Reason), cond.Message
	}
	r.setReadiness(status)
	health, err := clusterHealth(ctx, c, kubefedNS)
	if err != nil {
		return nil, err
	}
	versions := map[string]string{}
	if ro.ftc != nil {
		versions = propagatedVersions(ctx, c, ro.ftc.Spec.TargetType.Kind, obj)
	}
	for _, cs := range status.Clusters {
		row := ClusterStatusRow{Cluster: cs.Name, Health: health[cs.Name], Propagation: Propagated, Version: versions[cs.Name]}
		if row.Health == "" {
			row.Health = HealthNotJoined
		}
		switch {
		case cs.Status != fedtypesv1b1.ClusterPropagationOK:
			row.Propagation, row.Reason, row.Message = NotPropagated, string(cs.Status), cs.Message
		case row.Health != HealthReady:
			row.Propagation, row.Reason = PropagationUnknown, string(fedtypesv1b1.ClusterNotReady)
			row.Message = fmt.Sprintf("cluster %s is %s: its copy was propagated, but whether it is still current is unknown", cs.Name, row.Health)
		}
		row.Readiness, row.ReadinessMessage = string(cs.Readiness), cs.ReadinessMessage
		if cs.RemoteStatus != nil {
			var remote map[string]any
			if json.Unmarshal(cs.RemoteStatus.Raw, &remote) == nil {
				row.Desired, row.Ready, row.Available = intField(remote, "replicas"), intField(remote, "readyReplicas"), intField(remote, "availableReplicas")
			}
		}
		r.Clusters = append(r.Clusters, row)
	}
	slices.SortFunc(r.Clusters, func(a, b ClusterStatusRow) int { return strings.Compare(a.Cluster, b.Cluster) })
	return r, nil
}

// setReadiness reads the readiness conditions into the report: the Ready
// condition's status and reason, and what the object waits for from the
// Stalled condition, else the Reconciling one, else the Ready one.
func (r *StatusReport) setReadiness(status *fedtypesv1b1.GenericFederatedStatus) {
	r.Ready = string(corev1.ConditionUnknown)
	if c := status.GetCondition(fedtypesv1b1.ReadyConditionType); c != nil {
		r.Ready, r.Readiness = string(c.Status), string(c.Reason)
		r.ReadinessReason, r.ReadinessMessage = string(c.Reason), c.Message
	}
	if c := status.GetCondition(fedtypesv1b1.ReconcilingConditionType); c != nil && c.Status == corev1.ConditionTrue {
		r.Reconciling = true
		r.ReadinessReason, r.ReadinessMessage = string(c.Reason), c.Message
	}
	if c := status.GetCondition(fedtypesv1b1.StalledConditionType); c != nil && c.Status == corev1.ConditionTrue {
		r.Stalled = true
		r.ReadinessReason, r.ReadinessMessage = string(c.Reason), c.Message
	}
}

func intField(m map[string]any, key string) *int64 {
	v, ok := m[key].(float64)
	if !ok {
		return nil
	}
	i := int64(v)
	return &i
}

// clusterHealth returns the health of every KubeFedCluster by name.
func clusterHealth(ctx context.Context, c client.Client, ns string) (map[string]string, error) {
	var list fedcorev1b1.KubeFedClusterList
	if err := c.List(ctx, &list, client.InNamespace(ns)); err != nil {
		return nil, fmt.Errorf("listing KubeFedClusters in %s: %w", ns, err)
	}
	out := map[string]string{}
	for i := range list.Items {
		out[list.Items[i].Name] = ClusterHealth(&list.Items[i])
	}
	return out, nil
}

// ClusterHealth is a KubeFedCluster's health as status shows it: Offline
// when its Offline condition is True; Ready when its status IsReady, the
// control plane's one definition of a Ready member (sync, scheduling and
// DNS use the same); NotReady when it has another Ready condition; Unknown
// before the cluster health controller wrote one.
func ClusterHealth(kfc *fedcorev1b1.KubeFedCluster) string {
	switch {
	case kfc.Status.ConditionStatus(fedcorev1b1.ClusterOffline) == corev1.ConditionTrue:
		return HealthOffline
	case kfc.Status.IsReady():
		return HealthReady
	case kfc.Status.ConditionStatus(fedcorev1b1.ClusterReady) != "":
		return HealthNotReady
	}
	return HealthUnknown
}

// propagatedVersions returns the member copies' versions from the object's
// PropagatedVersion record; none when there is no record (yet).
func propagatedVersions(ctx context.Context, c client.Client, targetKind string, obj *unstructured.Unstructured) map[string]string {
	name := fedcorev1a1.PropagatedVersionName(targetKind, obj.GetName())
	var status *fedcorev1a1.PropagatedVersionStatus
	if obj.GetNamespace() != "" {
		pv := &fedcorev1a1.PropagatedVersion{}
		if err := c.Get(ctx, client.ObjectKey{Namespace: obj.GetNamespace(), Name: name}, pv); err == nil {
			status = &pv.Status
		}
	} else {
		pv := &fedcorev1a1.ClusterPropagatedVersion{}
		if err := c.Get(ctx, client.ObjectKey{Name: name}, pv); err == nil {
			status = &pv.Status
		}
	}
	out := map[string]string{}
	if status != nil {
		for _, v := range status.ClusterVersions {
			out[v.ClusterName] = v.Version
		}
	}
	return out
}
