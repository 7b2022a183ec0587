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

// Package admission holds the end-to-end test of the admission webhook of
// FederatedTypeConfig health rules as a user installs it: the Helm chart
// in the host of a local federation, with the webhook's URL pointed at
// bin/controller-manager running as a local process under the chart's
// ServiceAccount (controllermanager.webhook.url; the process reads the
// serving certificate the chart made, from its Secret). The host's API
// server calls the process: kubectl apply of a FederatedTypeConfig whose
// readyWhen does not compile is refused with CEL's message, a valid one is
// stored. A second process started without a certificate runs, and logs
// that admission of health rules is off.
//
// It needs the binaries of `make build` and `make tools` in
// $KUBEFED_BIN_DIR (bin/ by default).
package admission
