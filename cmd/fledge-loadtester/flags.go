package main

import (
	"flag"
	"fmt"
	"io"
	"regexp"
	"time"

	"go.uber.org/zap/zapcore"

	"github.com/fledge-canary/fledge/loadtester"
)

// flags are Flagger's load tester flags, and Fledge's -allow-bash and
// -gate-ttl.
type flags struct {
	port                  int
	timeout, gateTTL      time.Duration
	namespaceRegexp       string
	namespaces            *regexp.Regexp
	allowBash, version    bool
	logLevel, zapEncoding string
	zapReplaceGlobals     bool
	shutdownGrace         time.Duration
}

func parseFlags(args []string, out io.Writer) (*flags, error) {
	f := &flags{}
	fs := flag.NewFlagSet("fledge-loadtester", flag.ContinueOnError)
	fs.SetOutput(out)
	fs.IntVar(&f.port, "port", 8080, "port of the webhook, gate, /healthz and /metrics endpoints (Flagger's binary defaults to 9090, its manifests pass 8080)")
	fs.DurationVar(&f.timeout, "timeout", loadtester.DefaultCommandTimeout, "longest run of a task (hey load, cmd or bash command)")
	fs.StringVar(&f.namespaceRegexp, "namespace-regexp", "", "answer 403 to payloads whose namespace does not match this regular expression")
	fs.BoolVar(&f.allowBash, "allow-bash", false, "run shell commands: bash tasks and cmd tasks that are not plain hey commands. "+
		"SECURITY: anyone who can reach the port can then run any command as this process")
	fs.DurationVar(&f.gateTTL, "gate-ttl", 0, "close an opened gate (/gate/open, /rollback/open) this long after it was opened; 0 keeps it open until /gate/close, as Flagger does")
	fs.StringVar(&f.logLevel, "log-level", "debug", "log level: debug, info, warn or error")
	fs.StringVar(&f.zapEncoding, "zap-encoding", "json", "log encoding: json or console")
	fs.BoolVar(&f.zapReplaceGlobals, "zap-replace-globals", false, "accepted for Flagger compatibility; no effect")
	fs.DurationVar(&f.shutdownGrace, "shutdown-grace", 15*time.Second, "on SIGTERM, how long to let calls in progress finish before the tasks are stopped")
	fs.BoolVar(&f.version, "version", false, "print the version and exit")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q: fledge-loadtester takes flags only", fs.Args())
	}
	return f, f.check()
}

// check refuses flag values the load tester cannot run with.
func (f *flags) check() error {
	if f.port < 1 || f.port > 65535 {
		return fmt.Errorf("-port=%d: want a port between 1 and 65535", f.port)
	}
	if f.timeout <= 0 {
		return fmt.Errorf("-timeout=%s: want a positive duration such as 1h", f.timeout)
	}
	if f.gateTTL < 0 {
		return fmt.Errorf("-gate-ttl=%s: want 0 (never) or a positive duration such as 1h", f.gateTTL)
	}
	if f.shutdownGrace < 0 {
		return fmt.Errorf("-shutdown-grace=%s: want 0 or a positive duration", f.shutdownGrace)
	}
	if f.namespaceRegexp != "" {
		re, err := regexp.Compile(f.namespaceRegexp)
		if err != nil {
			return fmt.Errorf("-namespace-regexp=%s: %w", f.namespaceRegexp, err)
		}
		f.namespaces = re
	}
	if _, err := zapcore.ParseLevel(f.logLevel); err != nil {
		return fmt.Errorf("-log-level=%s: want debug, info, warn or error", f.logLevel)
	}
	if f.zapEncoding != "json" && f.zapEncoding != "console" {
		return fmt.Errorf("-zap-encoding=%s: want json or console", f.zapEncoding)
	}
	return nil
}
