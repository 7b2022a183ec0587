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

// Command imagebuild builds the kubefed container image (or the pause image)
// as an OCI image-layout tarball, without a container engine, and writes the
// image's generated files for the Dockerfile.
//
//	imagebuild kubefed -ref REPO:TAG -version V [-platforms linux/amd64,linux/arm64] -out FILE [-digest-file FILE]
//	imagebuild pause   -ref REPO:TAG [-platforms ...] -out FILE [-digest-file FILE]
//	imagebuild rootfs-files DIR
//
// The timestamp of every file is SOURCE_DATE_EPOCH when set, else the commit
// time of HEAD, so that a commit always gives the same image.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"os/signal"
	"strconv"
	"strings"
	"syscall"
	"time"

	"github.com/kubefed/kubefed/hack/imagebuild"
)

const usage = `Usage:
  imagebuild kubefed [flags]    build the kubefed image into an OCI layout tarball
  imagebuild pause [flags]      build the pause image into an OCI layout tarball
  imagebuild rootfs-files DIR   write passwd, group, CA roots, /tmp and homes under DIR

Run "imagebuild kubefed -h" for the build flags.
`

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:])
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "imagebuild:", err)
		}
		os.Exit(1)
	}
}

func run(ctx context.Context, args []string) error {
	if len(args) == 0 {
		fmt.Fprint(os.Stderr, usage)
		return errors.New("no command given")
	}
	switch args[0] {
	case "kubefed":
		return buildCmd(ctx, "kubefed", imagebuild.Kubefed, args[1:])
	case "pause":
		return buildCmd(ctx, "pause", imagebuild.Pause, args[1:])
	case "rootfs-files":
		if len(args) != 2 {
			return errors.New("rootfs-files takes one argument, the directory to write to")
		}
		return imagebuild.WriteRootfsFiles(args[1])
	case "-h", "-help", "--help", "help":
		fmt.Fprint(os.Stdout, usage)
		return nil
	}
	fmt.Fprint(os.Stderr, usage)
	return fmt.Errorf("unknown command %q", args[0])
}

type buildFunc func(context.Context, imagebuild.Options, string) (string, error)

func buildCmd(ctx context.Context, cmdName string, build buildFunc, args []string) error {
	fs := flag.NewFlagSet(cmdName, flag.ContinueOnError)
	var (
		o          imagebuild.Options
		platforms  = fs.String("platforms", strings.Join(imagebuild.DefaultPlatforms, ","), "comma-separated platforms to build")
		out        = fs.String("out", "", "the OCI layout tarball to write (required)")
		digestFile = fs.String("digest-file", "", "also write the image index digest to this file")
	)
	fs.StringVar(&o.RepoRoot, "repo-root", ".", "the module root to build from")
	fs.StringVar(&o.Version, "version", "dev", "the version stamped into the binaries and labels")
	fs.StringVar(&o.Ref, "ref", "", "the image reference (repository:tag) recorded in the tarball (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("unexpected arguments %q", fs.Args())
	}
	if *out == "" || o.Ref == "" {
		fs.Usage()
		return errors.New("-out and -ref are required")
	}
	o.Platforms = strings.Split(*platforms, ",")
	o.Log = os.Stderr
	var err error
	if o.Epoch, err = epoch(ctx, o.RepoRoot); err != nil {
		return err
	}
	o.Revision = gitOutput(ctx, o.RepoRoot, "rev-parse", "HEAD")
	fmt.Fprintf(os.Stderr, "Building %s: version %s, epoch %s\n", o.Ref, o.Version, o.Epoch.UTC().Format(time.RFC3339))
	digest, err := build(ctx, o, *out)
	if err != nil {
		return err
	}
	if *digestFile != "" {
		if err := os.WriteFile(*digestFile, []byte(digest+"\n"), 0o644); err != nil {
			return err
		}
	}
	fmt.Println(digest)
	return nil
}

// epoch is the time stamped on the image's files: SOURCE_DATE_EPOCH (the
// reproducible-builds convention) when set, else the commit time of HEAD,
// else the Unix epoch outside a git checkout.
func epoch(ctx context.Context, root string) (time.Time, error) {
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		n, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return time.Time{}, fmt.Errorf("SOURCE_DATE_EPOCH=%q: want seconds since 1970: %w", s, err)
		}
		return time.Unix(n, 0), nil
	}
	if s := gitOutput(ctx, root, "log", "-1", "--format=%ct", "HEAD"); s != "" {
		if n, err := strconv.ParseInt(s, 10, 64); err == nil {
			return time.Unix(n, 0), nil
		}
	}
	fmt.Fprintln(os.Stderr, "Not a git checkout and no SOURCE_DATE_EPOCH: the files carry the Unix epoch")
	return time.Time{}, nil
}

// gitOutput runs git in dir and returns its trimmed output, or "" when git
// or the checkout is missing.
func gitOutput(ctx context.Context, dir string, args ...string) string {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	b, err := cmd.Output()
	if err != nil {
		return ""
	}
	return strings.TrimSpace(string(b))
}
