package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/fledge-canary/fledge/internal/version"
)

// TestStampedVersion builds fledge-controller as `make build` does, with the
// version stamped by -ldflags, and checks that -version prints exactly that
// version on standard output and nothing on standard error.
func TestStampedVersion(t *testing.T) {
	const stamped = "v9.8.7-test"
	bin := filepath.Join(t.TempDir(), "fledge-controller")
	build := exec.Command("go", "build", "-buildvcs=false", "-ldflags=-X "+version.Symbol+"="+stamped, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(bin, "-version")
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("fledge-controller -version: %v\n%s", err, stderr.String())
	}
	if stdout.String() != stamped+"\n" || stderr.Len() != 0 {
		t.Errorf("fledge-controller -version printed %q on stdout and %q on stderr, want %q and nothing", stdout.String(), stderr.String(), stamped+"\n")
	}
}
