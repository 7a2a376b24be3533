package main

import (
	"context"
	"io"
	"strings"
	"testing"
)

func TestBadInput(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-platforms", "linux"}, `-platforms: "linux" is not linux/ARCH`},
		{[]string{"-platforms", "windows/amd64"}, `-platforms: "windows/amd64" is not linux/ARCH`},
		{[]string{"-platforms", "linux/arm/v7/x"}, `is not linux/ARCH`},
		{[]string{"-binary", "../etc"}, `-binary="../etc": want a command name under cmd/`},
		{[]string{"-binary", ""}, `-binary="": want a command name`},
		{[]string{"extra"}, `unexpected arguments ["extra"]`},
		{[]string{"-repository", "Not A Repo"}, "-repository=Not A Repo: "},
		{[]string{"-no-such-flag"}, "flag provided but not defined"},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			_, err := parseFlags(tc.args, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("parseFlags(%q) = %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestRunRefuses(t *testing.T) {
	tests := []struct {
		args []string
		want string
	}{
		{[]string{"-binary", "fledge-nothing", "-version", "v1", "-source-date-epoch", "0"}, "-binary=fledge-nothing: no package ./cmd/fledge-nothing"},
		{[]string{"-source-date-epoch", "yesterday"}, `source date epoch "yesterday": want a non-negative Unix time`},
		{[]string{"-source-date-epoch", "-5"}, `source date epoch "-5"`},
	}
	for _, tc := range tests {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			o, err := parseFlags(append([]string{"-C", "../..", "-out", t.TempDir()}, tc.args...), io.Discard)
			if err != nil {
				t.Fatal(err)
			}
			err = run(context.Background(), o, io.Discard)
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Errorf("run(%q) = %v, want an error containing %q", tc.args, err, tc.want)
			}
		})
	}
}

func TestTagFor(t *testing.T) {
	tests := []struct{ version, want string }{
		{"v0.9.0", "v0.9.0"},
		{"v0.9.0-3-gabcdef0-dirty", "v0.9.0-3-gabcdef0-dirty"},
		{"v1.0.0+build.5", "v1.0.0-build.5"},
		{".hidden", "v.hidden"},
		{"dev", "dev"},
		{strings.Repeat("x", 200), strings.Repeat("x", 128)},
	}
	for _, tc := range tests {
		if got := tagFor(tc.version); got != tc.want {
			t.Errorf("tagFor(%q) = %q, want %q", tc.version, got, tc.want)
		}
	}
}
