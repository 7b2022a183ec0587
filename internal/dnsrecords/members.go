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
	"errors"
	"fmt"
	"sync"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/kubefed/kubefed/internal/clustercache"
)

// ReadTimeout bounds the read of one member's objects, so that a member
// whose cache stalls cannot delay the record.
const ReadTimeout = 3 * time.Second

// Members gives cached readers of member clusters, and uncached clients for
// the reads the caches do not serve; clustercache implements it.
type Members interface {
	GetReader(ctx context.Context, cluster string) (client.Reader, error)
	GetClient(ctx context.Context, cluster string) (client.Client, error)
}

// Member is what a per-cluster read gets: the member's cached reader and
// its uncached client.
type Member struct {
	// Cached serves the objects the member cache holds (labelled
	// kubefed.io/managed).
	Cached client.Reader
	// Live reads the member's API server; for the few reads the cache does
	// not serve.
	Live client.Client
}

// ReadEach calls read for every Ready cluster, in parallel, each with its
// member's readers and a ReadTimeout deadline, and returns the results in
// the order of clusters. A cluster that is not Ready or not connected gets
// a result from notReady. Each goroutine writes only its own slot.
func ReadEach[T any](ctx context.Context, members Members, clusters []Cluster,
	read func(ctx context.Context, m Member, cl Cluster) T, notReady func(cl Cluster, err error) T) []T {
	out := make([]T, len(clusters))
	var wg sync.WaitGroup
	for i, cl := range clusters {
		if !cl.Ready {
			out[i] = notReady(cl, nil)
			continue
		}
		r, err := members.GetReader(ctx, cl.Name)
		if err != nil {
			out[i] = notReady(cl, err)
			continue
		}
		live, err := members.GetClient(ctx, cl.Name)
		if err != nil {
			out[i] = notReady(cl, err)
			continue
		}
		wg.Go(func() {
			rctx, cancel := context.WithTimeout(ctx, ReadTimeout)
			defer cancel()
			out[i] = read(rctx, Member{Cached: r, Live: live}, cl)
		})
	}
	wg.Wait()
	return out
}

// NotReadyMessage says why a cluster was not read.
func NotReadyMessage(cl Cluster, err error) string {
	if err == nil {
		return fmt.Sprintf("cluster %s is not Ready", cl.Name)
	}
	if errors.Is(err, clustercache.ErrClusterNotConnected) {
		return fmt.Sprintf("cluster %s is not connected", cl.Name)
	}
	return fmt.Sprintf("cluster %s: %v", cl.Name, err)
}
