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

package e2eutil

import "fmt"

// WebAppYAML returns two YAML documents: a FederatedNamespace ns on every
// member, and a FederatedDeployment web in it (one nginx:1.27 replica,
// label app: web) with the given placement and overrides, a YAML block
// indented as the spec's fields ("  placement:\n    clusterSelector: {}").
func WebAppYAML(ns, placement string) string {
	return fmt.Sprintf(`
apiVersion: types.kubefed.io/v1beta1
kind: FederatedNamespace
metadata:
  name: %[1]s
  namespace: %[1]s
spec:
  placement:
    clusterSelector: {}
---
apiVersion: types.kubefed.io/v1beta1
kind: FederatedDeployment
metadata:
  name: web
  namespace: %[1]s
spec:
  template:
    metadata:
      labels:
        app: web
    spec:
      replicas: 1
      selector:
        matchLabels:
          app: web
      template:
        metadata:
          labels:
            app: web
        spec:
          containers:
          - name: web
            image: nginx:1.27
%[2]s`, ns, placement)
}
