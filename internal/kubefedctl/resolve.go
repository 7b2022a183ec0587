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
	"errors"
	"fmt"
	"slices"
	"strings"

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"

	"github.com/kubefed/kubefed/internal/federatedtypes"
)

// APIResource is a resource type of a cluster as discovery describes it.
type APIResource struct {
	// Group, Version and Kind of the type; Group is empty for the core
	// group.
	Group, Version, Kind string
	// Plural and Singular are the resource names (deployments,
	// deployment).
	Plural, Singular string
	// ShortNames are kubectl's short names (deploy).
	ShortNames []string
	// Namespaced is true for namespaced types.
	Namespaced bool
}

// QualifiedName is the resource's plural qualified by its group
// (deployments.apps), or the plural alone for the core group: the name of
// its FederatedTypeConfig.
func (r APIResource) QualifiedName() string {
	if r.Group == "" {
		return r.Plural
	}
	return r.Plural + "." + r.Group
}

// GroupVersionKind returns the type's group, version and kind.
func (r APIResource) GroupVersionKind() schema.GroupVersionKind {
	return schema.GroupVersionKind{Group: r.Group, Version: r.Version, Kind: r.Kind}
}

// Scope returns the type's scope as a FederatedTypeConfig names it.
func (r APIResource) Scope() apiextensionsv1.ResourceScope {
	if r.Namespaced {
		return apiextensionsv1.NamespaceScoped
	}
	return apiextensionsv1.ClusterScoped
}

// matches reports whether name designates the resource the way kubectl and
// KubeFed's kubefedctl accept: kind, plural, singular or short name,
// case-insensitive, optionally qualified by the group (deployments.apps,
// Deployment.apps).
func (r APIResource) matches(name string) bool {
	name = strings.ToLower(name)
	names := append([]string{strings.ToLower(r.Kind), r.Plural, r.Singular}, r.ShortNames...)
	for _, n := range names {
		if n == "" {
			continue
		}
		if name == n || (r.Group != "" && name == n+"."+r.Group) {
			return true
		}
	}
	return false
}

// discoverResources returns every resource type the cluster serves, in
// every version (the preferred version first) when allVersions is set, else
// in its preferred version. Groups that fail discovery (an aggregated API
// whose server is down) are skipped.
func discoverResources(cfg *rest.Config, allVersions bool) ([]APIResource, error) {
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("creating a discovery client: %w", err)
	}
	var lists []*metav1.APIResourceList
	if allVersions {
		_, lists, err = dc.ServerGroupsAndResources()
	} else {
		lists, err = dc.ServerPreferredResources()
	}
	var groupErr *discovery.ErrGroupDiscoveryFailed
	if err != nil && !errors.As(err, &groupErr) {
		return nil, fmt.Errorf("discovering the API types of the host cluster: %w", err)
	}
	var out []APIResource
	for _, list := range lists {
		gv, err := schema.ParseGroupVersion(list.GroupVersion)
		if err != nil {
			continue
		}
		for _, r := range list.APIResources {
			if strings.Contains(r.Name, "/") {
				continue
			}
			out = append(out, APIResource{
				Group: gv.Group, Version: gv.Version, Kind: r.Kind, Plural: r.Name,
				Singular: r.SingularName, ShortNames: r.ShortNames, Namespaced: r.Namespaced,
			})
		}
	}
	return out, nil
}

// LookupAPIResource finds the type that name designates in the cluster:
// a kind, plural, singular or short name, optionally group-qualified
// (deployments.apps), or a CRD name. version selects a version other than
// the preferred one. A name that matches types of several groups is
// refused with the qualified names to choose from.
func LookupAPIResource(cfg *rest.Config, name, version string) (APIResource, error) {
	resources, err := discoverResources(cfg, version != "")
	if err != nil {
		return APIResource{}, err
	}
	var found []APIResource
	for _, r := range resources {
		if version != "" && r.Version != version {
			continue
		}
		if r.matches(name) && !slices.ContainsFunc(found, func(f APIResource) bool { return f.Group == r.Group && f.Plural == r.Plural }) {
			found = append(found, r)
		}
	}
	switch {
	case len(found) == 1:
		return found[0], nil
	case len(found) == 0 && version != "":
		return APIResource{}, fmt.Errorf("no API type %q in version %s in the host cluster: list the types with 'kubectl api-resources', and check --version", name, version)
	case len(found) == 0:
		return APIResource{}, fmt.Errorf("no API type %q in the host cluster: list the types with 'kubectl api-resources'; a CRD must be installed in the host before it can be enabled", name)
	}
	var names []string
	for _, r := range found {
		names = append(names, r.QualifiedName())
	}
	slices.Sort(names)
	return APIResource{}, fmt.Errorf("%q matches several API types (%s): name one of them by its group-qualified plural", name, strings.Join(names, ", "))
}

// targetTypeOf returns the federatedtypes description of a resource: the
// default type's settings (status columns, replicas, status collection)
// when it is one of the default types, else what discovery says.
func targetTypeOf(r APIResource) federatedtypes.TargetType {
	if t, ok := federatedtypes.LookupDefault(r.Group, r.Kind); ok && t.Version == r.Version {
		return t
	}
	return federatedtypes.TargetType{
		Group: r.Group, Version: r.Version, Kind: r.Kind, PluralName: r.Plural,
		Scope: r.Scope(), ShortNames: r.ShortNames,
	}
}
