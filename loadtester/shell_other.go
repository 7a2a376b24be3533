//go:build !unix

package loadtester

import "os/exec"

// killGroup does nothing here: cancellation kills the shell only.
func killGroup(*exec.Cmd) {}
