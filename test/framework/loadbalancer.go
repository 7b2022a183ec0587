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
	"context"
	"fmt"
	"net/netip"
	"time"

	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/informers"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/cache"
	"k8s.io/client-go/util/workqueue"
)

// LoadBalancerRange is the documented address range the load-balancer
// simulator hands out: TEST-NET-2 (RFC 5737), which is never routed on the
// internet. Member i (1-based) of a federation gets the 16 addresses
// 198.51.100.<16*i> to 198.51.100.<16*i+15> (LoadBalancerPool).
var LoadBalancerRange = netip.MustParsePrefix("198.51.100.0/24")

// LoadBalancerPool returns the addresses of member i (1-based, i <= 15).
func LoadBalancerPool(i int) netip.Prefix {
	if i < 1 || i > 15 {
		panic(fmt.Sprintf("load balancer pool %d: members 1 to 15 have a pool", i))
	}
	return netip.PrefixFrom(netip.AddrFrom4([4]byte{198, 51, 100, byte(16 * i)}), 28)
}

// LoadBalancer simulates the load-balancer part of a cloud controller in
// one cluster: every Service of type LoadBalancer and every Ingress gets
// status.loadBalancer.ingress[0].ip from the pool, exactly as a cloud
// controller (or an ingress controller) writes it, and keeps it until it is
// deleted. A Service that stops being of type LoadBalancer loses its
// address. Addresses are allocated lowest first and are not reused while
// their object exists.
type LoadBalancer struct {
	client kubernetes.Interface
	pool   netip.Prefix
	queue  workqueue.TypedRateLimitingInterface[lbKey]
	svcs   cache.Indexer
	ings   cache.Indexer
	// assigned maps an address to the object holding it; only the worker
	// goroutine touches it.
	assigned map[netip.Addr]lbKey
}

type lbKey struct {
	ingress   bool
	namespace string
	name      string
}

// RunLoadBalancer runs a load-balancer simulator against the cluster of cfg
// until ctx is done. It returns once its informers have synced.
func RunLoadBalancer(ctx context.Context, cfg *rest.Config, pool netip.Prefix) (*LoadBalancer, error) {
	cs, err := kubernetes.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	factory := informers.NewSharedInformerFactory(cs, 0)
	svcInf := factory.Core().V1().Services().Informer()
	ingInf := factory.Networking().V1().Ingresses().Informer()
	lb := &LoadBalancer{client: cs, pool: pool, svcs: svcInf.GetIndexer(), ings: ingInf.GetIndexer(),
		queue:    workqueue.NewTypedRateLimitingQueue(workqueue.DefaultTypedControllerRateLimiter[lbKey]()),
		assigned: map[netip.Addr]lbKey{}}
	enqueue := func(ingress bool) cache.ResourceEventHandlerFuncs {
		add := func(obj any) {
			if o, ok := obj.(cache.DeletedFinalStateUnknown); ok {
				obj = o.Obj
			}
			if m, ok := obj.(metav1.Object); ok {
				lb.queue.Add(lbKey{ingress: ingress, namespace: m.GetNamespace(), name: m.GetName()})
			}
		}
		return cache.ResourceEventHandlerFuncs{AddFunc: add, UpdateFunc: func(_, o any) { add(o) }, DeleteFunc: add}
	}
	if _, err := svcInf.AddEventHandler(enqueue(false)); err != nil {
		return nil, err
	}
	if _, err := ingInf.AddEventHandler(enqueue(true)); err != nil {
		return nil, err
	}
	factory.Start(ctx.Done())
	if !cache.WaitForCacheSync(ctx.Done(), svcInf.HasSynced, ingInf.HasSynced) {
		lb.queue.ShutDown()
		return nil, fmt.Errorf("load balancer simulator for %s: informers did not sync", cfg.Host)
	}
	lb.adoptExisting()
	go func() {
		<-ctx.Done()
		lb.queue.ShutDown()
	}()
	go lb.run(ctx)
	return lb, nil
}

// adoptExisting records the addresses already handed out (by an earlier
// simulator of the same cluster), before the worker starts.
func (lb *LoadBalancer) adoptExisting() {
	for _, o := range lb.svcs.List() {
		svc := o.(*corev1.Service)
		for _, in := range svc.Status.LoadBalancer.Ingress {
			if a, err := netip.ParseAddr(in.IP); err == nil && lb.pool.Contains(a) {
				lb.assigned[a] = lbKey{namespace: svc.Namespace, name: svc.Name}
			}
		}
	}
	for _, o := range lb.ings.List() {
		ing := o.(*networkingv1.Ingress)
		for _, in := range ing.Status.LoadBalancer.Ingress {
			if a, err := netip.ParseAddr(in.IP); err == nil && lb.pool.Contains(a) {
				lb.assigned[a] = lbKey{ingress: true, namespace: ing.Namespace, name: ing.Name}
			}
		}
	}
}

func (lb *LoadBalancer) run(ctx context.Context) {
	for {
		k, shutdown := lb.queue.Get()
		if shutdown {
			return
		}
		err := lb.sync(ctx, k)
		if err != nil && ctx.Err() == nil {
			lb.queue.AddRateLimited(k)
		} else {
			lb.queue.Forget(k)
		}
		lb.queue.Done(k)
	}
}

// sync gives one object an address, or releases it.
func (lb *LoadBalancer) sync(ctx context.Context, k lbKey) error {
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	key := k.name
	if k.namespace != "" {
		key = k.namespace + "/" + k.name
	}
	store := lb.svcs
	if k.ingress {
		store = lb.ings
	}
	o, exists, err := store.GetByKey(key)
	if err != nil {
		return err
	}
	if !exists {
		lb.release(k)
		return nil
	}
	if k.ingress {
		return lb.syncIngress(ctx, k, o.(*networkingv1.Ingress))
	}
	return lb.syncService(ctx, k, o.(*corev1.Service))
}

// syncIngress gives an Ingress without an address one.
func (lb *LoadBalancer) syncIngress(ctx context.Context, k lbKey, ing *networkingv1.Ingress) error {
	if len(ing.Status.LoadBalancer.Ingress) > 0 {
		return nil
	}
	addr, err := lb.allocate(k)
	if err != nil {
		return err
	}
	ing = ing.DeepCopy()
	ing.Status.LoadBalancer.Ingress = []networkingv1.IngressLoadBalancerIngress{{IP: addr.String()}}
	_, err = lb.client.NetworkingV1().Ingresses(ing.Namespace).UpdateStatus(ctx, ing, metav1.UpdateOptions{})
	return ignoreGone(err)
}

// syncService gives a LoadBalancer Service without an address one, and
// takes it back from a Service that is no longer of that type.
func (lb *LoadBalancer) syncService(ctx context.Context, k lbKey, svc *corev1.Service) error {
	switch {
	case svc.Spec.Type != corev1.ServiceTypeLoadBalancer && len(svc.Status.LoadBalancer.Ingress) > 0:
		lb.release(k)
		svc = svc.DeepCopy()
		svc.Status.LoadBalancer = corev1.LoadBalancerStatus{}
	case svc.Spec.Type == corev1.ServiceTypeLoadBalancer && len(svc.Status.LoadBalancer.Ingress) == 0:
		addr, err := lb.allocate(k)
		if err != nil {
			return err
		}
		svc = svc.DeepCopy()
		svc.Status.LoadBalancer.Ingress = []corev1.LoadBalancerIngress{{IP: addr.String(), IPMode: ptrTo(corev1.LoadBalancerIPModeVIP)}}
	default:
		return nil
	}
	_, err := lb.client.CoreV1().Services(svc.Namespace).UpdateStatus(ctx, svc, metav1.UpdateOptions{})
	return ignoreGone(err)
}

// allocate returns the address of k, or the lowest free one.
func (lb *LoadBalancer) allocate(k lbKey) (netip.Addr, error) {
	for a, owner := range lb.assigned {
		if owner == k {
			return a, nil
		}
	}
	// The first address of the pool is skipped, as the network address
	// of a subnet would be.
	for a := lb.pool.Addr().Next(); lb.pool.Contains(a); a = a.Next() {
		if _, taken := lb.assigned[a]; !taken {
			lb.assigned[a] = k
			return a, nil
		}
	}
	return netip.Addr{}, fmt.Errorf("load balancer pool %s is exhausted", lb.pool)
}

func (lb *LoadBalancer) release(k lbKey) {
	for a, owner := range lb.assigned {
		if owner == k {
			delete(lb.assigned, a)
		}
	}
}

func ignoreGone(err error) error {
	if apierrors.IsNotFound(err) {
		return nil
	}
	return err
}

func ptrTo[T any](v T) *T { return &v }

// RunLoadBalancers runs a load-balancer simulator for every member of the
// federation, member i (1-based) with LoadBalancerPool(i), until ctx is
// done.
func (f *Federation) RunLoadBalancers(ctx context.Context) error {
	for i, m := range f.Members {
		if _, err := RunLoadBalancer(ctx, m.Config, LoadBalancerPool(i+1)); err != nil {
			return fmt.Errorf("load balancer simulator of %s: %w", m.Name, err)
		}
	}
	return nil
}
