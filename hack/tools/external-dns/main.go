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

// Command external-dns runs external-dns's planner, TXT registry and CoreDNS
// provider (the sigs.k8s.io/external-dns packages, unchanged) behind the
// standard external-dns command line, with a CRD source that reads the
// DNSEndpoint kind named by --crd-source-apiversion and --crd-source-kind.
//
// Why not external-dns's own main: its release imports every cloud
// provider's SDK, some of which the module proxy does not serve, and its CRD
// source in v0.22.0 reads only externaldns.k8s.io/v1alpha1 whatever the
// --crd-source-* flags say. Multi-cluster DNS writes
// multiclusterdns.kubefed.io/v1alpha1 DNSEndpoints (the KubeFed v0.6
// wire format), so the source here honours the flags. Only --source=crd and
// --provider=coredns are supported.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	log "github.com/sirupsen/logrus"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/tools/clientcmd"

	"sigs.k8s.io/external-dns/endpoint"
	"sigs.k8s.io/external-dns/pkg/apis/externaldns"
	"sigs.k8s.io/external-dns/pkg/apis/externaldns/validation"
	"sigs.k8s.io/external-dns/plan"
	"sigs.k8s.io/external-dns/provider"
	"sigs.k8s.io/external-dns/provider/coredns"
	"sigs.k8s.io/external-dns/registry"
	"sigs.k8s.io/external-dns/registry/noop"
	"sigs.k8s.io/external-dns/registry/txt"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, syscall.SIGINT)
	defer stop()
	if err := run(ctx, os.Args[1:]); err != nil {
		log.Fatal(err)
	}
}

func run(ctx context.Context, args []string) error {
	cfg := externaldns.NewConfig()
	if err := cfg.ParseFlags(args); err != nil {
		return fmt.Errorf("parsing flags: %w", err)
	}
	if err := validation.ValidateConfig(cfg); err != nil {
		return fmt.Errorf("validating flags: %w", err)
	}
	if len(cfg.Sources) != 1 || cfg.Sources[0] != "crd" {
		return fmt.Errorf("only --source=crd is built in, got %v", cfg.Sources)
	}
	if cfg.Provider != "coredns" {
		return fmt.Errorf("only --provider=coredns is built in, got %q", cfg.Provider)
	}
	level, err := log.ParseLevel(cfg.LogLevel)
	if err != nil {
		return err
	}
	log.SetLevel(level)

	restConfig, err := clientcmd.BuildConfigFromFlags(cfg.APIServerURL, cfg.KubeConfig)
	if err != nil {
		return fmt.Errorf("loading kubeconfig: %w", err)
	}
	gv, err := schema.ParseGroupVersion(cfg.CRDSourceAPIVersion)
	if err != nil {
		return fmt.Errorf("--crd-source-apiversion: %w", err)
	}
	src, err := newCRDSource(ctx, restConfig, gv.WithKind(cfg.CRDSourceKind), cfg.Namespace)
	if err != nil {
		return err
	}

	domainFilter := endpoint.NewDomainFilterWithOptions(
		endpoint.WithDomainFilter(cfg.DomainFilter),
		endpoint.WithDomainExclude(cfg.DomainExclude),
	)
	prov, err := coredns.New(ctx, cfg, domainFilter)
	if err != nil {
		return fmt.Errorf("connecting to etcd (ETCD_URLS): %w", err)
	}
	var reg registry.Registry
	switch cfg.Registry {
	case externaldns.RegistryTXT:
		reg, err = txt.New(cfg, prov)
	case externaldns.RegistryNoop:
		reg, err = noop.New(cfg, prov)
	default:
		err = fmt.Errorf("only --registry=txt or noop is built in, got %q", cfg.Registry)
	}
	if err != nil {
		return err
	}
	policy, ok := plan.Policies[cfg.Policy]
	if !ok {
		return fmt.Errorf("unknown --policy %q", cfg.Policy)
	}

	l := &loop{src: src, reg: reg, policy: policy, filter: domainFilter, cfg: cfg, trigger: make(chan struct{}, 1)}
	if cfg.UpdateEvents {
		src.AddEventHandler(l.kick)
	}
	log.Infof("Started: source %s, provider coredns, registry %s, interval %s, events %t",
		gv.WithKind(cfg.CRDSourceKind), cfg.Registry, cfg.Interval, cfg.UpdateEvents)
	return l.run(ctx)
}

// loop synchronises DNS with the source: on start, every --interval, and
// (with --events) after a source change, at most once per
// --min-event-sync-interval.
type loop struct {
	src     *crdSource
	reg     registry.Registry
	policy  plan.Policy
	filter  *endpoint.DomainFilter
	cfg     *externaldns.Config
	trigger chan struct{}
}

func (l *loop) kick() {
	select {
	case l.trigger <- struct{}{}:
	default:
	}
}

func (l *loop) run(ctx context.Context) error {
	ticker := time.NewTicker(l.cfg.Interval)
	defer ticker.Stop()
	var last time.Time
	for {
		if wait := time.Until(last.Add(l.cfg.MinEventSyncInterval)); !last.IsZero() && wait > 0 {
			select {
			case <-time.After(wait):
			case <-ctx.Done():
				return nil
			}
		}
		last = time.Now()
		changed, err := l.once(ctx)
		if err != nil {
			log.Errorf("Synchronisation failed: %v", err)
		}
		if changed {
			// Check again at once: the CoreDNS provider deletes one
			// target of a multi-target record per run (it keys the
			// delete by one target's prefix), so a removed name can
			// take several runs to disappear.
			l.kick()
		}
		select {
		case <-ticker.C:
		case <-l.trigger:
		case <-ctx.Done():
			return nil
		}
	}
}

// once runs one synchronisation and reports whether it changed DNS.
func (l *loop) once(ctx context.Context) (bool, error) {
	current, err := l.reg.Records(ctx)
	if err != nil {
		return false, fmt.Errorf("reading records: %w", err)
	}
	ctx = context.WithValue(ctx, provider.RecordsContextKey, current)
	desired, err := l.src.Endpoints(ctx)
	if err != nil {
		return false, fmt.Errorf("reading %s objects: %w", l.cfg.CRDSourceKind, err)
	}
	desired, err = l.reg.AdjustEndpoints(desired)
	if err != nil {
		return false, fmt.Errorf("adjusting endpoints: %w", err)
	}
	p := (&plan.Plan{
		Policies:       []plan.Policy{l.policy},
		Current:        current,
		Desired:        desired,
		DomainFilter:   endpoint.MatchAllDomainFilters{l.filter, l.reg.GetDomainFilter()},
		ManagedRecords: l.cfg.ManagedDNSRecordTypes,
		ExcludeRecords: l.cfg.ExcludeDNSRecordTypes,
		OwnerID:        l.reg.OwnerID(),
		OldOwnerID:     l.cfg.TXTOwnerOld,
	}).Calculate()
	if !p.Changes.HasChanges() {
		log.Debug("All records are already up to date")
		return false, nil
	}
	if err := l.reg.ApplyChanges(ctx, p.Changes); err != nil {
		return false, fmt.Errorf("applying changes: %w", err)
	}
	log.Infof("Applied changes: %d created, %d updated, %d deleted",
		len(p.Changes.Create), len(p.Changes.UpdateNew), len(p.Changes.Delete))
	return true, nil
}

// objectLabel is the external-dns resource label value for one object.
func objectLabel(u *unstructured.Unstructured) string {
	return fmt.Sprintf("crd/%s/%s", u.GetNamespace(), u.GetName())
}
