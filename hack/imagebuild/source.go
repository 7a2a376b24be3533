package main

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// buildInfo is what the image says about its source.
type buildInfo struct {
	version  string    // stamped into the binary, the tag and the labels
	revision string    // git commit
	created  time.Time // every timestamp in the image
}

// resolveSource fills the version, revision and time the flags left empty
// from git, with the fallbacks the Makefile uses.
func resolveSource(ctx context.Context, o *options) (buildInfo, error) {
	info := buildInfo{version: o.version, revision: o.revision}
	if info.version == "" {
		v, err := git(ctx, o.repoRoot, "describe", "--tags", "--always", "--dirty")
		if err != nil || v == "" {
			v = "dev"
		}
		info.version = v
	}
	if info.revision == "" {
		info.revision, _ = git(ctx, o.repoRoot, "rev-parse", "HEAD")
	}
	epoch := o.epoch
	if epoch == "" {
		var err error
		if epoch, err = git(ctx, o.repoRoot, "log", "-1", "--format=%ct"); err != nil {
			return info, fmt.Errorf("no -source-date-epoch and no commit time to use instead: %w", err)
		}
	}
	seconds, err := strconv.ParseInt(epoch, 10, 64)
	if err != nil || seconds < 0 {
		return info, fmt.Errorf("source date epoch %q: want a non-negative Unix time in seconds", epoch)
	}
	info.created = time.Unix(seconds, 0).UTC()
	return info, nil
}

// git runs git in dir and returns its trimmed standard output.
func git(ctx context.Context, dir string, args ...string) (string, error) {
	cmd := exec.CommandContext(ctx, "git", append([]string{"-C", dir}, args...)...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("git %s: %w: %s", strings.Join(args, " "), err, strings.TrimSpace(stderr.String()))
	}
	return strings.TrimSpace(string(out)), nil
}

// goBuild cross-compiles ./cmd/BINARY for platform into dir and returns the
// binary's path: static (CGO_ENABLED=0), without local paths (-trimpath) or
// a build ID, with the version stamped, so that it depends only on the
// source, the Go toolchain and the flags.
func goBuild(ctx context.Context, o *options, info buildInfo, platform, dir string) (string, error) {
	osName, arch, _ := strings.Cut(platform, "/")
	pkg := "./cmd/" + o.binary
	if _, err := os.Stat(filepath.Join(o.repoRoot, "cmd", o.binary)); err != nil {
		return "", fmt.Errorf("-binary=%s: no package %s in %s: %w", o.binary, pkg, o.repoRoot, err)
	}
	bin := filepath.Join(dir, o.binary)
	ldflags := fmt.Sprintf("-s -w -buildid= -X %s=%s", o.versionSymbol, info.version)
	cmd := exec.CommandContext(ctx, "go", "build", "-trimpath", "-buildvcs=false", "-ldflags="+ldflags, "-o", bin, pkg)
	cmd.Dir = o.repoRoot
	cmd.Env = append(os.Environ(), "GOOS="+osName, "GOARCH="+arch, "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build %s for %s: %w\n%s", pkg, platform, err, out)
	}
	return bin, nil
}

// invalidTagChars are the characters a registry tag may not hold.
var invalidTagChars = regexp.MustCompile(`[^A-Za-z0-9_.-]`)

// tagFor turns a version into an image tag ([A-Za-z0-9_][A-Za-z0-9_.-]{0,127}).
func tagFor(version string) string {
	tag := invalidTagChars.ReplaceAllString(version, "-")
	if tag == "" || tag[0] == '.' || tag[0] == '-' {
		tag = "v" + tag
	}
	if len(tag) > 128 {
		tag = tag[:128]
	}
	return tag
}
