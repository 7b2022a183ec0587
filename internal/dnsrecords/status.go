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

package dnsrecords

import (
	"fmt"
	"strings"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
	"github.com/kubefed/kubefed/internal/conditions"
)

// SetCondition sets one record condition, keeping its transition time when
// only the message changed.
func SetCondition(conds *[]metav1.Condition, generation int64, typ string, ok bool, reason, message string) {
	conditions.Set(conds, generation, metav1.Condition{Type: typ, Status: conditions.StatusFor(ok), Reason: reason, Message: message})
}

// Tally gathers, cluster by cluster, what the conditions of one record
// report: the per-cluster problems, in the order they were found, and how
// far the record's member object got in the Ready clusters. The record
// controllers fill it while they build status.dns, then set the conditions
// from it.
type Tally struct {
	// Ready counts the Ready clusters (those status.dns lists).
	Ready int
	// Found counts the Ready clusters that have the member object.
	Found int
	// WithAddress counts the found objects with a load balancer address.
	WithAddress int
	// Invalid counts the load balancer addresses that are neither an IP
	// nor a valid DNS name.
	Invalid int
	// Published counts the clusters whose load balancer has an address
	// to publish.
	Published int
	// problems say, one per line, why a cluster is not published.
	problems []string
}

// Problem notes why a cluster is not (fully) published; an empty problem
// is none.
func (t *Tally) Problem(problem string) {
	if problem != "" {
		t.problems = append(t.problems, problem)
	}
}

// Cluster notes one cluster's read: its problem, if any, and whether it is
// Ready, which it returns (only Ready clusters are listed in status.dns).
func (t *Tally) Cluster(cl Cluster, problem string) bool {
	t.Problem(problem)
	if cl.Ready {
		t.Ready++
	}
	return cl.Ready
}

// LoadBalancer notes the load balancer of the member object of a Ready
// cluster (object names it: "Service shop/web"): invalid addresses, or no
// address yet, are problems. It returns the addresses that can be
// published.
func (t *Tally) LoadBalancer(cl Cluster, object string, lbs []corev1.LoadBalancerIngress) []corev1.LoadBalancerIngress {
	t.Found++
	valid, invalid := CleanLoadBalancer(lbs)
	for _, h := range invalid {
		t.Invalid++
		t.Problem(fmt.Sprintf("cluster %s: load balancer address %q of %s is not a valid IP or DNS name and is not published", cl.Name, h, object))
	}
	if len(lbs) == 0 {
		t.Problem(fmt.Sprintf("cluster %s: %s has no load balancer address yet", cl.Name, object))
	} else {
		t.WithAddress++
	}
	return valid
}

// Summary joins the problems into one status message.
func (t *Tally) Summary() string {
	return strings.Join(t.problems, "; ")
}

// SetAvailable sets the Available condition: true when a cluster has a
// load balancer to publish. Without one the DNSEndpoint keeps its last
// records: a DNS name that vanishes while no cluster can serve is worse
// than one that may be stale.
func (t *Tally) SetAvailable(conds *[]metav1.Condition, generation int64) {
	if t.Published > 0 {
		SetCondition(conds, generation, feddnsv1a1.ConditionAvailable, true, feddnsv1a1.ReasonHealthy,
			fmt.Sprintf("%d of %d Ready clusters have a load balancer to publish. %s", t.Published, t.Ready, t.Summary()))
		return
	}
	SetCondition(conds, generation, feddnsv1a1.ConditionAvailable, false, feddnsv1a1.ReasonNoHealthyCluster,
		strings.TrimSpace(fmt.Sprintf("No cluster is healthy; the DNSEndpoint keeps the records it last published, if any. %s", t.Summary())))
}

// SetNotReady sets the Ready condition to false for reason, with what
// (what the user sees, and what to do) followed by the problems.
func (t *Tally) SetNotReady(conds *[]metav1.Condition, generation int64, reason, what string) {
	SetCondition(conds, generation, feddnsv1a1.ConditionReady, false, reason, strings.TrimSpace(what+". "+t.Summary()))
}
