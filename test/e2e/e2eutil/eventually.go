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

package e2eutil

import (
	"context"
	"testing"
	"time"

	"github.com/kubefed/kubefed/test/testenv"
)

// PollInterval is how often Eventually checks.
const PollInterval = testenv.PollInterval

// Eventually is testenv.Eventually: it calls cond every PollInterval until
// it returns nil, and fails the test with the last error when timeout
// passes first. what (a format and its arguments) says what was waited for.
func Eventually(t testing.TB, timeout time.Duration, cond func(ctx context.Context) error, what string, args ...any) {
	t.Helper()
	testenv.Eventually(t, timeout, cond, what, args...)
}

// EventuallyEvery is testenv.EventuallyEvery: Eventually with another
// interval, for checks that cost the clusters something (listing hundreds
// of objects).
func EventuallyEvery(t testing.TB, interval, timeout time.Duration, cond func(ctx context.Context) error, what string, args ...any) {
	t.Helper()
	testenv.EventuallyEvery(t, interval, timeout, cond, what, args...)
}

// Poll is testenv.Poll: it calls cond every PollInterval until it returns
// nil (Poll returns nil) or timeout passes (Poll returns cond's last error).
func Poll(ctx context.Context, timeout time.Duration, cond func(ctx context.Context) error) error {
	return testenv.Poll(ctx, timeout, cond)
}
