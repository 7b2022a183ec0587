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

package v1beta1

import (
	"reflect"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/utils/ptr"
)

// The example of spec.rollout in docs/rollout.md, as a user writes it.
const rolloutFixture = `{
  "apiVersion": "types.kubefed.io/v1beta1",
  "kind": "FederatedDeployment",
  "metadata": {"name": "web", "namespace": "demo"},
  "spec": {
    "template": {"spec": {"replicas": 3}},
    "rollout": {
      "waves": [
        {"name": "canary", "clusters": [{"name": "member1"}]},
        {"name": "europe", "clusterSelector": {"matchLabels": {"region": "europe"}}, "maxConcurrentClusters": 2}
      ],
      "soakTime": "10m",
      "progressDeadline": "1h30m",
      "paused": true,
      "rollbackTo": {"revision": 3}
    }
  },
  "status": {
    "rollout": {"currentRevision": 2, "updateRevision": 3, "phase": "Progressing", "reason": "WaveSoaking",
      "currentWave": 1, "currentWaveName": "europe", "waveStartTime": "2026-12-03T10:12:00Z"},
    "clusters": [{"name": "member1", "revision": 3, "readiness": "Current"}]
  }
}`

func TestGetRollout(t *testing.T) {
	obj := loadJSON(t, rolloutFixture)
	got, err := GetRollout(obj)
	if err != nil {
		t.Fatal(err)
	}
	want := &RolloutStrategy{
		Waves: []RolloutWave{
			{Name: "canary", Clusters: []GenericClusterReference{{Name: "member1"}}},
			{Name: "europe", ClusterSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"region": "europe"}},
				MaxConcurrentClusters: ptr.To[int32](2)},
		},
		SoakTime:         &metav1.Duration{Duration: 10 * time.Minute},
		ProgressDeadline: &metav1.Duration{Duration: 90 * time.Minute},
		Paused:           true,
		RollbackTo:       &RollbackConfig{Revision: 3},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("GetRollout = %+v, want %+v", got, want)
	}
	if got.HistoryLimit() != 10 {
		t.Errorf("HistoryLimit without revisionHistoryLimit = %d, want 10", got.HistoryLimit())
	}

	status, err := GetStatus(obj)
	if err != nil {
		t.Fatal(err)
	}
	// metav1.Time reads in the local zone: compare the instant.
	if start := status.Rollout.WaveStartTime; start == nil || !start.Equal(&metav1.Time{Time: time.Date(2026, 12, 3, 10, 12, 0, 0, time.UTC)}) {
		t.Errorf("status.rollout.waveStartTime = %v, want 2026-12-03T10:12:00Z", start)
	}
	status.Rollout.WaveStartTime = nil
	wantStatus := &RolloutStatus{CurrentRevision: 2, UpdateRevision: 3, Phase: RolloutPhaseProgressing,
		Reason: RolloutReasonWaveSoaking, CurrentWave: 1, CurrentWaveName: "europe"}
	if !reflect.DeepEqual(status.Rollout, wantStatus) {
		t.Errorf("status.rollout = %+v, want %+v", status.Rollout, wantStatus)
	}
	if c := status.GetCluster("member1"); c == nil || c.Revision != 3 {
		t.Errorf("status.clusters[member1] = %+v, want revision 3", c)
	}

	// A KubeFed manifest has no spec.rollout: nil, so the object rolls out
	// at once as before.
	delete(obj.Object["spec"].(map[string]any), "rollout")
	if got, err := GetRollout(obj); err != nil || got != nil {
		t.Errorf("GetRollout without spec.rollout = %+v, %v; want nil", got, err)
	}
}
