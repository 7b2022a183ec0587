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
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	feddnsv1a1 "github.com/kubefed/kubefed/api/multiclusterdns/v1alpha1"
)

// Kind is one record kind, as the controllers that share this package
// handle it: ServiceRecords or IngressRecords. R is the record's pointer
// type, S its status.
type Kind[R client.Object, S any] struct {
	// Name is the kind's name, as messages say it.
	Name string
	// Controller is the name of the kind's status controller (its logs
	// and metrics say it): the kind's name in lower case.
	Controller string
	// New returns an empty record; NewList an empty list of records.
	New     func() R
	NewList func() client.ObjectList
	// Status points at a record's status.
	Status func(R) *S
}

// ServiceRecords is the ServiceDNSRecord kind.
var ServiceRecords = kindOf[feddnsv1a1.ServiceDNSRecord, feddnsv1a1.ServiceDNSRecordList]("ServiceDNSRecord",
	func(r *feddnsv1a1.ServiceDNSRecord) *feddnsv1a1.ServiceDNSRecordStatus { return &r.Status })

// IngressRecords is the IngressDNSRecord kind.
var IngressRecords = kindOf[feddnsv1a1.IngressDNSRecord, feddnsv1a1.IngressDNSRecordList]("IngressDNSRecord",
	func(r *feddnsv1a1.IngressDNSRecord) *feddnsv1a1.IngressDNSRecordStatus { return &r.Status })

// kindOf describes the kind whose records are T and lists L.
func kindOf[T, L any, R interface {
	*T
	client.Object
}, PL interface {
	*L
	client.ObjectList
}, S any](name string, status func(R) *S) Kind[R, S] {
	return Kind[R, S]{
		Name:       name,
		Controller: strings.ToLower(name),
		New:        func() R { return R(new(T)) },
		NewList:    func() client.ObjectList { return PL(new(L)) },
		Status:     status,
	}
}

// Requests lists every record of the kind that c can read and returns the
// request that request makes of each, skipping those it refuses; a nil
// request asks for the record itself. For map functions: a failed list is
// logged and enqueues nothing.
func (k Kind[R, S]) Requests(ctx context.Context, c client.Reader, request func(rec R) (ctrl.Request, bool)) []ctrl.Request {
	list := k.NewList()
	if err := c.List(ctx, list); err != nil {
		ctrl.LoggerFrom(ctx).Error(err, "Could not list "+k.Name+"s")
		return nil
	}
	if request == nil {
		request = func(rec R) (ctrl.Request, bool) {
			return ctrl.Request{NamespacedName: client.ObjectKeyFromObject(rec)}, true
		}
	}
	out := make([]ctrl.Request, 0, meta.LenList(list))
	_ = meta.EachListItem(list, func(o runtime.Object) error {
		if req, ok := request(o.(R)); ok {
			out = append(out, req)
		}
		return nil
	})
	return out
}
