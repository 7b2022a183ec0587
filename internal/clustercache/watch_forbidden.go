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

package clustercache

import (
	"context"
	"errors"
	"fmt"
	"strings"

	authorizationv1 "k8s.io/api/authorization/v1"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/client/apiutil"
)

// ErrWatchForbidden is wrapped by the error of a watch whose kind the
// member's RBAC (or another authorizer) forbids the connection's identity to
// list or watch: a ForbiddenError.
var ErrWatchForbidden = errors.New("forbidden by the member cluster's authorization")

// ForbiddenError says that a member forbids the identity kubefed uses there
// (the service account kubefedctl join created) to list or watch a
// resource, and what to do about it.
type ForbiddenError struct {
	// Cluster is the member cluster.
	Cluster string
	// Resource is the forbidden resource.
	Resource schema.GroupResource
	// Namespace is where it was asked for; "" for every namespace.
	Namespace string
	// Verbs are the denied verbs (list, watch).
	Verbs []string
}

// Error names the cluster, the resource and the verbs, and says what to do.
func (e *ForbiddenError) Error() string {
	return e.Problem() + "; kubefed checks again by itself"
}

// Problem is Error without its last clause (that kubefed checks again), for
// a message that says so once for several errors.
func (e *ForbiddenError) Problem() string {
	verbs := strings.Join(e.Verbs, " and ")
	what := e.Resource.Resource
	if e.Resource.Group != "" {
		what += " (API group " + e.Resource.Group + ")"
	}
	if e.Namespace != "" {
		what += " in namespace " + e.Namespace
	}
	return fmt.Sprintf("cluster %s forbids kubefed to %s %s: grant the kubefed service account in cluster %s %s on %s, or re-run kubefedctl join",
		e.Cluster, verbs, what, e.Cluster, verbs, what)
}

// Is makes a ForbiddenError match ErrWatchForbidden.
func (e *ForbiddenError) Is(target error) bool { return target == ErrWatchForbidden }

// checkAccess asks the member (a SelfSubjectAccessReview per verb and
// namespace) whether the connection's identity may list and watch w's kind
// where the member caches would. An informer that may not list never
// syncs, and one that may not watch never sees a change: either would hold
// the connection's sync until its timeout and take the connection, and
// every other kind, down with it. A forbidden kind is a ForbiddenError,
// recorded and tried again like a kind that is not served. An error of the
// review itself, or a kind the mapper does not know, lets the informer
// decide as before (nil).
func (conn *connection) checkAccess(ctx context.Context, w *watch) error {
	mapping, err := conn.cluster.GetRESTMapper().RESTMapping(w.gvk.GroupKind(), w.gvk.Version)
	if err != nil {
		return nil // addWatch reports it
	}
	namespaces := []string{""}
	if len(conn.cc.opts.Namespaces) > 0 {
		if mapping.Scope.Name() != meta.RESTScopeNameNamespace {
			return nil // refused by checkScope
		}
		namespaces = conn.cc.opts.Namespaces
	}
	for _, ns := range namespaces {
		var denied []string
		for _, verb := range []string{"list", "watch"} {
			allowed, err := conn.allowed(ctx, mapping.Resource, ns, verb)
			if err != nil {
				conn.log.V(1).Info("Could not review the access to a watched kind; watching it anyway", "kind", w.gvk.String(), "error", err.Error())
				return nil
			}
			if !allowed {
				denied = append(denied, verb)
			}
		}
		if len(denied) > 0 {
			return &ForbiddenError{Cluster: conn.name, Resource: mapping.Resource.GroupResource(), Namespace: ns, Verbs: denied}
		}
	}
	return nil
}

// allowed reports whether the connection's identity may verb resource in
// namespace ("" for every namespace) of the member.
func (conn *connection) allowed(ctx context.Context, resource schema.GroupVersionResource, namespace, verb string) (bool, error) {
	review, err := conn.access.SelfSubjectAccessReviews().Create(ctx, &authorizationv1.SelfSubjectAccessReview{
		Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
			Namespace: namespace, Verb: verb, Group: resource.Group, Version: resource.Version, Resource: resource.Resource,
		}},
	}, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	return review.Status.Allowed, nil
}

// pendingCheck is the access check of a kind, in one or more
// registrations at once: done is closed when the last one ends.
type pendingCheck struct {
	n    int
	done chan struct{}
}

// beginChecks marks the kinds of watches as being checked, until endCheck.
func (conn *connection) beginChecks(watches []*watch) {
	conn.failMu.Lock()
	defer conn.failMu.Unlock()
	for _, w := range watches {
		p := conn.checking[w.gvk]
		if p == nil {
			p = &pendingCheck{done: make(chan struct{})}
			conn.checking[w.gvk] = p
		}
		p.n++
	}
}

// endCheck ends one check of w's kind begun by beginChecks.
func (conn *connection) endCheck(w *watch) {
	conn.failMu.Lock()
	defer conn.failMu.Unlock()
	p := conn.checking[w.gvk]
	if p == nil {
		return
	}
	if p.n--; p.n == 0 {
		close(p.done)
		delete(conn.checking, w.gvk)
	}
}

// endChecks ends the checks of watches that will not run.
func (conn *connection) endChecks(watches []*watch) {
	for _, w := range watches {
		conn.endCheck(w)
	}
}

// checked returns a channel closed once no access check of gvk is
// pending; nil when none is.
func (conn *connection) checked(gvk schema.GroupVersionKind) <-chan struct{} {
	conn.failMu.Lock()
	defer conn.failMu.Unlock()
	if p := conn.checking[gvk]; p != nil {
		return p.done
	}
	return nil
}

// forbidden returns the ForbiddenError recorded for a watch of gvk in this
// connection; nil when there is none.
func (conn *connection) forbidden(gvk schema.GroupVersionKind) error {
	conn.failMu.Lock()
	defer conn.failMu.Unlock()
	for _, f := range conn.failed {
		if f.w.gvk == gvk && errors.Is(f.err, ErrWatchForbidden) {
			return f.err
		}
	}
	return nil
}

// forbiddenReader is the member cache of a connection, except that a read
// of a kind whose watch the member forbids fails at once with the watch's
// ForbiddenError, and one of a kind whose access is being checked waits
// for the check. Read through the cache, a forbidden kind would start an
// informer that never syncs, and every read would wait for it until its
// context ends, then fail without saying why.
type forbiddenReader struct {
	client.Reader
	conn *connection
}

// Get reads obj from the cache unless its kind is forbidden.
func (r forbiddenReader) Get(ctx context.Context, key client.ObjectKey, obj client.Object, opts ...client.GetOption) error {
	if err := r.check(ctx, obj, false); err != nil {
		return err
	}
	return r.Reader.Get(ctx, key, obj, opts...)
}

// List lists from the cache unless the kind is forbidden.
func (r forbiddenReader) List(ctx context.Context, list client.ObjectList, opts ...client.ListOption) error {
	if err := r.check(ctx, list, true); err != nil {
		return err
	}
	return r.Reader.List(ctx, list, opts...)
}

func (r forbiddenReader) check(ctx context.Context, obj runtime.Object, isList bool) error {
	gvk, err := apiutil.GVKForObject(obj, r.conn.cluster.GetScheme())
	if err != nil {
		return nil // the cache reports it
	}
	if isList {
		gvk.Kind = strings.TrimSuffix(gvk.Kind, "List")
	}
	if done := r.conn.checked(gvk); done != nil {
		select {
		case <-done:
		case <-ctx.Done():
			return fmt.Errorf("reading %s in cluster %s: waiting for the check of the access to it: %w", gvk.Kind, r.conn.name, ctx.Err())
		}
	}
	return r.conn.forbidden(gvk)
}
