package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"strings"

	"github.com/spf13/cobra"

	"github.com/fledge-canary/fledge/scenarios"
	"github.com/fledge-canary/fledge/sim"
	htmlreport "github.com/fledge-canary/fledge/sim/report"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// errBadFile reports an input (a scenario, a manifest) that could not be
// read or used; exit status 2.
var errBadFile = errors.New("bad scenario file")

type simOptions struct {
	adhoc     adhocOptions
	json      bool
	report    string
	bootstrap bool
	quiet     bool
	update    bool
}

func newSimCommand() *cobra.Command {
	var opts simOptions
	cmd := &cobra.Command{
		Use:   "sim [FILE|NAME]...",
		Short: "Replay canary scenarios in virtual time and check their expectations",
		Long: `sim replays each scenario: the canary is bootstrapped, the timeline's actions
run (kubectl set image, watch curl, hey, ...), synthetic traffic becomes the
Prometheus series of the canary's mesh (OSM's, Linkerd's, or Istio's for
gatewayapi:v1), and Fledge's engine judges the canary through its real
adapters (the router of its provider) over fake clientsets. It prints the events with their virtual time,
a kubectl-describe-like status, and whether the expectations held.

A NAME such as tutorial-rollback-500s picks a scenario of the embedded
corpus; with no argument, sim replays tutorial-promote. With --canary, sim
builds a scenario from flags instead: one's own Canary, a new image, traffic
sources and timed commands. Exit status: 0 when every expectation holds, 1
when one fails, 2 for a bad scenario file.`,
		Example: `  fledge sim
  fledge sim tutorial-rollback-500s --report rollback.html
  fledge sim scenarios/*.yaml -q
  fledge sim --canary podinfo-canary.yaml --traffic target=apex,rps=50,500=0.01 \
    --action "2m: watch -n 0.1 curl http://podinfo-canary.test:9898/status/500"`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if opts.adhoc.canary != "" {
				if len(args) > 0 {
					return fmt.Errorf("give scenario files or --canary, not both")
				}
				return runAdhoc(cmd.Context(), cmd.OutOrStdout(), opts)
			}
			if err := adhocFlagsAlone(cmd.Flags()); err != nil {
				return err
			}
			if len(args) == 0 {
				args = []string{"tutorial-promote"}
			}
			return runSim(cmd.Context(), cmd.OutOrStdout(), args, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.json, "json", false, "write the full trace as JSON instead of the text report")
	f.StringVar(&opts.report, "report", "", "also write an HTML report with charts to this file")
	f.BoolVar(&opts.bootstrap, "bootstrap", false, "also print the events of the canary's initialisation")
	f.BoolVarP(&opts.quiet, "quiet", "q", false, "print only the verdict lines")
	f.StringVar(&opts.adhoc.canary, "canary", "", "simulate this Canary manifest (with its MetricTemplates) instead of a scenario file")
	f.StringVar(&opts.adhoc.image, "image", scenario.DefaultImage, "with --canary: the target's image at the start")
	f.StringVar(&opts.adhoc.setImage, "set-image", "podinfod=ghcr.io/stefanprodan/podinfo:6.0.1", "with --canary: the CONTAINER=IMAGE change that starts the analysis")
	f.StringArrayVar(&opts.adhoc.traffic, "traffic", []string{"target=apex,rps=20"}, "with --canary: a traffic source, as target=apex|canary|primary,rps=N,CODE=SHARE,p50=D,p99=D,delay=D,from=D,until=D (repeatable)")
	f.StringArrayVar(&opts.adhoc.actions, "action", nil, "with --canary: a timed command, as \"AT: COMMAND\" (repeatable)")
	f.Uint64Var(&opts.adhoc.seed, "seed", 1, "with --canary: the traffic model's seed")
	f.BoolVar(&opts.update, "update", false, "rewrite each scenario file's expectations with what the run produced (review the diff)")
	return cmd
}

func runSim(ctx context.Context, w io.Writer, args []string, opts simOptions) error {
	var loaded []*scenario.Loaded
	for _, arg := range args {
		l, err := loadScenario(arg)
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			if hint := canaryHint(arg); hint != "" {
				fmt.Fprintln(os.Stderr, hint)
			}
			return errBadFile
		}
		loaded = append(loaded, l)
	}
	return replay(ctx, w, loaded, opts)
}

// runAdhoc replays the scenario that --canary and its flags describe.
func runAdhoc(ctx context.Context, w io.Writer, opts simOptions) error {
	l, err := adhocScenario(opts.adhoc)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return errBadFile
	}
	return replay(ctx, w, []*scenario.Loaded{l}, opts)
}

func replay(ctx context.Context, w io.Writer, loaded []*scenario.Loaded, opts simOptions) error {
	failed := false
	var reports []*simReport
	for _, l := range loaded {
		res, err := sim.Run(ctx, l)
		if err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", l.File, err)
			return errBadFile
		}
		if opts.update {
			if err := updateExpect(l, res); err != nil {
				return err
			}
			fmt.Fprintf(w, "updated %s\n", l.File)
			continue
		}
		failures := sim.Check(l.Expect, res)
		failed = failed || len(failures) > 0
		reports = append(reports, &simReport{Name: l.Name, File: l.File, Seed: l.Seed, Result: res, Failures: failures,
			Expected: sim.HasExpectations(l.Expect), actions: reportActions(l.Actions)})
		if !opts.json {
			printRun(w, l, res, failures, opts)
		}
	}
	if opts.json {
		if err := writeSimJSON(w, reports); err != nil {
			return err
		}
	}
	if opts.report != "" {
		if err := writeReport(opts.report, reports); err != nil {
			return err
		}
	}
	if failed {
		return errInvalid
	}
	return nil
}

// simReport is one replay in --json output and the HTML report.
type simReport struct {
	Name     string        `json:"name"`
	File     string        `json:"file"`
	Seed     uint64        `json:"seed"`
	Result   *sim.Result   `json:"result"`
	Failures []sim.Failure `json:"failures"`
	// Expected is false for a run without expectations: it neither passes
	// nor fails.
	Expected bool `json:"expected"`
	// actions are the timeline the HTML report draws.
	actions []htmlreport.Action
}

// reportActions are a scenario's actions as the HTML report draws them.
func reportActions(actions []scenario.Action) []htmlreport.Action {
	out := make([]htmlreport.Action, len(actions))
	for i, a := range actions {
		out[i] = htmlreport.Action{At: a.At.D(), Text: actionText(a)}
	}
	return out
}

// actionText says what an action does, in the scenario's words.
func actionText(a scenario.Action) string {
	switch {
	case a.Run != "":
		return a.Run
	case a.Stop != "":
		return "stop " + a.Stop
	case a.SetImage != "":
		return "set image " + a.SetImage
	case a.Traffic != nil:
		return fmt.Sprintf("start traffic %s: %g rps to %s", a.Traffic.Name, a.Traffic.RPS, a.Traffic.Target)
	case a.Webhook != nil:
		return fmt.Sprintf("webhook %s answers %s", a.Webhook.Name, a.Webhook.Reply)
	case a.Metric != nil:
		return "metric " + metricText(a.Metric)
	case a.Stall != "":
		return "stall the " + a.Stall + " rollout"
	case a.Apply != nil && a.Apply.Path != "":
		return "kubectl apply -f " + a.Apply.Path
	case a.Apply != nil:
		return "kubectl patch canary --type merge -p " + strings.TrimSpace(string(a.Apply.Inline))
	case a.Delete != "":
		return "kubectl delete " + a.Delete
	}
	return "action"
}

func metricText(m *scenario.MetricValue) string {
	switch {
	case m.NoData:
		return m.Name + " returns no data"
	case m.Model:
		return m.Name + " follows the traffic again"
	case m.Value != nil:
		return fmt.Sprintf("%s returns %g", m.Name, *m.Value)
	}
	return m.Name
}

func printRun(w io.Writer, l *scenario.Loaded, res *sim.Result, failures []sim.Failure, opts simOptions) {
	if !opts.quiet {
		fmt.Fprintf(w, "# %s (%s, seed %d)\n", l.Name, l.File, l.Seed)
		sim.Print(w, res, opts.bootstrap)
		fmt.Fprintln(w)
	}
	fmt.Fprintln(w, sim.Summary(l.Name, res, failures, sim.HasExpectations(l.Expect)))
}

// loadScenario reads a scenario file, or a scenario of the embedded corpus by name.
func loadScenario(arg string) (*scenario.Loaded, error) {
	if _, err := os.Stat(arg); err == nil || strings.ContainsAny(arg, "/.") {
		return scenario.Load(arg)
	}
	name := arg + ".yaml"
	if _, err := fs.Stat(scenarios.FS, name); err != nil {
		return nil, fmt.Errorf("%s: no such file, and no scenario of that name in the corpus", arg)
	}
	return scenario.LoadFS(scenarios.FS, name, "scenarios/"+name)
}

func writeReport(path string, reports []*simReport) error {
	runs := make([]htmlreport.Run, len(reports))
	for i, r := range reports {
		runs[i] = htmlreport.Run{Name: r.Name, File: r.File, Seed: r.Seed, Result: r.Result, Failures: r.Failures,
			NoExpectations: !r.Expected, Actions: r.actions}
	}
	var page strings.Builder
	if err := htmlreport.Write(&page, runs); err != nil {
		return fmt.Errorf("--report %s: %w", path, err)
	}
	if err := os.WriteFile(path, []byte(page.String()), 0o644); err != nil {
		return fmt.Errorf("--report %s: %w", path, err)
	}
	return nil
}

// updateExpect rewrites a scenario file's expectations from a run.
func updateExpect(l *scenario.Loaded, res *sim.Result) error {
	out, err := l.UpdateExpect(scenario.Observed{
		Phase: string(res.Status.Phase), Weights: res.Weights(), FailedChecks: res.MaxFailedChecks(), Events: res.Messages(),
		Bootstrap: res.BootstrapMessages(), Alerts: res.AlertLines(),
	})
	if err != nil {
		return err
	}
	if _, err := os.Stat(l.File); err != nil {
		return fmt.Errorf("--update needs a scenario file on disk: %w", err)
	}
	return os.WriteFile(l.File, out, 0o644)
}
