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

package imagebuild

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"time"

	v1 "github.com/google/go-containerregistry/pkg/v1"
)

// versionVar is the variable -ldflags -X stamps with the version.
const versionVar = "github.com/kubefed/kubefed/internal/version.Version"

// goBuild compiles the main packages pkgs (paths relative to o.RepoRoot,
// "./cmd/kubefedctl") as static Linux binaries for platform into dir, each
// named after its package's directory. The flags make the output depend only
// on the sources and the toolchain: -trimpath drops the build directory,
// -buildvcs=false the checkout state, -s -w the symbol tables.
func goBuild(ctx context.Context, o Options, p v1.Platform, dir string, pkgs ...string) error {
	args := []string{"build", "-trimpath", "-buildvcs=false",
		"-ldflags", fmt.Sprintf("-s -w -X %s=%s", versionVar, o.Version),
		"-o", dir + string(filepath.Separator)}
	args = append(args, pkgs...)
	cmd := exec.CommandContext(ctx, "go", args...)
	cmd.Dir = o.RepoRoot
	cmd.Env = buildEnv(os.Environ(), p)
	out := o.log()
	cmd.Stdout, cmd.Stderr = out, out
	start := time.Now()
	fmt.Fprintf(out, "Building %s for %s\n", strings.Join(pkgs, " "), platformString(p))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build %s for %s in %s: %w (see the compiler output above)",
			strings.Join(pkgs, " "), platformString(p), o.RepoRoot, err)
	}
	fmt.Fprintf(out, "Built %s for %s in %s\n", strings.Join(pkgs, " "), platformString(p), time.Since(start).Round(time.Second))
	return nil
}

// buildEnv is the caller's environment with the target set and every
// variable that changes code generation pinned: a GOAMD64=v3 in someone's
// shell must not change the image.
func buildEnv(env []string, p v1.Platform) []string {
	drop := map[string]bool{"CGO_ENABLED": true, "GOOS": true, "GOARCH": true,
		"GOAMD64": true, "GOARM": true, "GOARM64": true, "GO386": true,
		"GOMIPS": true, "GOMIPS64": true, "GOPPC64": true, "GORISCV64": true, "GOWASM": true}
	var out []string
	for _, kv := range env {
		k, _, _ := strings.Cut(kv, "=")
		if !drop[k] {
			out = append(out, kv)
		}
	}
	out = append(out, "CGO_ENABLED=0", "GOOS="+p.OS, "GOARCH="+p.Architecture)
	if p.Architecture == "arm" && p.Variant != "" {
		out = append(out, "GOARM="+strings.TrimPrefix(p.Variant, "v"))
	}
	return out
}

func platformString(p v1.Platform) string {
	s := p.OS + "/" + p.Architecture
	if p.Variant != "" {
		s += "/" + p.Variant
	}
	return s
}
