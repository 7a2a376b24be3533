// Command fledge-loadtester is Fledge's load tester: a drop-in for
// Flagger's flagger-loadtester, so that a Canary's webhooks (hey load,
// bash acceptance tests, manual gates) work unchanged. Package loadtester
// documents the protocol; README.md here shows it at work.
//
// Shell commands (bash tasks, and cmd tasks other than hey) run only with
// -allow-bash: anyone who can reach the port can then run any command.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"syscall"
	"time"

	"github.com/fledge-canary/fledge/internal/version"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"go.uber.org/zap/zapcore"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/fledge-canary/fledge/loadtester"
)

// versionOut receives the output of -version: standard output, as the
// controller's.
var versionOut io.Writer = os.Stdout

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.Stderr)
	stop()
	if err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "fledge-loadtester:", err)
		}
		os.Exit(2)
	}
}

// run serves until ctx ends, then stops: the listener first, calls in
// progress get -shutdown-grace, then the background tasks are cancelled.
func run(ctx context.Context, args []string, stderr io.Writer) error {
	f, err := parseFlags(args, stderr)
	if err != nil {
		return err
	}
	if f.version {
		_, err := fmt.Fprintln(versionOut, version.String())
		return err
	}
	log := newLogger(f, stderr)
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	lt, err := loadtester.New(loadtester.Options{
		AllowBash: f.allowBash, CommandTimeout: f.timeout, GateTTL: f.gateTTL, Namespaces: f.namespaces,
		Log: log, Registry: reg,
	})
	if err != nil {
		return err
	}
	listener, err := net.Listen("tcp", fmt.Sprintf(":%d", f.port))
	if err != nil {
		return fmt.Errorf("listening on -port=%d: %w", f.port, err)
	}
	srv := &http.Server{Handler: lt.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: time.Minute}
	served := make(chan error, 1)
	go func() { served <- srv.Serve(listener) }()
	log.Info("starting fledge-loadtester", "version", version.String(), "port", f.port, "allow_bash", f.allowBash, "gate_ttl", f.gateTTL.String())
	if f.allowBash {
		warnMissingShells(log)
	}
	select {
	case err := <-served:
		return fmt.Errorf("serving: %w", err)
	case <-ctx.Done():
	}
	return shutdown(srv, lt, f.shutdownGrace, log)
}

// shutdown stops accepting calls, lets those in progress finish for
// grace, then cancels every task and waits for it.
func shutdown(srv *http.Server, lt *loadtester.Server, grace time.Duration, log logr.Logger) error {
	log.Info("stopping fledge-loadtester")
	ctx, cancel := context.WithTimeout(context.Background(), grace)
	defer cancel()
	if err := srv.Shutdown(ctx); err != nil {
		_ = srv.Close() // ends the blocking calls, which kills their commands
	}
	tasksCtx, cancelTasks := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancelTasks()
	if err := lt.Shutdown(tasksCtx); err != nil {
		return fmt.Errorf("stopping the tasks: %w", err)
	}
	return nil
}

// warnMissingShells says, once at start, that -allow-bash cannot work
// here: an image without a shell (such as a distroless one) answers every
// shell task with 500 "executable file not found".
func warnMissingShells(log logr.Logger) {
	for _, shell := range []string{"bash", "sh"} {
		if _, err := exec.LookPath(shell); err != nil {
			log.Info("-allow-bash is set but this image has no "+shell+": shell tasks will fail; use an image with bash (and the tools your commands call, such as curl)", "error", err.Error())
		}
	}
}

func newLogger(f *flags, out io.Writer) logr.Logger {
	level, _ := zapcore.ParseLevel(f.logLevel)
	encoder := zap.JSONEncoder()
	if f.zapEncoding == "console" {
		encoder = zap.ConsoleEncoder()
	}
	// A failed command is an error worth its log line, not a stack trace.
	return zap.New(zap.Level(level), encoder, zap.WriteTo(out), zap.StacktraceLevel(zapcore.PanicLevel))
}
