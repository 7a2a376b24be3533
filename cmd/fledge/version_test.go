package main

import (
	"bytes"
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/fledge-canary/fledge/internal/version"
)

func TestVersion(t *testing.T) {
	want := "fledge version " + version.String() + "\n"
	for _, args := range [][]string{{"version"}, {"--version"}} {
		t.Run(args[0], func(t *testing.T) {
			root := newRootCommand()
			var out bytes.Buffer
			root.SetOut(&out)
			root.SetArgs(args)
			if err := root.Execute(); err != nil {
				t.Fatalf("fledge %v: %v", args, err)
			}
			if out.String() != want {
				t.Errorf("fledge %v printed %q, want %q", args, out.String(), want)
			}
		})
	}
}

func TestVersionRefusesArguments(t *testing.T) {
	root := newRootCommand()
	root.SetOut(&bytes.Buffer{})
	root.SetErr(&bytes.Buffer{})
	root.SetArgs([]string{"version", "extra"})
	if err := root.Execute(); err == nil {
		t.Fatal("fledge version extra: want an error for the unexpected argument")
	}
}

// TestStampedVersion builds fledge as `make build` does, with the version
// stamped by -ldflags, and runs `fledge version` and `fledge --version`.
func TestStampedVersion(t *testing.T) {
	const stamped = "v9.8.7-test"
	bin := filepath.Join(t.TempDir(), "fledge")
	build := exec.Command("go", "build", "-buildvcs=false", "-ldflags=-X "+version.Symbol+"="+stamped, "-o", bin, ".")
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, out)
	}
	for _, arg := range []string{"version", "--version"} {
		out, err := exec.Command(bin, arg).Output()
		if err != nil {
			t.Fatalf("fledge %s: %v", arg, err)
		}
		if want := "fledge version " + stamped + "\n"; string(out) != want {
			t.Errorf("fledge %s printed %q, want %q", arg, out, want)
		}
	}
}
