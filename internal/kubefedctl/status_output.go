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
	"fmt"
	"io"
	"strings"
	"text/tabwriter"

	corev1 "k8s.io/api/core/v1"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
)

// printReport writes a status report as a table: the object, its
// propagation and readiness lines, then one row per placed cluster (more
// columns with wide). The errors below give the command its exit code.
func printReport(out io.Writer, r *StatusReport, wide bool) {
	workload := r.Aggregated != nil && r.Aggregated.Replicas != nil
	for _, row := range r.Clusters {
		workload = workload || row.Desired != nil
	}
	w := tabwriter.NewWriter(out, 0, 4, 2, ' ', 0)
	header := []string{"CLUSTER", "HEALTH", "PROPAGATION", "REASON", "VERSION"}
	if workload {
		header = append(header, "DESIRED", "READY", "AVAILABLE")
	}
	header = append(header, "READINESS")
	if wide {
		header = append(header, "MESSAGE")
	}
	fmt.Fprintln(w, strings.Join(header, "\t"))
	for _, row := range r.Clusters {
		cells := []string{row.Cluster, row.Health, row.Propagation, dash(row.Reason), dash(row.Version)}
		if workload {
			cells = append(cells, num(row.Desired), num(row.Ready), num(row.Available))
		}
		cells = append(cells, dash(row.Readiness))
		if wide {
			cells = append(cells, dash(joinNonEmpty("; ", row.Message, row.ReadinessMessage)))
		}
		fmt.Fprintln(w, strings.Join(cells, "\t"))
	}
	w.Flush()
	line := fmt.Sprintf("%s: Propagation=%s", r.ref(), r.Propagation)
	if r.Reason != "" {
		line += " (" + r.Reason + ")"
	}
	propagated := 0
	for _, row := range r.Clusters {
		if row.Propagation == Propagated {
			propagated++
		}
	}
	line += fmt.Sprintf(", %d/%d clusters propagated", propagated, len(r.Clusters))
	if a := r.Aggregated; a != nil && a.Replicas != nil {
		line += fmt.Sprintf(", replicas %s/%s ready, %s available", num32(a.ReadyReplicas), num32(a.Replicas), num32(a.AvailableReplicas))
	}
	line += ", orphaning " + r.Orphaning
	if r.ObservedGeneration != r.Generation {
		line += fmt.Sprintf(", status is of generation %d (object at %d)", r.ObservedGeneration, r.Generation)
	}
	fmt.Fprintln(out, line)
	if wide && r.Message != "" {
		fmt.Fprintln(out, "Message: "+r.Message)
	}
	fmt.Fprintln(out, r.readinessLine())
}

// readinessLine is the summary line of readiness, e.g.
// "Ready=False (InProgress), Reconciling=True (MemberInProgress): InProgress in member2: ...".
func (r *StatusReport) readinessLine() string {
	line := "Ready=" + r.Ready
	if r.Readiness != "" {
		line += " (" + r.Readiness + ")"
	}
	switch {
	case r.Stalled:
		line += ", Stalled=True (" + r.ReadinessReason + ")"
	case r.Reconciling:
		line += ", Reconciling=True (" + r.ReadinessReason + ")"
	case r.Readiness == "" && r.Ready == string(corev1.ConditionUnknown):
		line += ": no Ready condition yet"
	}
	if r.ReadinessMessage != "" && r.Ready != string(corev1.ConditionTrue) {
		line += ": " + r.ReadinessMessage
	}
	return line
}

// readinessError returns a *NotReadyError unless the Ready condition is
// True.
func (r *StatusReport) readinessError() error {
	if r.Ready == string(corev1.ConditionTrue) {
		return nil
	}
	e := &NotReadyError{Object: r.ref(), Readiness: r.Readiness, Stalled: r.Stalled, Reason: r.ReadinessReason, Message: r.ReadinessMessage}
	for _, row := range r.Clusters {
		if row.Readiness != "" && row.Readiness != string(fedtypesv1b1.ReadinessCurrent) {
			e.Clusters = append(e.Clusters, row.Cluster+": "+row.Readiness)
		}
	}
	if e.Reason == "" {
		e.Reason = "no Ready condition yet: check that the controller manager runs and writes readiness (KubeFed before readiness did not)"
	}
	return e
}

// ref names the object as "Kind namespace/name".
func (r *StatusReport) ref() string {
	return kindRef(r.Kind, r.Namespace, r.Name)
}

func joinNonEmpty(sep string, parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" {
			out = append(out, p)
		}
	}
	return strings.Join(out, sep)
}

// propagationError returns a *NotPropagatedError unless every placed
// cluster has the current object.
func (r *StatusReport) propagationError() error {
	ref := r.ref()
	var failed []string
	for _, row := range r.Clusters {
		if row.Propagation != Propagated {
			failed = append(failed, row.Cluster+" ("+row.Reason+")")
		}
	}
	switch {
	case len(failed) > 0:
		return &NotPropagatedError{Object: ref, Clusters: failed}
	case r.ObservedGeneration != r.Generation:
		return &NotPropagatedError{Object: ref, Reason: fmt.Sprintf("the sync controller has not processed generation %d yet (status is of generation %d): check that the type's FederatedTypeConfig reports its controller Running", r.Generation, r.ObservedGeneration)}
	case r.Propagation != string(corev1.ConditionTrue):
		reason := r.Reason
		if reason == "" {
			reason = "no Propagation condition yet"
		}
		return &NotPropagatedError{Object: ref, Reason: fmt.Sprintf("Propagation=%s (%s) %s", r.Propagation, reason, r.Message)}
	}
	return nil
}

func dash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}

func num(v *int64) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprint(*v)
}

func num32(v *int32) string {
	if v == nil {
		return "-"
	}
	return fmt.Sprint(*v)
}
