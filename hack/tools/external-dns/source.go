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

package main

import (
	"context"
	"encoding/json"
	"fmt"

	log "github.com/sirupsen/logrus"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	crcache "sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"sigs.k8s.io/external-dns/endpoint"
)

// crdSource lists the DNSEndpoint objects of one group/version/kind from an
// informer and records the generation it read in status.observedGeneration,
// as external-dns's own CRD source does.
type crdSource struct {
	gvk       schema.GroupVersionKind
	namespace string
	cache     crcache.Cache
	writer    client.Client
	informer  crcache.Informer
}

func newCRDSource(ctx context.Context, cfg *rest.Config, gvk schema.GroupVersionKind, namespace string) (*crdSource, error) {
	opts := crcache.Options{}
	if namespace != "" {
		opts.DefaultNamespaces = map[string]crcache.Config{namespace: {}}
	}
	c, err := crcache.New(cfg, opts)
	if err != nil {
		return nil, err
	}
	w, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, err
	}
	probe := &unstructured.Unstructured{}
	probe.SetGroupVersionKind(gvk)
	inf, err := c.GetInformer(ctx, probe)
	if err != nil {
		return nil, fmt.Errorf("watching %s (is its CRD installed?): %w", gvk, err)
	}
	go func() {
		if err := c.Start(ctx); err != nil {
			log.Errorf("Informer cache stopped: %v", err)
		}
	}()
	if !c.WaitForCacheSync(ctx) {
		return nil, fmt.Errorf("informer for %s did not sync", gvk)
	}
	return &crdSource{gvk: gvk, namespace: namespace, cache: c, writer: w, informer: inf}, nil
}

// AddEventHandler calls handler on every change of a DNSEndpoint.
func (s *crdSource) AddEventHandler(handler func()) {
	_, _ = s.informer.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
		AddFunc:    func(any) { handler() },
		UpdateFunc: func(any, any) { handler() },
		DeleteFunc: func(any) { handler() },
	})
}

// Endpoints returns the endpoints of every DNSEndpoint, merged by name and
// type as external-dns does.
func (s *crdSource) Endpoints(ctx context.Context) ([]*endpoint.Endpoint, error) {
	list := &unstructured.UnstructuredList{}
	list.SetGroupVersionKind(s.gvk.GroupVersion().WithKind(s.gvk.Kind + "List"))
	if err := s.cache.List(ctx, list, client.InNamespace(s.namespace)); err != nil {
		return nil, err
	}
	var all []*endpoint.Endpoint
	for i := range list.Items {
		obj := &list.Items[i]
		var spec struct {
			Endpoints []*endpoint.Endpoint `json:"endpoints"`
		}
		// JSON, not the unstructured converter: external-dns's Endpoint
		// has unexported fields, which the converter cannot set.
		raw, err := json.Marshal(obj.Object["spec"])
		if err == nil {
			err = json.Unmarshal(raw, &spec)
		}
		if err != nil {
			log.Warnf("Skipped %s %s: its spec does not parse: %v", s.gvk.Kind, objectLabel(obj), err)
			continue
		}
		for _, ep := range spec.Endpoints {
			if ep == nil || ep.DNSName == "" {
				continue
			}
			if ep.Labels == nil {
				ep.Labels = endpoint.NewLabels()
			}
			ep.Labels[endpoint.ResourceLabelKey] = objectLabel(obj)
			all = append(all, ep)
		}
		s.observe(ctx, obj)
	}
	return endpoint.MergeEndpoints(all), nil
}

// observe records the generation that was read, so that users (and tests)
// can see that external-dns has seen the latest spec.
func (s *crdSource) observe(ctx context.Context, obj *unstructured.Unstructured) {
	observed, _, _ := unstructured.NestedInt64(obj.Object, "status", "observedGeneration")
	if observed == obj.GetGeneration() {
		return
	}
	patch := fmt.Appendf(nil, `{"status":{"observedGeneration":%d}}`, obj.GetGeneration())
	target := obj.DeepCopy()
	if err := s.writer.Status().Patch(ctx, target, client.RawPatch("application/merge-patch+json", patch)); err != nil {
		log.Warnf("Could not record observedGeneration of %s: %v", objectLabel(obj), err)
	}
}
