package main

import (
	"fmt"

	"github.com/spf13/cobra"

	"github.com/fledge-canary/fledge/internal/version"
)

// versionLine is what `fledge version` and `fledge --version` print.
func versionLine(v string) string {
	return "fledge version " + v + "\n"
}

func newVersionCommand() *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print fledge's version (stamped at build time from git describe)",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			_, err := fmt.Fprint(cmd.OutOrStdout(), versionLine(version.String()))
			return err
		},
	}
}
