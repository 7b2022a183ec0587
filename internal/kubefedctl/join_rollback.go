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
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// rollback deletes, newest first, what this join created, and returns the
// join's error extended by what was and was not removed.
func (j *joiner) rollback(ctx context.Context, cause error) error {
	if len(j.created) == 0 {
		return fmt.Errorf("joining cluster %s: %w\nNothing was created; fix the cause and join again", j.opts.ClusterName, cause)
	}
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Minute)
	defer cancel()
	var left []string
	for i := len(j.created) - 1; i >= 0; i-- {
		co := j.created[i]
		kind := kindOf(co.obj)
		err := co.side.c.Delete(ctx, co.obj, client.PropagationPolicy(metav1.DeletePropagationBackground))
		if err != nil && !apierrors.IsNotFound(err) {
			j.p.step(co.side.name, "could not delete %s: %v", objectRef(kind, co.obj), err)
			left = append(left, "  "+deleteCommand(co.side.kubeContext, kind, co.obj))
			continue
		}
		j.p.step(co.side.name, "deleted %s (rollback)", objectRef(kind, co.obj))
	}
	if len(left) == 0 {
		return fmt.Errorf("joining cluster %s: %w\nEverything this join had created was deleted again; fix the cause and join again", j.opts.ClusterName, cause)
	}
	return fmt.Errorf("joining cluster %s: %w\nThe rollback could not delete everything this join had created; remove the rest with:\n%s",
		j.opts.ClusterName, cause, strings.Join(left, "\n"))
}
