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
	"context"
	"errors"

	"sigs.k8s.io/controller-runtime/pkg/reconcile"

	"github.com/kubefed/kubefed/internal/clustercache"
)

// memberWatchChanged returns the federated objects to reconcile when the
// member watch of the type changed state in a member. When it started
// there after a failure, every object: the copies placed there could not
// be written before. When the member forbids the kubefed identity to list
// or watch the type, every object too, once (the watch's handler is told
// only when its error changes): each reports, for that cluster, the
// CachedRetrievalFailed status whose message names the missing permission
// (see clustercache.ForbiddenError), instead of whatever an earlier
// reconcile found while the permission was being checked. Other failures
// (the type's CRD is not installed there) change nothing to reconcile.
func memberWatchChanged(ctx context.Context, relist *relister, clusterName string, err error) []reconcile.Request {
	switch {
	case err == nil:
		return relist.requests(ctx, "", "the member watch started in cluster "+clusterName)
	case errors.Is(err, clustercache.ErrWatchForbidden):
		return relist.requests(ctx, "", "the member watch is forbidden in cluster "+clusterName)
	}
	return nil
}
