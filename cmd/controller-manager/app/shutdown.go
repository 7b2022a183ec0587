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

package app

import (
	"context"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/go-logr/logr"
)

// ShutdownContext returns a context that ends delay after the first
// SIGTERM or interrupt, and a channel closed at that signal (the webhook
// then closes each connection after its answer: WebhookOptions.Draining);
// a second signal ends the process at once (exit code 1). During the delay
// everything keeps running: the admission webhook, probes, metrics, leader
// election and the controllers. A Pod being deleted is taken out of its
// Service's endpoints while it still runs, but each kube-proxy (and so the
// API server's call of the webhook through the Service) learns of it a
// moment later, and the API server keeps its open connections to the Pod:
// stopping the webhook server at once refuses or cuts those calls. The
// delay outlasts that moment, and the connections are retired meanwhile.
func ShutdownContext(delay time.Duration, log logr.Logger) (context.Context, <-chan struct{}) {
	signals := make(chan os.Signal, 2)
	signal.Notify(signals, os.Interrupt, syscall.SIGTERM)
	return shutdownOn(signals, delay, log, func() { os.Exit(1) })
}

// shutdownOn is ShutdownContext on a channel of signals, with exit called
// on the second one.
func shutdownOn(signals <-chan os.Signal, delay time.Duration, log logr.Logger, exit func()) (context.Context, <-chan struct{}) {
	ctx, cancel := context.WithCancel(context.Background())
	draining := make(chan struct{})
	go func() {
		sig := <-signals
		close(draining)
		if delay > 0 {
			log.Info("Stopping after the shutdown delay, so that the webhook's Service stops sending calls here first", "signal", sig.String(), "delay", delay)
			select {
			case <-time.After(delay):
			case <-signals:
				exit()
				return
			}
		}
		cancel()
		<-signals
		exit()
	}()
	return ctx, draining
}
