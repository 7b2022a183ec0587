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
	"os"
	"testing"
	"time"
)

// New brings up a local federation for a test and registers its teardown
// with t.Cleanup. When the test failed, the last lines of every control-plane
// log are printed before the clusters are deleted. Stale federations left
// behind by crashed test runs are pruned first.
func New(t testing.TB, opts Options) *Federation {
	t.Helper()
	if testing.Short() {
		t.Skip("local clusters are not started in -short mode")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	if opts.BinDir == "" {
		opts.BinDir = DefaultBinDir()
	}
	if _, err := Prune(ctx, opts.BinDir); err != nil {
		t.Logf("pruning stale local federations: %v", err)
	}
	var log bytes.Buffer
	opts.Log = &log
	start := time.Now()
	fed, err := Up(ctx, opts)
	if err != nil {
		t.Fatalf("bringing up a local federation: %v\n%s", err, log.String())
	}
	t.Logf("local federation %s up in %s (kubeconfig %s):\n%s", fed.Name, time.Since(start).Round(100*time.Millisecond), fed.Kubeconfig(), log.String())
	t.Cleanup(func() {
		if t.Failed() || os.Getenv("KUBEFED_DUMP_LOGS") != "" {
			var dump bytes.Buffer
			for _, c := range fed.Clusters() {
				c.DumpLogs(&dump, 60)
			}
			if n := fed.Node(); n != nil {
				n.DumpLogs(&dump, 60)
			}
			t.Logf("control-plane logs of %s:\n%s", fed.Name, dump.String())
		}
		if err := fed.Down(context.Background()); err != nil {
			t.Errorf("tearing down local federation %s: %v", fed.Name, err)
		}
	})
	return fed
}
