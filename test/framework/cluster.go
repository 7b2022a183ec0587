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

package framework

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Cluster is one local Kubernetes cluster of a Federation.
type Cluster struct {
	// Name is the cluster's name in the federation (host, member1, ...). It
	// is also its context name in the federation's kubeconfig.
	Name string
	// KwokName is kwokctl's name for the cluster, unique on the machine.
	KwokName string
	// Ports are the component ports reserved for the cluster.
	Ports Ports
	// Config connects to the cluster as its administrator.
	Config *rest.Config

	fed     *Federation
	kubecfg *clientcmdapi.Config
}

// Context returns the cluster's context name in the federation kubeconfig.
func (c *Cluster) Context() string { return c.Name }

// Clientset returns a typed client for the cluster.
func (c *Cluster) Clientset() (*kubernetes.Clientset, error) {
	return kubernetes.NewForConfig(c.Config)
}

// Endpoint returns the URL of the cluster's API server.
func (c *Cluster) Endpoint() string { return c.Config.Host }

// Stop stops every process of the cluster and waits until they are gone
// and the API server's port refuses connections; etcd's data is kept.
func (c *Cluster) Stop(ctx context.Context) error {
	if err := c.fed.kwokctl(ctx, "stop", "cluster", "--name", c.KwokName); err != nil {
		return fmt.Errorf("stopping cluster %s: %w", c.Name, err)
	}
	// kwokctl signals the processes and returns; the API server drains
	// its connections for a while before it closes its port.
	dir := filepath.Join(c.fed.kwokWorkdir(), "clusters", c.KwokName)
	deadline := time.Now().Add(60 * time.Second)
	for {
		pids := ProcessesUnder(dir)
		if len(pids) == 0 && !c.listening() {
			return nil
		}
		if time.Now().After(deadline) {
			// Whatever did not stop in time is killed.
			for _, pid := range pids {
				_ = syscall.Kill(pid, syscall.SIGKILL)
			}
			return nil
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// listening reports whether the API server's port accepts connections.
func (c *Cluster) listening() bool {
	conn, err := net.DialTimeout("tcp", fmt.Sprintf("127.0.0.1:%d", c.Ports.APIServer), time.Second)
	if err != nil {
		return false
	}
	_ = conn.Close()
	return true
}

// Start starts a stopped cluster and waits until its API server is ready.
func (c *Cluster) Start(ctx context.Context) error {
	if err := c.fed.kwokctl(ctx, "start", "cluster", "--name", c.KwokName); err != nil {
		return fmt.Errorf("starting cluster %s: %w", c.Name, err)
	}
	return c.WaitReady(ctx, 2*time.Minute)
}

// ScaleNodes sets the number of simulated nodes of the cluster. With
// podsPerNode > 0, the nodes it adds can run that many Pods each (kwok's
// default is 110); existing nodes keep theirs, so scale to 0 first to
// change every node's capacity.
func (c *Cluster) ScaleNodes(ctx context.Context, replicas, podsPerNode int) error {
	args := []string{"scale", "node", "--name", c.KwokName, "--replicas", fmt.Sprint(replicas)}
	if podsPerNode > 0 {
		args = append(args, "--param", fmt.Sprintf(".allocatable.pods=%d", podsPerNode))
	}
	if err := c.fed.kwokctl(ctx, args...); err != nil {
		return fmt.Errorf("scaling the nodes of cluster %s: %w", c.Name, err)
	}
	return nil
}

// Ready reports whether the cluster's API server answers /readyz.
func (c *Cluster) Ready(ctx context.Context) bool {
	return c.probe(ctx, "/readyz") == nil
}

// WaitReady waits until the API server answers /readyz, or timeout.
func (c *Cluster) WaitReady(ctx context.Context, timeout time.Duration) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var err error
	for {
		if err = c.probe(ctx, "/readyz"); err == nil {
			return nil
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("cluster %s did not become ready within %s: %w", c.Name, timeout, err)
		case <-time.After(200 * time.Millisecond):
		}
	}
}

func (c *Cluster) probe(ctx context.Context, path string) error {
	cfg := rest.CopyConfig(c.Config)
	cfg.Timeout = 2 * time.Second
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return err
	}
	defer client.CloseIdleConnections()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, strings.TrimSuffix(cfg.Host, "/")+path, nil)
	if err != nil {
		return err
	}
	resp, err := client.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("%s answered %d: %s", path, resp.StatusCode, bytes.TrimSpace(body))
	}
	return nil
}

// LogDir returns the directory holding the cluster's component logs.
func (c *Cluster) LogDir() string {
	return filepath.Join(c.fed.kwokWorkdir(), "clusters", c.KwokName, "logs")
}

// DumpLogs writes the last lines of every component log of the cluster.
func (c *Cluster) DumpLogs(w io.Writer, lines int) {
	entries, err := os.ReadDir(c.LogDir())
	if err != nil {
		fmt.Fprintf(w, "=== cluster %s: no logs: %v\n", c.Name, err)
		return
	}
	for _, e := range entries {
		data, err := os.ReadFile(filepath.Join(c.LogDir(), e.Name()))
		if err != nil {
			continue
		}
		all := strings.Split(strings.TrimRight(string(data), "\n"), "\n")
		if len(all) > lines {
			all = all[len(all)-lines:]
		}
		fmt.Fprintf(w, "=== cluster %s: %s (last %d lines)\n%s\n", c.Name, e.Name(), len(all), strings.Join(all, "\n"))
	}
}

// NeverReadyImage is an image whose Pods never become ready in the local
// clusters of the binary runtime: kwok runs them (phase Running, a Pod IP,
// containers started) but keeps their Ready and ContainersReady conditions
// False, as a container whose readiness probe never passes. Any image whose
// name contains NeverReadyMarker behaves so, e.g. "registry.example/app:"+
// NeverReadyMarker. A Deployment of such Pods never has available replicas
// and, after its progressDeadlineSeconds, reports ProgressDeadlineExceeded.
const (
	NeverReadyMarker = "never-ready"
	NeverReadyImage  = "kubefed.test/app:" + NeverReadyMarker
)

// neverReadyStage is a kwok Stage for the Pods of NeverReadyImage. kwokctl
// replaces all of its default Stages (Node and Pod) as soon as its own
// configuration holds one, so this Stage is given to kwok-controller in a
// file of its own (its --config flag takes several); the defaults stay as
// they are. The default pod-ready Stage matches these Pods too: of several
// matching Stages kwok picks among those with a positive weight, and the
// defaults have none, so this one always wins. Once it set a Pod IP, no Pod
// Stage matches the Pod again until it is deleted (the default pod-delete).
const neverReadyStage = `apiVersion: kwok.x-k8s.io/v1alpha1
kind: Stage
metadata:
  name: pod-never-ready
spec:
  resourceRef:
    apiGroup: v1
    kind: Pod
  weight: 1
  selector:
    matchExpressions:
    - key: '.metadata.deletionTimestamp'
      operator: 'DoesNotExist'
    - key: '.status.podIP'
      operator: 'DoesNotExist'
    - key: '.spec.containers[].image | contains("` + NeverReadyMarker + `")'
      operator: 'In'
      values: ['true']
  next:
    statusTemplate: |
      {{ $now := Now }}
      conditions:
      - {type: Initialized, status: "True", lastTransitionTime: {{ $now | Quote }}}
      - {type: Ready, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ $now | Quote }}}
      - {type: ContainersReady, status: "False", reason: ContainersNotReady, lastTransitionTime: {{ $now | Quote }}}
      containerStatuses:
      {{ range .spec.containers }}
      - name: {{ .name | Quote }}
        image: {{ .image | Quote }}
        ready: false
        started: true
        restartCount: 0
        state:
          running:
            startedAt: {{ $now | Quote }}
      {{ end }}
      hostIP: {{ NodeIPWith .spec.nodeName | Quote }}
      podIP: {{ PodIPWith .spec.nodeName ( or .spec.hostNetwork false ) ( or .metadata.uid "" ) ( or .metadata.name "" ) ( or .metadata.namespace "" ) | Quote }}
      phase: Running
      startTime: {{ $now | Quote }}
`

// kwokctlConfig writes the kwokctl configuration of a cluster: the local
// binaries and the reserved ports. Ports that kwokctl only takes from a
// configuration file (etcd's peer port) are why this is a file and not flags.
// With the binary runtime, kwok-controller also reads neverReadyStage.
func (f *Federation) kwokctlConfig(name string, p Ports) (string, error) {
	bin := f.opts.BinDir
	var b strings.Builder
	fmt.Fprintf(&b, "apiVersion: config.kwok.x-k8s.io/v1alpha1\nkind: KwokctlConfiguration\noptions:\n")
	fmt.Fprintf(&b, "  runtime: %s\n", f.opts.Runtime)
	fmt.Fprintf(&b, "  bindAddress: 127.0.0.1\n")
	fmt.Fprintf(&b, "  cacheDir: %s\n", filepath.Join(f.Dir, "cache"))
	if f.opts.Runtime == RuntimeBinary {
		for _, kv := range [][2]string{
			{"kubeApiserverBinary", "kube-apiserver"},
			{"kubeControllerManagerBinary", "kube-controller-manager"},
			{"kubeSchedulerBinary", "kube-scheduler"},
			{"kwokControllerBinary", "kwok"},
			{"etcdBinary", "etcd"},
			{"kubectlBinary", "kubectl"},
		} {
			fmt.Fprintf(&b, "  %s: %s\n", kv[0], filepath.Join(bin, kv[1]))
		}
		fmt.Fprintf(&b, "  etcdPeerPort: %d\n", p.EtcdPeer)
		fmt.Fprintf(&b, "  kubeControllerManagerPort: %d\n", p.ControllerManager)
		fmt.Fprintf(&b, "  kubeSchedulerPort: %d\n", p.Scheduler)
		fmt.Fprintf(&b, "  kwokControllerPort: %d\n", p.KwokController)
	}
	if f.node != nil {
		// The real node's Pods reach every API server at the bridge's
		// address, and the host's at its "kubernetes" Service too.
		fmt.Fprintf(&b, "  kubeApiserverCertSANs: [%q, %q]\n", f.node.Gateway(), f.node.state.kubernetesServiceIP())
	}
	fmt.Fprintf(&b, "  etcdPort: %d\n", p.Etcd)
	fmt.Fprintf(&b, "  kubeApiserverPort: %d\n", p.APIServer)
	// Simulated clusters answer fast; the default QPS limits of the
	// controllers would only slow the tests down.
	fmt.Fprintf(&b, "  disableQPSLimits: true\n")
	if f.opts.Runtime == RuntimeBinary {
		if err := f.componentsPatches(&b, name); err != nil {
			return "", err
		}
	}
	path := filepath.Join(f.Dir, name+".kwokctl.yaml")
	return path, os.WriteFile(path, []byte(b.String()), 0o644)
}

// componentsPatches writes the componentsPatches of a binary-runtime
// cluster's kwokctl configuration, and kwok's extra Stages file.
func (f *Federation) componentsPatches(b *strings.Builder, name string) error {
	// One replica of each component needs no leader election: without
	// it a restarted cluster works at once instead of waiting for its
	// old lease to expire, and a component starved of CPU does not
	// exit because it lost its lease. kwok's node leases would likewise
	// outlive a stop and keep new Pods Pending after a start.
	b.WriteString("componentsPatches:\n")
	if f.node != nil {
		fmt.Fprintf(b, `- name: kube-apiserver
  extraArgs:
  - {key: bind-address, value: 0.0.0.0, override: true}
`)
		if name == f.opts.HostName {
			fmt.Fprintf(b, `  - {key: advertise-address, value: %q}
  - {key: service-cluster-ip-range, value: %q}
`, f.node.Gateway(), f.node.ServiceCIDR())
		}
	}
	b.WriteString(`- name: kube-controller-manager
  extraArgs:
  - {key: leader-elect, value: "false"}
`)
	if f.opts.LightMembers && name != f.opts.HostName {
		// Tokens for the join, namespaces and garbage collection only.
		b.WriteString(`  - {key: controllers, value: "serviceaccount-token,namespace,garbagecollector", override: true}
`)
	}
	stages := filepath.Join(f.Dir, "kwok-stages.yaml")
	if err := os.WriteFile(stages, []byte(neverReadyStage), 0o644); err != nil {
		return err
	}
	b.WriteString(`- name: kube-scheduler
  extraArgs:
  - {key: leader-elect, value: "false"}
- name: kwok-controller
  extraArgs:
  - {key: node-lease-duration-seconds, value: "0", override: true}
`)
	// Appended to kwokctl's own --config (its default Stages).
	fmt.Fprintf(b, "  - {key: config, value: %q}\n", stages)
	if f.node != nil {
		// kwok simulates the nodes kwokctl scaled, never the real one.
		b.WriteString(`  - {key: manage-all-nodes, value: "false", override: true}
  - {key: manage-nodes-with-label-selector, value: kwok.x-k8s.io/kwokctl-scale}
`)
	}
	return nil
}

// createCluster creates one cluster with kwokctl and loads its kubeconfig.
func (f *Federation) createCluster(ctx context.Context, name string) (*Cluster, error) {
	c := &Cluster{Name: name, KwokName: f.Name + "-" + name, fed: f}
	err := withLock(func() error {
		p, err := reservePorts(f.Name, c.KwokName)
		c.Ports = p
		return err
	})
	if err != nil {
		return nil, err
	}
	cfgPath, err := f.kwokctlConfig(name, c.Ports)
	if err != nil {
		return nil, err
	}
	args := []string{"--config", cfgPath, "create", "cluster", "--name", c.KwokName,
		"--kubeconfig", filepath.Join(f.Dir, "kwokctl-kubeconfig.yaml"), "--wait", "2m"}
	if f.opts.LightMembers && name != f.opts.HostName {
		args = append(args, "--disable", "kube-scheduler")
	}
	if err := f.kwokctl(ctx, args...); err != nil {
		return nil, fmt.Errorf("creating cluster %s: %w", name, err)
	}
	if err := c.load(); err != nil {
		return nil, err
	}
	// A host with a real node runs its Pods there only.
	if f.opts.Nodes > 0 && (f.node == nil || name != f.opts.HostName) {
		if err := c.ScaleNodes(ctx, f.opts.Nodes, f.opts.PodsPerNode); err != nil {
			return nil, err
		}
	}
	return c, c.WaitReady(ctx, 2*time.Minute)
}

// load reads the admin kubeconfig kwokctl wrote for the cluster, renames
// its context to the cluster's federation name and inlines its
// certificates, so that the merged kubeconfig is self-contained.
func (c *Cluster) load() error {
	path := filepath.Join(c.fed.kwokWorkdir(), "clusters", c.KwokName, "kubeconfig.yaml")
	raw, err := clientcmd.LoadFromFile(path)
	if err != nil {
		return fmt.Errorf("reading the kubeconfig of cluster %s: %w", c.Name, err)
	}
	if err := clientcmdapi.FlattenConfig(raw); err != nil {
		return fmt.Errorf("inlining the certificates of cluster %s: %w", c.Name, err)
	}
	ctxName := raw.CurrentContext
	kctx, ok := raw.Contexts[ctxName]
	if !ok {
		return fmt.Errorf("kubeconfig %s of cluster %s has no current context", path, c.Name)
	}
	out := clientcmdapi.NewConfig()
	out.Clusters[c.Name] = raw.Clusters[kctx.Cluster]
	out.AuthInfos[c.Name] = raw.AuthInfos[kctx.AuthInfo]
	out.Contexts[c.Name] = &clientcmdapi.Context{Cluster: c.Name, AuthInfo: c.Name}
	out.CurrentContext = c.Name
	if n := c.fed.node; n != nil {
		// The address the real node's Pods reach: the kubeconfig that
		// kubefedctl join reads is the one the control plane will use.
		u, err := url.Parse(out.Clusters[c.Name].Server)
		if err != nil {
			return fmt.Errorf("parsing the API server address of cluster %s: %w", c.Name, err)
		}
		u.Host = net.JoinHostPort(n.Gateway(), u.Port())
		out.Clusters[c.Name].Server = u.String()
	}
	cfg, err := clientcmd.NewDefaultClientConfig(*out, nil).ClientConfig()
	if err != nil {
		return fmt.Errorf("building the client config of cluster %s: %w", c.Name, err)
	}
	cfg.QPS, cfg.Burst = -1, 0 // no client-side rate limit against a local cluster
	c.kubecfg, c.Config = out, cfg
	return nil
}

// kwokctl runs kwokctl with the run's work dir, returning its output in the
// error when it fails.
func (f *Federation) kwokctl(ctx context.Context, args ...string) error {
	cmd := exec.CommandContext(ctx, filepath.Join(f.opts.BinDir, "kwokctl"), args...)
	cmd.Env = append(slices.Clone(os.Environ()), "KWOK_WORKDIR="+f.kwokWorkdir())
	out, err := cmd.CombinedOutput()
	if err != nil {
		return fmt.Errorf("kwokctl %s: %w\n%s", strings.Join(args, " "), err, bytes.TrimSpace(out))
	}
	if f.opts.Log != nil && len(out) > 0 && f.opts.Verbose {
		fmt.Fprintf(f.opts.Log, "%s", out)
	}
	return nil
}
