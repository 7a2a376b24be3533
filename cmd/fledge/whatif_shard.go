package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	"github.com/fledge-canary/fledge/sim/whatif"
)

// runWhatifShard makes the runs of one shard of the study and prints its
// part as JSON, for fledge whatif merge. A bad --shard is a bad input
// (errBadFile, exit status 2).
func runWhatifShard(ctx context.Context, w, stderr io.Writer, st *study, opts whatifOptions) error {
	shard, err := whatif.ParseShard(opts.shard)
	if err == nil && opts.report != "" {
		err = fmt.Errorf("--shard prints a part of the study as JSON; write the report with fledge whatif merge --report")
	}
	if err != nil {
		fmt.Fprintln(stderr, "fledge whatif: --shard:", err)
		return errBadFile
	}
	part, err := whatif.RunShard(ctx, st.options, st.axes, shard)
	if err != nil {
		return err
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(part)
}

func newWhatifMergeCommand() *cobra.Command {
	var opts whatifOptions
	cmd := &cobra.Command{
		Use:   "merge PART.json...",
		Short: "Join the parts of a sharded what-if study into its report",
		Long: `merge reads the parts that fledge whatif --shard I/N wrote, one per shard of
the same study (same Canary, traffic, cases, runs, seed and sweep), and
prints the report that one process would have printed: the same bytes with
--json. Exit status 2 when a part is missing, given twice, or of another study.`,
		Example: `  for i in 0 1 2 3; do fledge whatif --sweep threshold=2,5,10 --shard $i/4 --json > part-$i.json & done; wait
  fledge whatif merge part-*.json --report sweep.html`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			rep, err := mergeParts(files)
			if err != nil {
				fmt.Fprintln(cmd.ErrOrStderr(), "fledge whatif:", err)
				return errBadFile
			}
			switch r := rep.(type) {
			case *whatif.Report:
				return writeWhatif(cmd.OutOrStdout(), opts, r, r.Print)
			case *whatif.SweepReport:
				return writeWhatif(cmd.OutOrStdout(), opts, r, r.Print)
			}
			return fmt.Errorf("merge: unexpected report %T", rep)
		},
	}
	cmd.Flags().BoolVar(&opts.json, "json", false, "print the report as JSON")
	cmd.Flags().StringVar(&opts.report, "report", "", "also write an HTML report with charts to this file")
	return cmd
}

// mergeParts reads the part files and merges them.
func mergeParts(files []string) (any, error) {
	parts := make([]*whatif.Part, len(files))
	for i, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var p whatif.Part
		if err := json.Unmarshal(data, &p); err != nil {
			return nil, fmt.Errorf("%s: not a part of a what-if study: %w", f, err)
		}
		parts[i] = &p
	}
	return whatif.Merge(parts)
}
