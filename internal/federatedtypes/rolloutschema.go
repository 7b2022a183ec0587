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

package federatedtypes

import (
	apiextensionsv1 "k8s.io/apiextensions-apiserver/pkg/apis/apiextensions/v1"
	"k8s.io/utils/ptr"
)

// Limits of spec.rollout, so that its CEL rules fit the API server's cost
// budget.
const (
	// MaxRolloutWaves is the most waves spec.rollout.waves may have.
	MaxRolloutWaves = 10
	// MaxWaveClusters is the most clusters a wave may name.
	MaxWaveClusters = 30
)

// The CEL rules of spec.rollout and their messages.
const (
	waveNameRule = `self.matches('^[a-z0-9]([-a-z0-9]*[a-z0-9])?$')`
	waveNameMsg  = `'wave name ' + self + ' is not valid: use a DNS label (lowercase letters, digits and -, starting and ending with a letter or digit)'`

	waveNameReservedRule = `self != 'remaining'`
	waveNameReservedMsg  = `the wave name remaining is reserved for the placed clusters in no wave: choose another name`

	uniqueWaveRule = `self.map(w, w.name).distinct().size() == self.size()`
	uniqueWaveMsg  = `a wave name appears more than once in spec.rollout.waves: give every wave its own name`

	// A cluster named in two waves: every name of a wave is found in one
	// wave only. (Flattening the names and asking distinct() would read
	// better, but the cost estimator loses the list's bound through
	// flatten() and refuses it.)
	uniqueWaveClusterRule = `self.all(w, !has(w.clusters) || w.clusters.all(c, self.filter(v, has(v.clusters) && v.clusters.exists(d, d.name == c.name)).size() == 1))`
	uniqueWaveClusterMsg  = `a cluster is named in more than one wave of spec.rollout.waves: a cluster belongs to one wave, name it once`

	uniqueInWaveRule = `!has(self.clusters) || self.clusters.map(c, c.name).distinct().size() == self.clusters.size()`
	uniqueInWaveMsg  = `'a cluster is named more than once in wave ' + self.name + ': name it once'`

	waveMembersRule = `has(self.clusters) != has(self.clusterSelector)`
	waveMembersMsg  = `'wave ' + self.name + ' must have exactly one of clusters and clusterSelector'`

	// A Go duration as metav1.Duration reads it, without sign: 30s, 10m,
	// 1h30m, 1.5h.
	durationRule = `self.matches('^([0-9]+([.][0-9]+)?(ns|us|µs|ms|s|m|h))+$')`
)

// rolloutSchema is spec.rollout (api/types/v1beta1 RolloutStrategy).
func rolloutSchema() apiextensionsv1.JSONSchemaProps {
	waves := arrayProp("Waves are the ordered groups of clusters a new revision goes to. A cluster belongs to the "+
		"first wave that names or selects it; placed clusters in no wave form a last wave named remaining.", waveSchema())
	waves.MaxItems = ptr.To[int64](MaxRolloutWaves)
	waves.XValidations = apiextensionsv1.ValidationRules{
		{Rule: uniqueWaveRule, Message: uniqueWaveMsg},
		{Rule: uniqueWaveClusterRule, Message: uniqueWaveClusterMsg},
	}
	return objectProp("Rollout rolls a new version out to the placed clusters wave by wave, each wave gated by the "+
		"readiness of the copies already updated. Without it, a change reaches every placed cluster at once.", props{
		"waves": waves,
		"soakTime": durationSchema("SoakTime is how long the next wave waits once the waves so far run the new "+
			"revision and are Current, a Go duration such as 10m. Default 0.", "soakTime"),
		"progressDeadline": durationSchema("ProgressDeadline is how long a wave may take to become Current before "+
			"the rollout stops (Stalled), a Go duration such as 15m. Unset: no deadline.", "progressDeadline"),
		"paused": boolProp("Paused, when true, holds a rollout in progress: no further cluster gets the new revision."),
		"rollbackTo": objectProp("RollbackTo makes the rollout's target the stored content of an earlier revision instead "+
			"of the spec's (undo); it rolls out in waves like any new version.", props{
			"revision": atLeast(1, int64Prop("Revision is the number of the revision to run (ControllerRevision.revision).")),
		}, "revision"),
		"revisionHistoryLimit": atLeast(0, int32Prop("RevisionHistoryLimit is how many old revisions are kept besides "+
			"the current and update revisions and those a cluster runs. Default 10.")),
	})
}

func waveSchema() apiextensionsv1.JSONSchemaProps {
	selector := labelSelectorSchema()
	selector.Description = "ClusterSelector selects the clusters of the wave by the labels of their KubeFedCluster; " +
		"they are updated in name order."
	name := stringProp("Name of the wave, unique among the waves.")
	name.MaxLength = ptr.To[int64](63)
	name.XValidations = apiextensionsv1.ValidationRules{
		{Rule: waveNameRule, MessageExpression: waveNameMsg},
		{Rule: waveNameReservedRule, Message: waveNameReservedMsg},
	}
	wave := objectProp("", props{
		"name": name,
		"clusters": clusterListSchema("Clusters names the clusters of the wave, in the order they are updated.",
			MaxWaveClusters, waveClusterNameMsg),
		"clusterSelector": selector,
		"maxConcurrentClusters": atLeast(1, int32Prop("MaxConcurrentClusters is how many clusters of the wave may be "+
			"updated at a time (given the new revision and not Current yet). Unset: all of them.")),
	}, "name")
	wave.XValidations = apiextensionsv1.ValidationRules{
		{Rule: waveMembersRule, MessageExpression: waveMembersMsg},
		{Rule: uniqueInWaveRule, MessageExpression: uniqueInWaveMsg},
	}
	return wave
}

const waveClusterNameMsg = `'wave cluster name ' + self + ' is not a valid cluster name: use the name of a KubeFedCluster (lowercase letters, digits, - and ., starting and ending with a letter or digit)'`

func durationSchema(description, field string) apiextensionsv1.JSONSchemaProps {
	duration := stringProp(description)
	duration.MaxLength = ptr.To[int64](64)
	duration.XValidations = apiextensionsv1.ValidationRules{{
		Rule:              durationRule,
		MessageExpression: `'spec.rollout.` + field + ` ' + self + ' is not a duration: write it as Go does, e.g. 30s, 10m or 1h30m'`,
	}}
	return duration
}

// rolloutStatusSchema is status.rollout (api/types/v1beta1 RolloutStatus).
func rolloutStatusSchema() apiextensionsv1.JSONSchemaProps {
	return objectProp("Rollout is the state of the progressive rollout, when spec.rollout is set.", props{
		"observedGeneration": int64Prop("ObservedGeneration is the generation this state was computed for."),
		"currentRevision":    int64Prop("CurrentRevision is the last revision whose rollout completed."),
		"previousRevision":   int64Prop("PreviousRevision is the current revision before the last completed rollout, the default of undo."),
		"updateRevision":     int64Prop("UpdateRevision is the revision being rolled out."),
		"phase":              stringProp("Phase is Progressing, Paused, Stalled or Complete."),
		"reason":             stringProp("Reason says why the rollout is in its phase."),
		"message":            stringProp("Message says where the rollout is and which clusters stopped it."),
		"currentWave": int32Prop("CurrentWave is the index of the wave in progress in spec.rollout.waves; " +
			"its length is the implicit last wave."),
		"currentWaveName": stringProp("CurrentWaveName is the name of the wave in progress."),
		"waveStartTime":   timeProp("WaveStartTime is when the wave in progress started or started over."),
		"soakStartTime":   timeProp("SoakStartTime is when the waves so far became Current, while the next wave waits."),
	})
}
