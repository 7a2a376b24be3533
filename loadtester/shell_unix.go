//go:build unix

package loadtester

import (
	"os/exec"
	"syscall"
)

// killGroup starts the command in its own process group and makes its
// cancellation kill the whole group, so that `curl … | grep …` does not
// leave curl behind.
func killGroup(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.Cancel = func() error { return syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL) }
}
