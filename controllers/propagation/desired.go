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

package propagation

import (
	"encoding/json"
	"errors"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/eventnote"
	"github.com/kubefed/kubefed/internal/overrides"
)

// Metadata fields a template may carry that describe a stored object, not a
// desired one; they are never applied.
var serverMetadataFields = []string{"resourceVersion", "uid", "creationTimestamp", "generation",
	"managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "ownerReferences", "finalizers"}

// desiredObject builds the object to apply in cluster: the template with
// the federated object's name and namespace, the target apiVersion and
// kind, the cluster's overrides and the managed label. Fields a member
// controller owns are copied from existing (the member object, nil if
// none), so that applying never fights over them.
func (r *Reconciler) desiredObject(s *scope, cluster string, existing *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	template, items, err := s.content(cluster)
	if err != nil {
		return nil, err
	}
	return r.buildDesired(s, cluster, template, items, existing)
}

// buildDesired builds the object to apply in cluster from a template and
// overrides (the spec's, or a revision's under a rollout).
func (r *Reconciler) buildDesired(s *scope, cluster string, template map[string]any, items []fedtypesv1b1.GenericOverrideItem, existing *unstructured.Unstructured) (*unstructured.Unstructured, error) {
	obj := &unstructured.Unstructured{Object: map[string]any{}}
	if template != nil {
		obj.Object = runtimeDeepCopy(template)
	}
	for _, f := range serverMetadataFields {
		unstructured.RemoveNestedField(obj.Object, "metadata", f)
	}
	delete(obj.Object, "status")
	obj.SetGroupVersionKind(r.targetGVK())
	key := r.memberKey(s.fedObj)
	obj.SetName(key.Name)
	obj.SetNamespace(key.Namespace)

	if err := overrides.Apply(obj, fedtypesv1b1.ClusterOverridesFor(items, cluster)); err != nil {
		return nil, err
	}
	// retainReplicas: after creation the member owns spec.replicas (an HPA
	// scales it there); as in KubeFed this wins over overrides too.
	if existing != nil {
		if retain, _ := fedtypesv1b1.GetRetainReplicas(s.fedObj); retain {
			if replicas, found, _ := unstructured.NestedFieldNoCopy(existing.Object, "spec", "replicas"); found {
				if err := unstructured.SetNestedField(obj.Object, replicas, "spec", "replicas"); err != nil {
					return nil, err
				}
			}
		}
	}
	// Overrides cannot rename or move the object (the API refuses such
	// paths); set them again in case a template or override tried.
	obj.SetGroupVersionKind(r.targetGVK())
	obj.SetName(key.Name)
	obj.SetNamespace(key.Namespace)
	labels := obj.GetLabels()
	if labels == nil {
		labels = map[string]string{}
	}
	labels[fedcorev1b1.ManagedByKubeFedLabelKey] = fedcorev1b1.ManagedByKubeFedLabelValue
	obj.SetLabels(labels)
	return obj, nil
}

func runtimeDeepCopy(m map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: m}).DeepCopy().Object
}

// deleteOptions reads the kubefed.io/deleteoption annotation: JSON
// DeleteOptions used when member copies are deleted. Unless it says
// otherwise, copies are deleted in the background with their dependents:
// some kinds (Jobs) would orphan their Pods in the member.
func deleteOptions(fedObj *unstructured.Unstructured) ([]client.DeleteOption, error) {
	background := client.PropagationPolicy(metav1.DeletePropagationBackground)
	raw, ok := fedObj.GetAnnotations()[fedcorev1b1.DeleteOptionAnnotation]
	if !ok || raw == "" {
		return []client.DeleteOption{background}, nil
	}
	opts := &metav1.DeleteOptions{}
	if err := json.Unmarshal([]byte(raw), opts); err != nil {
		return nil, fmt.Errorf("annotation %s is not valid JSON DeleteOptions (%v): fix or remove it", fedcorev1b1.DeleteOptionAnnotation, err)
	}
	// controller-runtime overwrites these fields of Raw with its own
	// (unset) ones, so they are passed at the top level too.
	out := &client.DeleteOptions{
		GracePeriodSeconds: opts.GracePeriodSeconds,
		Preconditions:      opts.Preconditions,
		PropagationPolicy:  opts.PropagationPolicy,
		DryRun:             opts.DryRun,
		Raw:                opts,
	}
	if out.PropagationPolicy == nil && opts.OrphanDependents == nil {
		out.PropagationPolicy = ptr.To(metav1.DeletePropagationBackground)
	}
	return []client.DeleteOption{out}, nil
}

func describeKey(kind string, key types.NamespacedName) string {
	if key.Namespace == "" {
		return fmt.Sprintf("%s %s", kind, key.Name)
	}
	return fmt.Sprintf("%s %s/%s", kind, key.Namespace, key.Name)
}

// apiMessage returns the member API server's own message for an error.
func apiMessage(err error) string {
	var status apierrors.APIStatus
	if errors.As(err, &status) && status.Status().Message != "" {
		return status.Status().Message
	}
	return err.Error()
}

func eventReason(op string, failed bool) string {
	reason := map[string]string{"create": "CreateInCluster", "update": "UpdateInCluster"}[op]
	if failed {
		reason += "Failed"
	}
	return reason
}

// eventAction is the action of every event the sync controllers record
// (the events.k8s.io/v1 API requires one); the reason says which write.
const eventAction = "Propagate"

func (r *Reconciler) event(s *scope, eventType, reason, format string, args ...any) {
	if r.Recorder != nil {
		r.Recorder.Eventf(s.fedObj, nil, eventType, reason, eventAction, "%s", eventnote.Format(format, args...))
	}
}
