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

	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedtypesv1b1 "github.com/kubefed/kubefed/api/types/v1beta1"
	"github.com/kubefed/kubefed/internal/federatedtypes"
)

// buildEnabledType resolves the type and builds its federated CRD (with the
// target's schema as the template's) and FederatedTypeConfig, without
// changing anything.
func buildEnabledType(ctx context.Context, opts EnableOptions, p *printer) (*EnabledType, error) {
	target, err := LookupAPIResource(opts.HostConfig, opts.TypeName, opts.TargetVersion)
	if err != nil {
		return nil, err
	}
	p.v(1, "Found type %s (%s)", target.QualifiedName(), target.GroupVersionKind())
	t := targetTypeOf(target)
	t.FederatedGroup, t.FederatedVersion = opts.FederatedGroup, opts.FederatedVersion
	if t.FederatedGroupName() == fedtypesv1b1.GroupVersion.Group && t.FederatedVersionName() != fedtypesv1b1.GroupVersion.Version {
		return nil, fmt.Errorf("the control plane serves %s in version %s only: drop --federated-version, or use it with --federated-group",
			fedtypesv1b1.GroupVersion.Group, fedtypesv1b1.GroupVersion.Version)
	}
	schema, source, err := templateSchema(ctx, opts.HostConfig, target)
	if err != nil {
		return nil, err
	}
	p.v(1, "Template schema of %s from %s", target.QualifiedName(), source)
	t.TemplateSchema = schema
	if !t.HasReplicas && schema != nil {
		if spec, ok := schema.Properties["spec"]; ok {
			_, t.HasReplicas = spec.Properties["replicas"]
		}
	}
	ftc := federatedtypes.FederatedTypeConfig(t)
	ftc.Namespace = namespaceOrDefault(opts.KubeFedNamespace)
	return &EnabledType{Target: target, CRD: federatedtypes.CRD(t), TypeConfig: ftc}, nil
}

// templateSchema returns the target's own schema for spec.template: the
// schema of its CRD in the host, or the API server's OpenAPI v3 schema of a
// built-in kind.
func templateSchema(ctx context.Context, cfg *rest.Config, target APIResource) (*apiextensionsv1.JSONSchemaProps, string, error) {
	c, err := newClient(cfg)
	if err != nil {
		return nil, "", err
	}
	crd := &apiextensionsv1.CustomResourceDefinition{}
	err = c.Get(ctx, client.ObjectKey{Name: target.Plural + "." + target.Group}, crd)
	switch {
	case err == nil:
		for _, v := range crd.Spec.Versions {
			if v.Name == target.Version && v.Schema != nil {
				return federatedtypes.TemplateSchemaFromCRD(v.Schema.OpenAPIV3Schema), "CRD " + crd.Name, nil
			}
		}
		return nil, "", fmt.Errorf("CRD %s has no schema for version %s: give the version a schema, or enable another one with --version", crd.Name, target.Version)
	case !apierrors.IsNotFound(err) && target.Group != "":
		return nil, "", fmt.Errorf("reading CRD %s.%s in the host cluster: %w", target.Plural, target.Group, err)
	}
	dc, err := discovery.NewDiscoveryClientForConfig(cfg)
	if err != nil {
		return nil, "", err
	}
	path := "/openapi/v3/apis/" + target.Group + "/" + target.Version
	if target.Group == "" {
		path = "/openapi/v3/api/" + target.Version
	}
	doc, err := dc.RESTClient().Get().AbsPath(path).SetHeader("Accept", "application/json").Do(ctx).Raw()
	if err != nil {
		return nil, "", fmt.Errorf("reading the OpenAPI v3 schema of %s from the host cluster (%s): %w", target.QualifiedName(), path, err)
	}
	schema, err := federatedtypes.TemplateSchemaFromOpenAPI(doc, target.Group, target.Version, target.Kind)
	if err != nil {
		return nil, "", err
	}
	return schema, "the API server's OpenAPI v3 (" + path + ")", nil
}
