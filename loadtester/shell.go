package loadtester

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"os/exec"
	"time"
)

// maxOutput is how much of a command's combined output is kept (for the
// log and the reply); the rest is dropped with a note.
const maxOutput = 64 << 10

// runShell runs command with shell -c (sh for cmd tasks, bash for bash
// tasks, as Flagger does) until it exits, timeout passes or ctx ends; the
// whole process group is killed then. It returns the combined output and,
// when the command did not exit 0, why.
func runShell(ctx context.Context, shell, command string, timeout time.Duration) ([]byte, error) {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	cmd := exec.CommandContext(ctx, shell, "-c", command) //nolint:gosec // running it is the point; -allow-bash guards it
	out := &cappedBuffer{limit: maxOutput}
	cmd.Stdout, cmd.Stderr = out, out
	killGroup(cmd)
	// A grandchild that keeps the output open must not hold us after the kill.
	cmd.WaitDelay = 5 * time.Second
	err := cmd.Run()
	switch {
	case err == nil:
		return out.Bytes(), nil
	case errors.Is(ctx.Err(), context.DeadlineExceeded):
		return out.Bytes(), fmt.Errorf("timed out after %s: %w", timeout, err)
	case ctx.Err() != nil:
		return out.Bytes(), fmt.Errorf("cancelled (the caller went away or the load tester is stopping): %w", err)
	}
	return out.Bytes(), err
}

// cappedBuffer keeps the first limit bytes written to it.
type cappedBuffer struct {
	buf     bytes.Buffer
	limit   int
	dropped int
}

func (b *cappedBuffer) Write(p []byte) (int, error) {
	keep := min(len(p), b.limit-b.buf.Len())
	b.buf.Write(p[:keep])
	b.dropped += len(p) - keep
	return len(p), nil
}

// Bytes is what was kept, with a note of what was dropped.
func (b *cappedBuffer) Bytes() []byte {
	if b.dropped == 0 {
		return b.buf.Bytes()
	}
	return fmt.Appendf(bytes.Clone(b.buf.Bytes()), "\n[%d more bytes of output dropped]", b.dropped)
}
