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

package kubefedcluster

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"k8s.io/apimachinery/pkg/version"
	"k8s.io/client-go/rest"

	"github.com/kubefed/kubefed/internal/clustercache"
)

// prober asks one member API server for its health. It owns its transport,
// separate from the cluster's connection in the cluster cache, so that
// health is probed whether or not the cluster is connected.
type prober struct {
	hash    string
	timeout time.Duration
	host    string
	member  *clustercache.MemberConfig
	http    *http.Client
}

// probeResult is what one probe observed.
type probeResult struct {
	health health
	// detail says what was wrong (for NotReady and Offline).
	detail string
}

func newProber(member *clustercache.MemberConfig, timeout time.Duration) (*prober, error) {
	cfg := rest.CopyConfig(member.REST)
	cfg.Timeout = timeout
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	return &prober{hash: member.Hash, timeout: timeout, host: strings.TrimSuffix(cfg.Host, "/"), member: member, http: client}, nil
}

func (p *prober) close() { p.member.Close() }

// probe asks /readyz, and /healthz when /readyz does not exist.
func (p *prober) probe(ctx context.Context, secretName string) probeResult {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	path := "/readyz"
	code, err := p.get(ctx, path, nil)
	if err == nil && code == http.StatusNotFound {
		path = "/healthz"
		code, err = p.get(ctx, path, nil)
	}
	switch {
	case err != nil:
		return probeResult{health: healthOffline, detail: err.Error()}
	case code == http.StatusOK:
		return probeResult{health: healthReady}
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return probeResult{health: healthNotReady, detail: fmt.Sprintf("%s answered %d %s: check that the token in Secret %s is valid for the member cluster", path, code, http.StatusText(code), secretName)}
	default:
		return probeResult{health: healthNotReady, detail: fmt.Sprintf("%s answered %d %s", path, code, http.StatusText(code))}
	}
}

// serverVersion returns the member API server's git version.
func (p *prober) serverVersion(ctx context.Context) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, p.timeout)
	defer cancel()
	var info version.Info
	code, err := p.get(ctx, "/version", &info)
	if err != nil {
		return "", err
	}
	if code != http.StatusOK {
		return "", fmt.Errorf("/version answered %d %s", code, http.StatusText(code))
	}
	return info.GitVersion, nil
}

// get requests path and decodes a 200 answer into out when not nil.
func (p *prober) get(ctx context.Context, path string, out any) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, p.host+path, nil)
	if err != nil {
		return 0, err
	}
	resp, err := p.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 64<<10))
	if err != nil {
		return 0, err
	}
	if out != nil && resp.StatusCode == http.StatusOK {
		if err := json.Unmarshal(body, out); err != nil {
			return 0, fmt.Errorf("decoding %s: %w", path, err)
		}
	}
	return resp.StatusCode, nil
}
