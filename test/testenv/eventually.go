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

package testenv

import (
	"context"
	"fmt"
	"testing"
	"time"
)

// PollInterval is how often Eventually checks.
const PollInterval = 200 * time.Millisecond

// Eventually calls cond every PollInterval until it returns nil, and fails
// the test with the last error when timeout passes first. what (a format
// and its arguments) says what was waited for. cond's context ends at the
// timeout.
func Eventually(t testing.TB, timeout time.Duration, cond func(ctx context.Context) error, what string, args ...any) {
	t.Helper()
	EventuallyEvery(t, PollInterval, timeout, cond, what, args...)
}

// EventuallyEvery is Eventually with another interval, for checks that
// cost the clusters something (listing hundreds of objects).
func EventuallyEvery(t testing.TB, interval, timeout time.Duration, cond func(ctx context.Context) error, what string, args ...any) {
	t.Helper()
	if err := poll(t.Context(), interval, timeout, cond); err != nil {
		t.Fatalf("%s: not within %s: %v", fmt.Sprintf(what, args...), timeout, err)
	}
}

// Poll calls cond every PollInterval until it returns nil (Poll returns
// nil) or timeout passes (Poll returns cond's last error).
func Poll(ctx context.Context, timeout time.Duration, cond func(ctx context.Context) error) error {
	return poll(ctx, PollInterval, timeout, cond)
}

func poll(ctx context.Context, interval, timeout time.Duration, cond func(ctx context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	var last error
	for {
		err := cond(ctx)
		if err == nil {
			return nil
		}
		// A check cut short by the deadline says less than the one before.
		if last == nil || ctx.Err() == nil {
			last = err
		}
		select {
		case <-ctx.Done():
			return last
		case <-time.After(interval):
		}
	}
}
