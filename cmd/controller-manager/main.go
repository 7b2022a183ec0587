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

// Command controller-manager runs the kubefed control plane in the host
// cluster: member health and connections, the FederatedTypeConfig
// controller and the per-type sync controllers. See cmd/controller-manager/app.
package main

import (
	"flag"
	"fmt"
	"os"
	"time"

	"go.uber.org/zap/zapcore"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/cmd/controller-manager/app"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/version"
)

func main() {
	var (
		opts        app.Options
		qps         float64
		burst       int
		memberQPS   float64
		memberBurst int
		showVersion bool
		shutdown    time.Duration
	)
	flag.StringVar(&opts.Namespace, "kubefed-namespace", envOr("KUBEFED_NAMESPACE", fedcorev1b1.DefaultKubeFedSystemNamespace), "the control-plane namespace (KubeFedClusters, KubeFedConfig, FederatedTypeConfigs)")
	flag.StringVar(&opts.MetricsBindAddress, "metrics-bind-address", ":8080", "address the Prometheus metrics endpoint binds to; 0 disables it")
	flag.StringVar(&opts.HealthProbeBindAddress, "health-probe-bind-address", ":8081", "address the /healthz and /readyz probes bind to; 0 disables them")
	flag.BoolVar(&opts.LeaderElect, "leader-elect", false, "elect a leader with a Lease in the control-plane namespace, so that several replicas can run (the durations come from the KubeFedConfig)")
	flag.StringVar(&opts.LeaderElectionID, "leader-election-id", "kubefed-controller-manager", "name of the leader election Lease")
	// The client-side limits are a backstop: API Priority and Fairness
	// protects the API servers. client-go keeps one token bucket per API
	// group and version, so at 100 per second the federated objects' two
	// writes per new object (finalizer, status) capped a rollout at 50
	// objects per second on a host that could take more.
	flag.Float64Var(&qps, "rest-config-qps", 500, "requests per second to the host API server (per API group and version)")
	flag.IntVar(&burst, "rest-config-burst", 1000, "request burst to the host API server")
	flag.Float64Var(&memberQPS, "member-qps", clustercache.DefaultQPS, "requests per second to each member API server (per API group and version)")
	flag.IntVar(&memberBurst, "member-burst", clustercache.DefaultBurst, "request burst to each member API server")
	flag.DurationVar(&opts.GracefulShutdownTimeout, "graceful-shutdown-timeout", 0, "how long in-flight work may take on SIGTERM (default 30s)")
	flag.DurationVar(&opts.UnschedulableWindow, "unschedulable-window", 0, "how long a scheduled workload's Pods may stay unschedulable in a member before its replicas are planned elsewhere (default 1m)")
	flag.BoolVar(&opts.Profiling, "profiling", false, "serve Go's pprof handlers under /debug/pprof/ on the metrics listener (keep it private)")
	flag.IntVar(&opts.Webhook.Port, "webhook-port", 9443, "HTTPS port of the admission webhook that checks FederatedTypeConfig health rules; 0 turns it off")
	flag.StringVar(&opts.Webhook.CertDir, "webhook-cert-dir", "", "directory with the webhook's serving certificate (tls.crt, tls.key), reloaded when it changes; without one, admission of health rules is off")
	flag.DurationVar(&shutdown, "shutdown-delay", 0, "on SIGTERM, keep serving (webhook, probes, controllers) this long before stopping, so that Services stop sending to this Pod first; a second signal stops at once")
	flag.BoolVar(&showVersion, "version", false, "print the version and exit")
	zapOpts := zap.Options{TimeEncoder: zapcore.ISO8601TimeEncoder}
	zapOpts.BindFlags(flag.CommandLine)
	flag.Parse()

	if showVersion {
		fmt.Printf("controller-manager %s\n", version.Get())
		return
	}
	ctrl.SetLogger(zap.New(zap.UseFlagOptions(&zapOpts)))
	log := ctrl.Log.WithName("setup")
	log.Info("Starting kubefed controller-manager", "version", version.Version, "namespace", opts.Namespace)
	if limit := app.SetMemoryLimit("/sys/fs/cgroup"); limit > 0 {
		log.Info("Go soft memory limit set from the container's memory limit (set GOMEMLIMIT to choose another)", "bytes", limit)
	}

	restConfig, err := ctrl.GetConfig()
	if err != nil {
		log.Error(err, "Could not load a kubeconfig: pass --kubeconfig, set KUBECONFIG, or run in a cluster")
		os.Exit(1)
	}
	restConfig.QPS, restConfig.Burst = float32(qps), burst
	restConfig.UserAgent = "kubefed-controller-manager/" + version.Version
	opts.MemberQPS, opts.MemberBurst = float32(memberQPS), memberBurst

	ctx, draining := app.ShutdownContext(shutdown, log)
	opts.Webhook.Draining = draining
	mgr, err := app.New(ctx, restConfig, opts)
	if err != nil {
		log.Error(err, "Could not set up the controller-manager")
		os.Exit(1)
	}
	if err := mgr.Start(ctx); err != nil {
		log.Error(err, "The controller-manager stopped with an error")
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}
