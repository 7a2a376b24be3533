package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/fledge-canary/fledge/sim/whatif"
	"github.com/fledge-canary/fledge/sim/whatif/whatifreport"
)

// whatifOptions are the flags of fledge whatif.
type whatifOptions struct {
	file      string
	templates []string
	profile   whatif.Profile
	errors    string
	latency   string
	notFound  string
	runs      int
	seed      uint64
	workers   int
	sweep     []string
	json      bool
	report    string
	quiet     bool
	shard     string
	// profileFrom and window: --profile-from, --window; measured is
	// where the measured profile is written.
	profileFrom, window string
	measured            io.Writer
}

func newWhatifCommand() *cobra.Command {
	opts := whatifOptions{profile: whatif.DefaultProfile()}
	cmd := &cobra.Command{
		Use:   "whatif [CANARY.yaml] [--sweep KEY=V1,V2 ...]",
		Short: "Estimate how long a Canary spec takes to promote and how well it catches regressions",
		Long: `whatif replays a Canary spec many times in the simulator, each run with its own
seed, for a healthy canary and for canaries that serve more 5xx, more 404s or
slower than the primary, and reports per case the probability of promotion and
of rollback, the time to promote and to roll back (p50, p90, max), the blast
radius (users' requests the canary failed before the analysis ended) and, for
the healthy canary, the false-rollback rate with its 95% interval.

Without a manifest it studies the OSM tutorial's Canary. Numbers are percent
(--error-rate 0.1 is 0.1%); an empty list (--not-found "") tries no such
regression. The same inputs and seed give the same numbers.`,
		Example: `  fledge whatif
  fledge whatif podinfo-canary.yaml --rps 50 --error-rate 0.2 --runs 500
  fledge whatif --errors 1,2,5 --latency "" --not-found ""
  fledge whatif --sweep stepWeight=5,10,20 interval=30s,1m threshold=2,5`,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runWhatif(cmd.Context(), cmd.OutOrStdout(), cmd.ErrOrStderr(), cmd.Flags(), args, opts)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&opts.file, "file", "f", "", "a what-if file (traffic, regressions, runs, seed, webhooks, sweep); flags override it")
	f.StringArrayVar(&opts.templates, "template", nil, "a MetricTemplate manifest the Canary refers to (repeatable)")
	f.Float64Var(&opts.profile.RPS, "rps", opts.profile.RPS, "users' requests per second to the apex service")
	f.Float64Var(&opts.profile.ErrorRate, "error-rate", opts.profile.ErrorRate, "the primary's (and a healthy canary's) 5xx, in percent")
	f.Float64Var(&opts.profile.NotFoundRate, "not-found-rate", opts.profile.NotFoundRate, "the primary's 404s, in percent")
	f.DurationVar(&opts.profile.P50, "p50", opts.profile.P50, "the primary's median latency")
	f.DurationVar(&opts.profile.P99, "p99", opts.profile.P99, "the primary's 99th percentile latency")
	f.Float64Var(&opts.profile.LoadtesterRPS, "loadtester-rps", 0, "extra load sent straight to the canary service, besides what the spec's webhooks run")
	f.DurationVar(&opts.profile.ReadyAfter, "ready-after", opts.profile.ReadyAfter, "how long a Deployment takes to roll out")
	f.StringVar(&opts.errors, "errors", "0.5,1,2,5,20", "5xx regressions to try, in percentage points")
	f.StringVar(&opts.latency, "latency", "100ms,500ms", "latency regressions to try, added to every answer (so to the P99)")
	f.StringVar(&opts.notFound, "not-found", "1,5,20", "404 regressions to try, in percentage points")
	f.IntVar(&opts.runs, "runs", whatif.DefaultRuns, "runs per case")
	f.Uint64Var(&opts.seed, "seed", 1, "base seed of the runs' traffic")
	f.IntVar(&opts.workers, "workers", 0, "runs at once (default one per CPU)")
	f.StringArrayVar(&opts.sweep, "sweep", nil, "KEY=V1,V2: study every combination of these settings ("+strings.Join(whatif.SweepKeys(), ", ")+")")
	f.BoolVar(&opts.json, "json", false, "print the report as JSON")
	f.StringVar(&opts.report, "report", "", "also write an HTML report with charts to this file")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "no progress (a bar on a terminal, else a line every 10s on stderr)")
	f.StringVar(&opts.shard, "shard", "", "I/N: make only shard I of N of the runs and print them as JSON for fledge whatif merge")
	f.StringVar(&opts.profileFrom, "profile-from", "", "measure the primary's traffic (rps, 5xx, 404, p50, p99) in an OpenMetrics FILE, a TSDB DIR or a Prometheus URL and use it as the profile")
	f.StringVar(&opts.window, "window", defaultProfileWindow, "with --profile-from: how much traffic to measure, up to the last sample (or now)")
	cmd.AddCommand(newWhatifMergeCommand())
	return cmd
}

// study is a what-if study's inputs, flags and file merged.
type study struct {
	options whatif.Options
	axes    []whatif.Axis
}

func runWhatif(ctx context.Context, stdout, stderr io.Writer, flags *pflag.FlagSet, args []string, opts whatifOptions) error {
	opts.measured = stderr
	st, err := whatifStudy(flags, args, opts)
	if err != nil {
		fmt.Fprintln(stderr, "fledge whatif:", err)
		return errBadFile
	}
	if opts.shard != "" {
		return runWhatifShard(ctx, stdout, stderr, st, opts)
	}
	bar := newProgress(stderr, opts.quiet)
	st.options.Progress = bar.update
	start := time.Now()
	if len(st.axes) > 0 {
		rep, err := whatif.Sweep(ctx, st.options, st.axes)
		bar.done(time.Since(start))
		if err != nil {
			return err
		}
		return writeWhatif(stdout, opts, rep, rep.Print)
	}
	res, err := whatif.Run(ctx, st.options)
	bar.done(time.Since(start))
	if err != nil {
		return err
	}
	rep := res.Report()
	return writeWhatif(stdout, opts, rep, rep.Print)
}

// writeWhatif prints the report (as JSON with --json) and writes the HTML
// report when asked.
func writeWhatif(w io.Writer, opts whatifOptions, rep any, printText func(io.Writer) error) error {
	if opts.report != "" {
		if err := writeWhatifHTML(opts.report, rep); err != nil {
			return err
		}
	}
	if !opts.json {
		return printText(w)
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(rep)
}

// whatifStudy merges the file, the flags and the arguments; flags set on
// the command line win over the file.
func whatifStudy(flags *pflag.FlagSet, args []string, opts whatifOptions) (*study, error) {
	canary, sweep, err := whatifArgs(args, opts.sweep)
	if err != nil {
		return nil, err
	}
	regs, err := regressionFlags(opts)
	if err != nil {
		return nil, err
	}
	file := &whatif.File{}
	if opts.file != "" {
		if file, err = whatif.ReadFile(opts.file); err != nil {
			return nil, err
		}
		for i, t := range file.Templates { // relative to the file
			if !filepath.IsAbs(t) {
				file.Templates[i] = filepath.Join(filepath.Dir(opts.file), t)
			}
		}
	}
	mergeFile(file, flags, &opts, &regs)
	if err := regs.Validate(); err != nil {
		return nil, err
	}
	axes, err := axesOf(file, sweep)
	if err != nil {
		return nil, err
	}
	base, err := whatif.LoadBase(whatif.BaseOptions{Canary: canary, Templates: append(file.Templates, opts.templates...),
		Webhooks: file.Webhooks})
	if err != nil {
		return nil, err
	}
	if err := applyMeasuredProfile(context.Background(), opts.measured, flags, &opts, base.Canary); err != nil {
		return nil, err
	}
	o := whatif.Options{Base: base, Profile: opts.profile, Cases: regs.Cases(), Runs: opts.runs, Seed: opts.seed,
		Workers: opts.workers}
	if o.Runs <= 0 {
		return nil, fmt.Errorf("--runs %d: want at least 1", o.Runs)
	}
	if err := o.Profile.Validate(); err != nil {
		return nil, err
	}
	if len(axes) > 0 {
		if err := whatif.CheckSweep(base.Canary, axes); err != nil {
			return nil, err
		}
	}
	return &study{options: o, axes: axes}, nil
}

// whatifArgs splits the arguments into the Canary manifest and the
// KEY=V1,V2 axes, added to those of --sweep.
func whatifArgs(args, sweep []string) (string, []string, error) {
	var canary string
	for _, a := range args {
		switch {
		case strings.Contains(a, "="):
			sweep = append(sweep, a)
		case canary != "":
			return "", nil, fmt.Errorf("one Canary manifest at a time: %q and %q", canary, a)
		default:
			canary = a
		}
	}
	return canary, sweep, nil
}

// mergeFile takes from the file what the command line did not set.
func mergeFile(file *whatif.File, flags *pflag.FlagSet, opts *whatifOptions, regs *whatif.Regressions) {
	fromFile := whatif.DefaultProfile()
	file.Traffic.ApplyTo(&fromFile)
	fileRegs := *regs
	file.Regressions.ApplyTo(&fileRegs)
	take := func(flag string, apply func()) {
		if !flags.Changed(flag) {
			apply()
		}
	}
	p := &opts.profile
	take("rps", func() { p.RPS = fromFile.RPS })
	take("error-rate", func() { p.ErrorRate = fromFile.ErrorRate })
	take("not-found-rate", func() { p.NotFoundRate = fromFile.NotFoundRate })
	take("p50", func() { p.P50 = fromFile.P50 })
	take("p99", func() { p.P99 = fromFile.P99 })
	take("ready-after", func() { p.ReadyAfter = fromFile.ReadyAfter })
	take("loadtester-rps", func() { p.LoadtesterRPS = fromFile.LoadtesterRPS })
	take("errors", func() { regs.Errors = fileRegs.Errors })
	take("latency", func() { regs.Latency = fileRegs.Latency })
	take("not-found", func() { regs.NotFound = fileRegs.NotFound })
	if file.Runs != nil {
		take("runs", func() { opts.runs = *file.Runs })
	}
	if file.Seed != nil {
		take("seed", func() { opts.seed = *file.Seed })
	}
}

func regressionFlags(opts whatifOptions) (whatif.Regressions, error) {
	var regs whatif.Regressions
	var err error
	if regs.Errors, err = whatif.ParsePercents(opts.errors); err != nil {
		return regs, fmt.Errorf("--errors: %w", err)
	}
	if regs.NotFound, err = whatif.ParsePercents(opts.notFound); err != nil {
		return regs, fmt.Errorf("--not-found: %w", err)
	}
	if regs.Latency, err = whatif.ParseDurations(opts.latency); err != nil {
		return regs, fmt.Errorf("--latency: %w", err)
	}
	return regs, nil
}

func axesOf(file *whatif.File, sweep []string) ([]whatif.Axis, error) {
	axes, err := file.Axes()
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	for _, a := range axes {
		seen[a.Key] = true
	}
	for _, s := range sweep {
		ax, err := whatif.ParseAxis(s)
		if err != nil {
			return nil, err
		}
		if seen[ax.Key] {
			return nil, fmt.Errorf("sweep %q: %s is swept twice", s, ax.Key)
		}
		seen[ax.Key] = true
		axes = append(axes, ax)
	}
	return axes, nil
}

// writeWhatifHTML writes the HTML report of a study (*whatif.Report) or a
// sweep (*whatif.SweepReport); errors name the file.
func writeWhatifHTML(name string, rep any) error {
	var page bytes.Buffer
	var err error
	switch r := rep.(type) {
	case *whatif.Report:
		err = whatifreport.Write(&page, r)
	case *whatif.SweepReport:
		err = whatifreport.WriteSweep(&page, r)
	default:
		err = fmt.Errorf("no HTML report for a %T", rep)
	}
	if err == nil {
		err = os.WriteFile(name, page.Bytes(), 0o644)
	}
	if err != nil {
		return fmt.Errorf("--report %s: %w", name, err)
	}
	return nil
}
