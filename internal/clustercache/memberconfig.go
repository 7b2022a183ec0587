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

package clustercache

import (
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	utilnet "k8s.io/apimachinery/pkg/util/net"
	"k8s.io/client-go/rest"
	"k8s.io/client-go/util/connrotation"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

// ErrConfigMalformed is wrapped by the errors of NewMemberConfig: no client
// can be built for the member cluster from its KubeFedCluster and Secret. The
// rest of the error message names the problem and what to do about it.
var ErrConfigMalformed = errors.New(fedcorev1b1.ClusterConfigMalformedMessage)

// MemberConfig is a ready-to-use configuration for one member cluster, built
// from its KubeFedCluster and the Secret holding its token.
//
// Its transport is its own: connections made through REST are shared with no
// other MemberConfig, so a member that hangs cannot hold up the connection
// pool of another, and Close closes every connection made through it
// (including long-running watches).
type MemberConfig struct {
	// REST reaches the member's API server with the cluster's bearer token.
	// Its Transport is set; copy it with rest.CopyConfig to change QPS,
	// Burst or Timeout.
	REST *rest.Config
	// Hash identifies the inputs REST was built from (see InputsHash).
	Hash string

	transport *http.Transport
	dialer    *connrotation.Dialer
}

// Close closes every connection made through the configuration.
func (m *MemberConfig) Close() {
	if m == nil {
		return
	}
	m.dialer.CloseAll()
	m.transport.CloseIdleConnections()
}

// NewMemberConfig builds the configuration to reach the member cluster of a
// KubeFedCluster. secret is the Secret named by spec.secretRef, nil when it
// does not exist. Errors wrap ErrConfigMalformed and name the object at fault.
//
// The TLS checks follow spec.disabledTLSValidations as KubeFed did: "*" skips
// every check; SubjectName keeps the chain check but accepts any server name;
// ValidityPeriod keeps the chain and name checks but ignores expiry.
func NewMemberConfig(cluster *fedcorev1b1.KubeFedCluster, secret *corev1.Secret) (*MemberConfig, error) {
	in, err := readInputs(cluster, secret)
	if err != nil {
		return nil, err
	}
	endpoint, err := endpointURL(cluster)
	if err != nil {
		return nil, err
	}
	var roots *x509.CertPool
	if len(in.CA) > 0 {
		roots = x509.NewCertPool()
		if !roots.AppendCertsFromPEM(in.CA) {
			return nil, fmt.Errorf("%w: the CA bundle of KubeFedCluster %s (%s) holds no PEM-encoded certificate: set spec.caBundle to the member API server's CA certificate", ErrConfigMalformed, key(cluster), in.CASource)
		}
	}
	tlsConfig, err := memberTLSConfig(cluster, endpoint, roots)
	if err != nil {
		return nil, err
	}
	proxy := utilnet.NewProxierWithNoProxyCIDR(http.ProxyFromEnvironment)
	if in.ProxyURL != "" {
		u, err := url.Parse(in.ProxyURL)
		if err != nil || u.Host == "" {
			return nil, fmt.Errorf("%w: spec.proxyURL %q of KubeFedCluster %s is not a valid URL: use http://, https:// or socks5://host:port", ErrConfigMalformed, in.ProxyURL, key(cluster))
		}
		proxy = http.ProxyURL(u)
	}
	dialer := connrotation.NewDialer((&net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}).DialContext)
	transport := utilnet.SetTransportDefaults(&http.Transport{
		Proxy:               proxy,
		TLSHandshakeTimeout: 10 * time.Second,
		TLSClientConfig:     tlsConfig,
		MaxIdleConnsPerHost: 25,
		DialContext:         dialer.DialContext,
	})
	return &MemberConfig{
		REST: &rest.Config{
			Host:        endpoint.String(),
			BearerToken: in.Token,
			Transport:   transport,
			UserAgent:   "kubefed-controller-manager",
		},
		Hash:      in.hash(),
		transport: transport,
		dialer:    dialer,
	}, nil
}

// InputsHash returns a digest of everything a member connection is built
// from: endpoint, CA, token, proxy and TLS options. A connection whose hash
// differs from the current inputs' is rebuilt. It returns "" when the inputs
// are not usable (see NewMemberConfig for the reason).
func InputsHash(cluster *fedcorev1b1.KubeFedCluster, secret *corev1.Secret) string {
	in, err := readInputs(cluster, secret)
	if err != nil {
		return ""
	}
	return in.hash()
}

// inputs are the values a member connection depends on.
type inputs struct {
	Endpoint string   `json:"endpoint"`
	CA       []byte   `json:"ca,omitempty"`
	CASource string   `json:"-"`
	Token    string   `json:"token"`
	ProxyURL string   `json:"proxyURL,omitempty"`
	Disabled []string `json:"disabled,omitempty"`
}

func (in *inputs) hash() string {
	data, _ := json.Marshal(in) // a struct of strings and bytes always marshals
	sum := sha256.Sum256(data)
	return hex.EncodeToString(sum[:16])
}

func readInputs(cluster *fedcorev1b1.KubeFedCluster, secret *corev1.Secret) (*inputs, error) {
	secretKey := cluster.Namespace + "/" + cluster.Spec.SecretRef.Name
	switch {
	case cluster.Spec.SecretRef.Name == "":
		return nil, fmt.Errorf("%w: KubeFedCluster %s has no spec.secretRef.name: name the Secret that holds the member's token", ErrConfigMalformed, key(cluster))
	case secret == nil:
		return nil, fmt.Errorf("%w: Secret %s not found: create it with the member service account's token under key %q, or join the cluster again", ErrConfigMalformed, secretKey, fedcorev1b1.ClusterSecretTokenKey)
	case len(secret.Data[fedcorev1b1.ClusterSecretTokenKey]) == 0:
		return nil, fmt.Errorf("%w: Secret %s has no %q key or it is empty: put the member service account's token there, or join the cluster again", ErrConfigMalformed, secretKey, fedcorev1b1.ClusterSecretTokenKey)
	}
	in := &inputs{
		Endpoint: cluster.Spec.APIEndpoint,
		Token:    strings.TrimSpace(string(secret.Data[fedcorev1b1.ClusterSecretTokenKey])),
		ProxyURL: cluster.Spec.ProxyURL,
		CA:       cluster.Spec.CABundle,
		CASource: "spec.caBundle",
	}
	if len(in.CA) == 0 {
		in.CA = secret.Data[fedcorev1b1.ClusterSecretCAKey]
		in.CASource = fmt.Sprintf("key %q of Secret %s", fedcorev1b1.ClusterSecretCAKey, secretKey)
	}
	for _, v := range cluster.Spec.DisabledTLSValidations {
		in.Disabled = append(in.Disabled, string(v))
	}
	slices.Sort(in.Disabled)
	in.Disabled = slices.Compact(in.Disabled)
	return in, nil
}

// endpointURL parses spec.apiEndpoint, accepting KubeFed's bare host[:port]
// form, and refuses plain http.
func endpointURL(cluster *fedcorev1b1.KubeFedCluster) (*url.URL, error) {
	raw := strings.TrimSpace(cluster.Spec.APIEndpoint)
	if !strings.Contains(raw, "://") {
		raw = "https://" + raw
	}
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return nil, fmt.Errorf("%w: spec.apiEndpoint %q of KubeFedCluster %s is not a valid URL: use https://host[:port]", ErrConfigMalformed, cluster.Spec.APIEndpoint, key(cluster))
	}
	if !strings.EqualFold(u.Scheme, "https") {
		return nil, fmt.Errorf("%w: spec.apiEndpoint %q of KubeFedCluster %s does not use https: the token would travel in clear text; use https://host[:port]", ErrConfigMalformed, cluster.Spec.APIEndpoint, key(cluster))
	}
	return u, nil
}

func memberTLSConfig(cluster *fedcorev1b1.KubeFedCluster, endpoint *url.URL, roots *x509.CertPool) (*tls.Config, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, RootCAs: roots}
	var skipName, skipValidity bool
	for _, v := range cluster.Spec.DisabledTLSValidations {
		switch v {
		case fedcorev1b1.TLSAll:
			cfg.InsecureSkipVerify = true //nolint:gosec // the user asked for it in spec.disabledTLSValidations
			cfg.RootCAs = nil
			return cfg, nil
		case fedcorev1b1.TLSSubjectName:
			skipName = true
		case fedcorev1b1.TLSValidityPeriod:
			skipValidity = true
		default:
			return nil, fmt.Errorf("%w: spec.disabledTLSValidations of KubeFedCluster %s holds unknown value %q: use \"*\", %q or %q", ErrConfigMalformed, key(cluster), v, fedcorev1b1.TLSSubjectName, fedcorev1b1.TLSValidityPeriod)
		}
	}
	if !skipName && !skipValidity {
		return cfg, nil
	}
	// Go's verifier cannot skip a single check, so it is turned off and the
	// chain is verified here with the checks that were not disabled.
	cfg.InsecureSkipVerify = true //nolint:gosec // verified by VerifyConnection below
	host := endpoint.Hostname()
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		return verifyPeer(cs.PeerCertificates, roots, host, skipName, skipValidity)
	}
	return cfg, nil
}

// verifyPeer verifies a server's certificate chain against roots (the system
// pool when nil), checking its name against host unless skipName and its
// validity period unless skipValidity.
func verifyPeer(certs []*x509.Certificate, roots *x509.CertPool, host string, skipName, skipValidity bool) error {
	if len(certs) == 0 {
		return errors.New("the server presented no certificate")
	}
	opts := x509.VerifyOptions{Roots: roots, Intermediates: x509.NewCertPool()}
	for _, c := range certs[1:] {
		opts.Intermediates.AddCert(c)
	}
	if !skipName {
		opts.DNSName = host
	}
	if skipValidity {
		// Verify at a time every presented certificate was valid at.
		for _, c := range certs {
			if c.NotBefore.After(opts.CurrentTime) {
				opts.CurrentTime = c.NotBefore
			}
		}
	}
	_, err := certs[0].Verify(opts)
	return err
}

func key(cluster *fedcorev1b1.KubeFedCluster) string {
	return cluster.Namespace + "/" + cluster.Name
}
