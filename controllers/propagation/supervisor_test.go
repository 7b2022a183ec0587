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

package propagation

import (
	"context"
	"fmt"
	"regexp"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"

	fedcorev1b1 "github.com/kubefed/kubefed/api/core/v1beta1"
	"github.com/kubefed/kubefed/internal/clustercache"
	"github.com/kubefed/kubefed/internal/federatedtypes"
	"github.com/kubefed/kubefed/test/testenv"
)

func TestControllerSettingsOf(t *testing.T) {
	defaults := controllerSettings{Workers: 8, AvailableDelay: 20 * time.Second, UnavailableDelay: 60 * time.Second}
	dur := func(d time.Duration) *metav1.Duration { return &metav1.Duration{Duration: d} }
	tests := []struct {
		name string
		cfg  fedcorev1b1.KubeFedConfigSpec
		want controllerSettings
	}{
		{"no KubeFedConfig", fedcorev1b1.KubeFedConfigSpec{}, defaults},
		{"empty sections", fedcorev1b1.KubeFedConfigSpec{
			SyncController:     &fedcorev1b1.SyncControllerConfig{},
			ControllerDuration: &fedcorev1b1.DurationConfig{},
		}, defaults},
		{"workers", fedcorev1b1.KubeFedConfigSpec{
			SyncController: &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](3)},
		}, controllerSettings{Workers: 3, AvailableDelay: 20 * time.Second, UnavailableDelay: 60 * time.Second}},
		{"zero workers keeps the default", fedcorev1b1.KubeFedConfigSpec{
			SyncController: &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](0)},
		}, defaults},
		{"negative workers keeps the default", fedcorev1b1.KubeFedConfigSpec{
			SyncController: &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](-1)},
		}, defaults},
		{"available delay", fedcorev1b1.KubeFedConfigSpec{
			ControllerDuration: &fedcorev1b1.DurationConfig{AvailableDelay: dur(5 * time.Second)},
		}, controllerSettings{Workers: 8, AvailableDelay: 5 * time.Second, UnavailableDelay: 60 * time.Second}},
		{"unavailable delay", fedcorev1b1.KubeFedConfigSpec{
			ControllerDuration: &fedcorev1b1.DurationConfig{UnavailableDelay: dur(2 * time.Minute)},
		}, controllerSettings{Workers: 8, AvailableDelay: 20 * time.Second, UnavailableDelay: 2 * time.Minute}},
		{"every value", fedcorev1b1.KubeFedConfigSpec{
			SyncController:     &fedcorev1b1.SyncControllerConfig{MaxConcurrentReconciles: ptr.To[int64](1)},
			ControllerDuration: &fedcorev1b1.DurationConfig{AvailableDelay: dur(time.Second), UnavailableDelay: dur(3 * time.Second)},
		}, controllerSettings{Workers: 1, AvailableDelay: time.Second, UnavailableDelay: 3 * time.Second}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := controllerSettingsOf(tt.cfg.Settings()); got != tt.want {
				t.Errorf("controllerSettingsOf = %+v, want %+v", got, tt.want)
			}
		})
	}
}

func TestControllerSettingsDefaultsMatchTheAPIDefaults(t *testing.T) {
	s := controllerSettingsOf((*fedcorev1b1.KubeFedConfigSpec)(nil).Settings())
	if s.Workers != fedcorev1b1.DefaultSyncControllerMaxConcurrentReconciles {
		t.Errorf("workers = %d, want %d", s.Workers, fedcorev1b1.DefaultSyncControllerMaxConcurrentReconciles)
	}
	for _, d := range []struct {
		got  time.Duration
		want string
	}{{s.AvailableDelay, fedcorev1b1.DefaultClusterAvailableDelay}, {s.UnavailableDelay, fedcorev1b1.DefaultClusterUnavailableDelay}} {
		want, err := time.ParseDuration(d.want)
		if err != nil {
			t.Fatal(err)
		}
		if d.got != want {
			t.Errorf("delay = %s, want %s", d.got, want)
		}
	}
}

func TestConfigHash(t *testing.T) {
	tt, ok := federatedtypes.LookupDefault("apps", "Deployment")
	if !ok {
		t.Fatal("no default Deployment type")
	}
	base := func() *fedcorev1b1.FederatedTypeConfig { return federatedtypes.FederatedTypeConfig(tt) }
	baseSettings := controllerSettingsOf((&fedcorev1b1.KubeFedConfigSpec{}).Settings())
	want := configHash(base(), baseSettings)
	if !regexp.MustCompile(`^[0-9a-f]{16}$`).MatchString(want) {
		t.Errorf("hash = %q, want 16 hex digits", want)
	}

	disabled := fedcorev1b1.StatusCollectionDisabled
	changes := []struct {
		name    string
		ftc     func(*fedcorev1b1.FederatedTypeConfig)
		s       func(*controllerSettings)
		changes bool
	}{
		{"nothing", nil, nil, false},
		{"status", func(f *fedcorev1b1.FederatedTypeConfig) {
			f.Status.PropagationController = fedcorev1b1.ControllerStatusRunning
			f.Status.ObservedGeneration = 4
		}, nil, false},
		{"metadata", func(f *fedcorev1b1.FederatedTypeConfig) {
			f.ResourceVersion, f.Generation = "99", 4
			f.Labels = map[string]string{"x": "y"}
			f.Finalizers = []string{fedcorev1b1.FederatedTypeConfigFinalizer}
		}, nil, false},
		{"propagation", func(f *fedcorev1b1.FederatedTypeConfig) { f.Spec.Propagation = fedcorev1b1.PropagationDisabled }, nil, true},
		{"status collection", func(f *fedcorev1b1.FederatedTypeConfig) { f.Spec.StatusCollection = &disabled }, nil, true},
		{"target version", func(f *fedcorev1b1.FederatedTypeConfig) { f.Spec.TargetType.Version = "v2" }, nil, true},
		{"federated kind", func(f *fedcorev1b1.FederatedTypeConfig) { f.Spec.FederatedType.Kind = "OtherDeployment" }, nil, true},
		{"status type", func(f *fedcorev1b1.FederatedTypeConfig) {
			f.Spec.StatusType = &fedcorev1b1.APIResource{Version: "v1", Kind: "X", PluralName: "xs"}
		}, nil, true},
		{"workers", nil, func(s *controllerSettings) { s.Workers = 2 }, true},
		{"available delay", nil, func(s *controllerSettings) { s.AvailableDelay = time.Second }, true},
		{"unavailable delay", nil, func(s *controllerSettings) { s.UnavailableDelay = 2 * time.Minute }, true},
	}
	for _, c := range changes {
		t.Run(c.name, func(t *testing.T) {
			ftc, s := base(), baseSettings
			if c.ftc != nil {
				c.ftc(ftc)
			}
			if c.s != nil {
				c.s(&s)
			}
			got := configHash(ftc, s)
			if (got != want) != c.changes {
				t.Errorf("hash %s vs %s: changed = %v, want %v", got, want, got != want, c.changes)
			}
			if again := configHash(ftc, s); again != got {
				t.Errorf("hash not stable: %s then %s", got, again)
			}
		})
	}
}

// TestNextRetryBackoff: a type that keeps failing is tried again after
// 10 s, 20 s, 40 s, then every minute; a call before the retry is due
// counts no failure, and ForgetFailures starts over.
func TestNextRetryBackoff(t *testing.T) {
	s := NewSupervisor(SupervisorOptions{})
	var got []time.Duration
	for range 5 {
		before := time.Now()
		at := s.NextRetry("gizmos")
		if again := s.NextRetry("gizmos"); !again.Equal(at) {
			t.Fatalf("a call before the retry was due moved it from %s to %s", at, again)
		}
		got = append(got, at.Sub(before).Round(time.Second))
		// The retry is due.
		s.mu.Lock()
		s.types["gizmos"].retryAt = time.Now().Add(-time.Millisecond)
		s.mu.Unlock()
	}
	want := []time.Duration{10 * time.Second, 20 * time.Second, 40 * time.Second, time.Minute, time.Minute}
	for i := range want {
		if got[i] != want[i] {
			t.Fatalf("retry delays = %v, want %v", got, want)
		}
	}
	s.ForgetFailures("gizmos")
	if _, ok := s.types["gizmos"]; ok {
		t.Errorf("the entry of a type with no failure left and nothing running is kept")
	}
	before := time.Now()
	if d := s.NextRetry("gizmos").Sub(before).Round(time.Second); d != 10*time.Second {
		t.Errorf("first delay after ForgetFailures = %s, want 10s", d)
	}
}

// startCounter counts the controllers a Supervisor started per type, and
// fails the test when two of one type run at once.
type startCounter struct {
	t  *testing.T
	mu sync.Mutex
	// starts counts the starts per type; live the running controllers.
	starts, live map[string]int
}

func countStarts(t *testing.T, s *Supervisor) *startCounter {
	c := &startCounter{t: t, starts: map[string]int{}, live: map[string]int{}}
	s.observe = func(name string, running bool) {
		c.mu.Lock()
		defer c.mu.Unlock()
		if !running {
			c.live[name]--
			return
		}
		c.starts[name]++
		c.live[name]++
		if c.live[name] > 1 {
			c.t.Errorf("%d sync controllers of %s run at once", c.live[name], name)
		}
	}
	return c
}

func (c *startCounter) get(name string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.starts[name]
}

// TestSupervisorStartsEachTypeOnce runs a Supervisor on a real API server
// and ensures two types again and again, as the FederatedTypeConfig
// reconciler does on every status update of a FederatedTypeConfig and
// every KubeFedConfig event, some of the calls at the same time: each
// type's controller is started exactly once. A change of the settings a
// controller is built with restarts it exactly once, and the new one
// starts only after the old one stopped.
func TestSupervisorStartsEachTypeOnce(t *testing.T) {
	f := startSupervisor(t)
	f.waitRunning("at first")

	// A KubeFedConfig change that leaves the controllers' settings alone.
	f.patchConfig(`{"spec":{"leaderElect":{"leaseDuration":"1m"}}}`)
	for range 3 {
		f.ensureAll()
	}
	f.waitRunning("after an unrelated KubeFedConfig change")
	f.wantStarts(1, "after status, metadata and KubeFedConfig changes")

	// A change of the workers restarts each controller once.
	f.patchConfig(`{"spec":{"syncController":{"maxConcurrentReconciles":3}}}`)
	testenv.Eventually(t, 30*time.Second, func(ctx context.Context) error {
		settings, err := fedcorev1b1.ReadSettings(ctx, f.client, f.namespace)
		if err == nil && settings.SyncWorkers != 3 {
			err = fmt.Errorf("workers %d", settings.SyncWorkers)
		}
		return err
	}, "the new KubeFedConfig read")
	f.waitRunning("after the workers changed")
	for range 3 {
		f.ensureAll()
	}
	f.wantStarts(2, "after one configuration change")

	// Stop and Ensure at the same time: never two controllers at once
	// (startCounter fails the test otherwise).
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() { f.sup.Stop(f.ctx, "configmaps") })
		wg.Go(func() { f.ensureAll() })
	}
	wg.Wait()
}

// supervisorFixture is a Supervisor running in a manager on a test API
// server, with the namespaces and configmaps types to run.
type supervisorFixture struct {
	t         *testing.T
	ctx       context.Context
	namespace string
	client    client.Client
	sup       *Supervisor
	counter   *startCounter
	types     map[string]*fedcorev1b1.FederatedTypeConfig
}

func startSupervisor(t *testing.T) *supervisorFixture {
	f := &supervisorFixture{t: t, namespace: "kube-federation-system", types: map[string]*fedcorev1b1.FederatedTypeConfig{}}
	c, env := testenv.StartClientWith(t, testenv.EnvtestOptions{CRDs: []string{"config/crd/bases"}},
		clientgoscheme.AddToScheme, fedcorev1b1.AddToScheme)
	f.client, f.ctx = c, t.Context()
	scheme := c.Scheme()
	mgr := testenv.NewManager(t, env.Config, ctrl.Options{Scheme: scheme,
		Client: client.Options{Cache: &client.CacheOptions{Unstructured: true}}})
	members := clustercache.New(clustercache.Options{Scheme: scheme})
	f.sup = NewSupervisor(SupervisorOptions{Manager: mgr, Members: members, Namespace: f.namespace})
	f.counter = countStarts(t, f.sup)
	for _, r := range []interface{ Start(context.Context) error }{members, f.sup} {
		if err := mgr.Add(r); err != nil {
			t.Fatal(err)
		}
	}
	testenv.Run(t, "the manager", mgr.Start)

	mustCreate(t, f.client, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: f.namespace}})
	mustCreate(t, f.client, &fedcorev1b1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Namespace: f.namespace, Name: fedcorev1b1.KubeFedConfigName},
		Spec: fedcorev1b1.KubeFedConfigSpec{Scope: "Cluster"}})
	for _, kind := range []string{"Namespace", "ConfigMap"} {
		ftc := typeConfig(t, "", kind)
		ftc.Namespace = f.namespace
		f.types[ftc.Name] = ftc
	}
	return f
}

// ensureAll ensures every type from several goroutines, each with the
// settings read afresh and a FederatedTypeConfig whose status and metadata
// changed, and returns a reason seen per type.
func (f *supervisorFixture) ensureAll() map[string]string {
	allow := func(context.Context) (string, string) { return "", "" }
	var mu sync.Mutex
	reasons := map[string]string{}
	var wg sync.WaitGroup
	for i := range 4 {
		for name, ftc := range f.types {
			wg.Go(func() {
				settings, err := fedcorev1b1.ReadSettings(f.ctx, f.client, f.namespace)
				if err != nil {
					f.t.Error(err)
					return
				}
				again := ftc.DeepCopy()
				again.ResourceVersion = time.Now().Format(time.RFC3339Nano)
				again.Status.ObservedGeneration = int64(i)
				reason, _ := f.sup.Ensure(f.ctx, again, settings, allow)
				mu.Lock()
				defer mu.Unlock()
				reasons[name] = reason
			})
		}
	}
	wg.Wait()
	return reasons
}

// waitRunning ensures every type until each runs.
func (f *supervisorFixture) waitRunning(what string) {
	f.t.Helper()
	testenv.Eventually(f.t, time.Minute, func(context.Context) error {
		for name, reason := range f.ensureAll() {
			if reason != fedcorev1b1.ReasonControllerRunning {
				return fmt.Errorf("%s: %s", name, reason)
			}
		}
		return nil
	}, "every type running %s", what)
}

// patchConfig changes the KubeFedConfig with a JSON merge patch.
func (f *supervisorFixture) patchConfig(patch string) {
	f.t.Helper()
	kfc := &fedcorev1b1.KubeFedConfig{ObjectMeta: metav1.ObjectMeta{Namespace: f.namespace, Name: fedcorev1b1.KubeFedConfigName}}
	if err := f.client.Patch(f.ctx, kfc, client.RawPatch(types.MergePatchType, []byte(patch))); err != nil {
		f.t.Fatal(err)
	}
}

// wantStarts checks how many controllers of each type were started.
func (f *supervisorFixture) wantStarts(want int, why string) {
	f.t.Helper()
	for name := range f.types {
		if got := f.counter.get(name); got != want {
			f.t.Errorf("%s: %d controller starts %s, want %d", name, got, why, want)
		}
	}
}
