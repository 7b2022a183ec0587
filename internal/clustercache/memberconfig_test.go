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
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"math/big"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
)

type testCA struct {
	cert *x509.Certificate
	key  *ecdsa.PrivateKey
	pem  []byte
}

func newTestCA(t *testing.T) *testCA {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "test-ca"},
		NotBefore: time.Now().Add(-48 * time.Hour), NotAfter: time.Now().Add(48 * time.Hour),
		IsCA: true, BasicConstraintsValid: true, KeyUsage: x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, _ := x509.ParseCertificate(der)
	return &testCA{cert: cert, key: key, pem: pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})}
}

// serve starts a TLS server whose certificate, signed by ca, has the given
// names and validity, and which answers 200 when the bearer token is token.
func (ca *testCA) serve(t *testing.T, ips []net.IP, dns []string, notBefore, notAfter time.Time, token string) string {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(time.Now().UnixNano()), Subject: pkix.Name{CommonName: "apiserver"},
		NotBefore: notBefore, NotAfter: notAfter, IPAddresses: ips, DNSNames: dns,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, KeyUsage: x509.KeyUsageDigitalSignature,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, ca.cert, &key.PublicKey, ca.key)
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer "+token {
			w.WriteHeader(http.StatusUnauthorized)
			return
		}
		_, _ = w.Write([]byte("ok"))
	}))
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key}}}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

func testCluster(endpoint string, ca []byte, disabled ...fedcorev1b1.TLSValidation) *fedcorev1b1.KubeFedCluster {
	return &fedcorev1b1.KubeFedCluster{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-federation-system", Name: "member1"},
		Spec: fedcorev1b1.KubeFedClusterSpec{
			APIEndpoint: endpoint, CABundle: ca,
			SecretRef:              fedcorev1b1.LocalSecretReference{Name: "member1-token"},
			DisabledTLSValidations: disabled,
		},
	}
}

func testSecret(token string) *corev1.Secret {
	return &corev1.Secret{
		ObjectMeta: metav1.ObjectMeta{Namespace: "kube-federation-system", Name: "member1-token"},
		Data:       map[string][]byte{fedcorev1b1.ClusterSecretTokenKey: []byte(token)},
	}
}

func get(t *testing.T, m *MemberConfig) error {
	t.Helper()
	cfg := rest.CopyConfig(m.REST)
	cfg.Timeout = 5 * time.Second
	c, err := rest.HTTPClientFor(cfg)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := c.Get(cfg.Host + "/readyz")
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return errors.New(resp.Status)
	}
	return nil
}

func TestNewMemberConfigTLS(t *testing.T) {
	ca, otherCA := newTestCA(t), newTestCA(t)
	now := time.Now()
	localhost := []net.IP{net.ParseIP("127.0.0.1")}
	good := ca.serve(t, localhost, nil, now.Add(-time.Hour), now.Add(time.Hour), "tok")
	wrongName := ca.serve(t, nil, []string{"elsewhere.example"}, now.Add(-time.Hour), now.Add(time.Hour), "tok")
	expired := ca.serve(t, localhost, nil, now.Add(-3*time.Hour), now.Add(-2*time.Hour), "tok")
	tests := []struct {
		name     string
		endpoint string
		ca       []byte
		disabled []fedcorev1b1.TLSValidation
		wantOK   bool
	}{
		{"valid certificate", good, ca.pem, nil, true},
		{"bare host:port endpoint", strings.TrimPrefix(good, "https://"), ca.pem, nil, true},
		{"unknown CA", good, otherCA.pem, nil, false},
		{"unknown CA with every check disabled", good, otherCA.pem, []fedcorev1b1.TLSValidation{fedcorev1b1.TLSAll}, true},
		{"wrong name", wrongName, ca.pem, nil, false},
		{"wrong name with SubjectName disabled", wrongName, ca.pem, []fedcorev1b1.TLSValidation{fedcorev1b1.TLSSubjectName}, true},
		{"wrong name with ValidityPeriod disabled", wrongName, ca.pem, []fedcorev1b1.TLSValidation{fedcorev1b1.TLSValidityPeriod}, false},
		{"unknown CA with SubjectName disabled", wrongName, otherCA.pem, []fedcorev1b1.TLSValidation{fedcorev1b1.TLSSubjectName}, false},
		{"expired", expired, ca.pem, nil, false},
		{"expired with ValidityPeriod disabled", expired, ca.pem, []fedcorev1b1.TLSValidation{fedcorev1b1.TLSValidityPeriod}, true},
		{"expired with SubjectName disabled", expired, ca.pem, []fedcorev1b1.TLSValidation{fedcorev1b1.TLSSubjectName}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, err := NewMemberConfig(testCluster(tt.endpoint, tt.ca, tt.disabled...), testSecret("tok"))
			if err != nil {
				t.Fatalf("NewMemberConfig: %v", err)
			}
			defer m.Close()
			err = get(t, m)
			if tt.wantOK && err != nil {
				t.Fatalf("request failed: %v", err)
			}
			if !tt.wantOK && err == nil {
				t.Fatalf("request succeeded, want a TLS failure")
			}
		})
	}
}

func TestNewMemberConfigCAFromSecret(t *testing.T) {
	ca := newTestCA(t)
	url := ca.serve(t, []net.IP{net.ParseIP("127.0.0.1")}, nil, time.Now().Add(-time.Hour), time.Now().Add(time.Hour), "tok")
	secret := testSecret("tok")
	secret.Data[fedcorev1b1.ClusterSecretCAKey] = ca.pem
	m, err := NewMemberConfig(testCluster(url, nil), secret)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := get(t, m); err != nil {
		t.Fatalf("request with the Secret's ca.crt failed: %v", err)
	}
}

func TestNewMemberConfigMalformed(t *testing.T) {
	ca := newTestCA(t)
	tests := []struct {
		name    string
		cluster *fedcorev1b1.KubeFedCluster
		secret  *corev1.Secret
		want    string
	}{
		{"missing Secret", testCluster("https://127.0.0.1:6443", ca.pem), nil, "Secret kube-federation-system/member1-token not found"},
		{"empty token", testCluster("https://127.0.0.1:6443", ca.pem), testSecret(""), "Secret kube-federation-system/member1-token has no \"token\" key"},
		{"unparsable CA", testCluster("https://127.0.0.1:6443", []byte("not a certificate")), testSecret("tok"), "spec.caBundle"},
		{"plain http", testCluster("http://127.0.0.1:6443", ca.pem), testSecret("tok"), "does not use https"},
		{"bad proxy", func() *fedcorev1b1.KubeFedCluster {
			c := testCluster("https://127.0.0.1:6443", ca.pem)
			c.Spec.ProxyURL = "::bad"
			return c
		}(), testSecret("tok"), "spec.proxyURL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := NewMemberConfig(tt.cluster, tt.secret)
			if !errors.Is(err, ErrConfigMalformed) {
				t.Fatalf("error %v does not wrap ErrConfigMalformed", err)
			}
			if !strings.Contains(err.Error(), tt.want) {
				t.Fatalf("error %q does not mention %q", err, tt.want)
			}
		})
	}
}

func TestInputsHash(t *testing.T) {
	base := func() (*fedcorev1b1.KubeFedCluster, *corev1.Secret) {
		return testCluster("https://10.0.0.1:6443", []byte("ca"), fedcorev1b1.TLSSubjectName, fedcorev1b1.TLSValidityPeriod), testSecret("tok")
	}
	c0, s0 := base()
	h0 := InputsHash(c0, s0)
	if h0 == "" {
		t.Fatal("empty hash for valid inputs")
	}
	tests := []struct {
		name   string
		change func(*fedcorev1b1.KubeFedCluster, *corev1.Secret)
		same   bool
	}{
		{"nothing", func(*fedcorev1b1.KubeFedCluster, *corev1.Secret) {}, true},
		{"TLS options reordered", func(c *fedcorev1b1.KubeFedCluster, _ *corev1.Secret) {
			c.Spec.DisabledTLSValidations = []fedcorev1b1.TLSValidation{fedcorev1b1.TLSValidityPeriod, fedcorev1b1.TLSSubjectName}
		}, true},
		{"labels", func(c *fedcorev1b1.KubeFedCluster, _ *corev1.Secret) { c.Labels = map[string]string{"a": "b"} }, true},
		{"token", func(_ *fedcorev1b1.KubeFedCluster, s *corev1.Secret) { s.Data["token"] = []byte("rotated") }, false},
		{"endpoint", func(c *fedcorev1b1.KubeFedCluster, _ *corev1.Secret) { c.Spec.APIEndpoint = "https://10.0.0.2:6443" }, false},
		{"CA", func(c *fedcorev1b1.KubeFedCluster, _ *corev1.Secret) { c.Spec.CABundle = []byte("other") }, false},
		{"proxy", func(c *fedcorev1b1.KubeFedCluster, _ *corev1.Secret) { c.Spec.ProxyURL = "http://proxy:3128" }, false},
		{"TLS options", func(c *fedcorev1b1.KubeFedCluster, _ *corev1.Secret) {
			c.Spec.DisabledTLSValidations = []fedcorev1b1.TLSValidation{fedcorev1b1.TLSAll}
		}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c, s := base()
			tt.change(c, s)
			if got := InputsHash(c, s) == h0; got != tt.same {
				t.Fatalf("hash unchanged = %v, want %v", got, tt.same)
			}
		})
	}
	if h := InputsHash(c0, nil); h != "" {
		t.Fatalf("hash without a Secret = %q, want empty", h)
	}
}
