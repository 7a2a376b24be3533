package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	corev1 "k8s.io/api/core/v1"

	recorded "github.com/fledge-canary/fledge/sim/replay"
	htmlreport "github.com/fledge-canary/fledge/sim/report"
	"github.com/fledge-canary/fledge/sim/scenario"
	"github.com/fledge-canary/fledge/sim/whatif"
)

// replayOptions are the flags of fledge replay.
type replayOptions struct {
	data, tsdb, prometheus string
	secret                 string
	start, end             string
	templates              []string
	webhooks               []string
	readyAfter             time.Duration
	json                   bool
	report                 string
}

func newReplayCommand() *cobra.Command {
	var opts replayOptions
	cmd := &cobra.Command{
		Use:   "replay [CANARY.yaml] (--data FILE | --tsdb DIR | --prometheus URL --start T --end T)",
		Short: "Run a Canary's analysis over recorded Prometheus data and show what it would have decided",
		Long: `replay runs the analysis of a Canary over recorded Prometheus series, tick by
tick, with Fledge's engine and the same queries and MetricTemplates as the
controller: the events with their times, every check (rendered query, value,
bounds, verdict) and the tick at which it would have promoted or rolled back.

The recording is OpenMetrics text with timestamps (--data, as promtool tsdb
dump-openmetrics writes it), a Prometheus TSDB directory or snapshot (--tsdb,
opened read-only) or a live Prometheus read through its remote-read API
(--prometheus with --start and --end). --start is when the new revision was
detected (default: the first sample of the canary's series).

A replay cannot change the past: the traffic split in the recording is the
one that happened, not the one this spec would have set, so the recorded
canary share is printed beside the spec's weight on every tick. Webhooks are
not called; they pass unless --webhook NAME=fail.

Without arguments, replay runs the embedded recording of the simulated OSM
tutorial's rollback on HTTP 500s. Exit status: 0, or 2 for bad input.`,
		Example: `  fledge replay
  fledge replay podinfo-canary.yaml --data rollout.om --start 2026-11-24T09:12:00Z
  fledge replay podinfo-canary.yaml --tsdb /prometheus/snapshots/20261124T101500Z-4a1b
  fledge replay podinfo-canary.yaml --prometheus http://localhost:9090 \
    --start 2026-11-24T09:12:00Z --end 2026-11-24T09:40:00Z --report replay.html`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			res, err := runReplay(cmd.Context(), args, opts)
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "fledge replay:", err)
				return errBadFile
			}
			return writeReplay(cmd.OutOrStdout(), res, opts)
		},
	}
	f := cmd.Flags()
	f.StringVar(&opts.data, "data", "", "an OpenMetrics file with timestamps (promtool tsdb dump-openmetrics)")
	f.StringVar(&opts.tsdb, "tsdb", "", "a Prometheus TSDB directory or snapshot, opened read-only")
	f.StringVar(&opts.prometheus, "prometheus", "", "a Prometheus to read through its remote-read API (needs --start and --end)")
	f.StringVar(&opts.secret, "secret", "", "with --prometheus: a Secret manifest with token, or username and password, as a MetricTemplate provider's secretRef")
	f.StringVar(&opts.start, "start", "", "when the new revision was detected: RFC 3339 or Unix seconds (default the first sample)")
	f.StringVar(&opts.end, "end", "", "the last tick: RFC 3339 or Unix seconds (default the last sample)")
	f.StringArrayVar(&opts.templates, "template", nil, "a MetricTemplate manifest the Canary refers to (repeatable)")
	f.StringArrayVar(&opts.webhooks, "webhook", nil, "NAME=pass|fail: what a webhook is assumed to have answered (default pass; repeatable)")
	f.DurationVar(&opts.readyAfter, "ready-after", scenario.DefaultReadyAfter, "how long a Deployment is assumed to take to roll out")
	f.BoolVar(&opts.json, "json", false, "print the replay as JSON")
	f.StringVar(&opts.report, "report", "", "also write an HTML report with charts to this file")
	return cmd
}

// runReplay reads the inputs and replays.
func runReplay(ctx context.Context, args []string, opts replayOptions) (*recorded.Result, error) {
	if len(args) == 0 && opts.data == "" && opts.tsdb == "" && opts.prometheus == "" {
		return replayTutorial(ctx, opts)
	}
	if len(args) == 0 {
		return nil, fmt.Errorf("give the Canary manifest to replay (fledge replay CANARY.yaml --data FILE)")
	}
	l, err := replayBase(args[0], opts)
	if err != nil {
		return nil, err
	}
	o := recorded.Options{Loaded: l}
	if o.Start, err = parseTime("--start", opts.start); err != nil {
		return nil, err
	}
	if o.End, err = parseTime("--end", opts.end); err != nil {
		return nil, err
	}
	if o.Queries, err = recorded.QueriesOf(l.Canary, l.Templates); err != nil {
		return nil, err
	}
	if o.Recording, err = readRecording(ctx, opts, o); err != nil {
		return nil, err
	}
	return recorded.Run(ctx, o)
}

// replayTutorial replays the embedded recording.
func replayTutorial(ctx context.Context, opts replayOptions) (*recorded.Result, error) {
	if opts.start != "" || opts.end != "" || len(opts.templates) > 0 || len(opts.webhooks) > 0 || opts.secret != "" ||
		opts.readyAfter != scenario.DefaultReadyAfter {
		return nil, fmt.Errorf("the embedded recording takes no --start, --end, --template, --webhook, --secret or --ready-after: " +
			"give a Canary and --data, --tsdb or --prometheus")
	}
	rec, l, start, err := recorded.Tutorial()
	if err != nil {
		return nil, err
	}
	qs, err := recorded.QueriesOf(l.Canary, l.Templates)
	if err != nil {
		return nil, err
	}
	return recorded.Run(ctx, recorded.Options{Loaded: l, Queries: qs, Recording: rec, Start: start})
}

// replayBase loads the Canary, its templates and the assumed webhook replies.
func replayBase(canary string, opts replayOptions) (*scenario.Loaded, error) {
	hooks := map[string]scenario.Reply{}
	for _, w := range opts.webhooks {
		name, reply, ok := strings.Cut(w, "=")
		if _, _, err := scenario.Reply(reply).Parse(); !ok || name == "" || err != nil {
			return nil, fmt.Errorf("--webhook %q: want NAME=pass or NAME=fail", w)
		}
		hooks[name] = scenario.Reply(reply)
	}
	l, err := whatif.LoadBase(whatif.BaseOptions{Canary: canary, Templates: opts.templates, Webhooks: hooks})
	if err != nil {
		return nil, err
	}
	for name := range hooks {
		if !hasWebhook(l, name) {
			return nil, fmt.Errorf("--webhook %s: the Canary has no webhook of that name", name)
		}
	}
	l.Cluster.ReadyAfter = scenario.Duration(opts.readyAfter)
	return l, nil
}

func hasWebhook(l *scenario.Loaded, name string) bool {
	for _, h := range l.Canary.GetAnalysis().Webhooks {
		if h.Name == name {
			return true
		}
	}
	return false
}

// readRecording reads the one source the flags name.
func readRecording(ctx context.Context, opts replayOptions, o recorded.Options) (*recorded.Recording, error) {
	n := 0
	for _, s := range []string{opts.data, opts.tsdb, opts.prometheus} {
		if s != "" {
			n++
		}
	}
	if n != 1 {
		return nil, fmt.Errorf("give exactly one of --data FILE, --tsdb DIR and --prometheus URL")
	}
	window := recorded.All
	if !o.Start.IsZero() && !o.End.IsZero() {
		window = recorded.WindowOf(o.Start.Add(-o.Queries.Margin()), o.End)
	}
	switch {
	case opts.data != "":
		return recorded.FromOpenMetrics(opts.data)
	case opts.tsdb != "":
		return recorded.FromTSDB(ctx, opts.tsdb, o.Queries.Selectors(), window)
	}
	if o.Start.IsZero() || o.End.IsZero() {
		return nil, fmt.Errorf("--prometheus needs --start and --end")
	}
	remote := recorded.RemoteOptions{URL: opts.prometheus}
	if opts.secret != "" {
		if err := readSecret(opts.secret, &remote); err != nil {
			return nil, err
		}
	}
	return recorded.FromPrometheus(ctx, remote, o.Queries.Selectors(), window)
}

// readSecret reads credentials from a Secret manifest: token, else
// username and password, as a MetricTemplate provider's secretRef.
func readSecret(file string, o *recorded.RemoteOptions) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return fmt.Errorf("--secret: %w", err)
	}
	var s corev1.Secret
	if err := yaml.UnmarshalStrict(data, &s); err != nil {
		return fmt.Errorf("--secret %s: %w", file, err)
	}
	value := func(key string) string {
		if v, ok := s.StringData[key]; ok {
			return strings.TrimSpace(v)
		}
		return strings.TrimSpace(string(s.Data[key]))
	}
	o.BearerToken, o.Username, o.Password = value("token"), value("username"), value("password")
	if o.BearerToken == "" && (o.Username == "" || o.Password == "") {
		return fmt.Errorf("--secret %s has neither token nor username and password", file)
	}
	return nil
}

// parseTime reads RFC 3339 or Unix seconds; empty is the zero time.
func parseTime(flag, s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.UTC(), nil
	}
	if secs, err := strconv.ParseFloat(s, 64); err == nil {
		return time.UnixMilli(int64(secs * 1000)).UTC(), nil
	}
	return time.Time{}, fmt.Errorf("%s %q: want RFC 3339 (2026-11-24T09:12:00Z) or Unix seconds", flag, s)
}

// writeReplay prints the replay (as JSON with --json) and writes the HTML
// report when asked.
func writeReplay(w io.Writer, res *recorded.Result, opts replayOptions) error {
	if opts.report != "" {
		var page strings.Builder
		run := htmlreport.Run{Name: "replay of " + res.Canary, File: res.Source, Result: res.Run, Replay: res.OutcomeLine()}
		if err := htmlreport.Write(&page, []htmlreport.Run{run}); err != nil {
			return fmt.Errorf("--report %s: %w", opts.report, err)
		}
		if err := os.WriteFile(opts.report, []byte(page.String()), 0o644); err != nil {
			return fmt.Errorf("--report %s: %w", opts.report, err)
		}
	}
	if !opts.json {
		recorded.Print(w, res)
		return nil
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(res)
}
