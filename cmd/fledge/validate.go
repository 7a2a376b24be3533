package main

import (
	"fmt"
	"io"
	"os"

	"github.com/spf13/cobra"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

func newValidateCommand() *cobra.Command {
	var opts v1.ValidationOptions
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check Canary and MetricTemplate manifests against Fledge's defaults and rules",
		Long: `validate decodes every Canary and MetricTemplate in the given YAML files and
reports each problem with its field path, one per line. Warnings mark fields
that OSM ignores or that Fledge defaults where Flagger would misbehave.
The exit status is 1 when any manifest has an error.`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			if !validateFiles(cmd.OutOrStdout(), files, opts) {
				return errInvalid
			}
			return nil
		},
	}
	cmd.Flags().BoolVar(&opts.NoCrossNamespaceRefs, "no-cross-namespace-refs", false,
		"reject templateRef and providerRef in another namespace, like Flagger's flag of that name")
	return cmd
}

// validateFiles prints a report for every manifest in files and returns
// whether all of them are valid.
func validateFiles(w io.Writer, files []string, opts v1.ValidationOptions) bool {
	ok := true
	for _, f := range files {
		ok = validateFile(w, f, opts) && ok
	}
	return ok
}

func validateFile(w io.Writer, file string, opts v1.ValidationOptions) bool {
	data, err := os.ReadFile(file)
	if err != nil {
		fmt.Fprintf(w, "%s: error: %v\n", file, err)
		return false
	}
	m, err := v1.Decode(data)
	if err != nil {
		fmt.Fprintf(w, "%s: error: %v\n", file, err)
		return false
	}
	for _, u := range v1.UnknownFields(data) {
		fmt.Fprintf(w, "%s: warning: %s\n", file, u)
	}
	if len(m.Canaries)+len(m.MetricTemplates) == 0 {
		fmt.Fprintf(w, "%s: error: no Canary or MetricTemplate found\n", file)
		return false
	}
	ok := true
	for i := range m.Canaries {
		cd := &m.Canaries[i]
		errs, warnings := cd.Validate(opts)
		ok = report(w, fmt.Sprintf("%s: Canary %s/%s", file, cd.Namespace, cd.Name), errs, warnings) && ok
	}
	for i := range m.MetricTemplates {
		t := &m.MetricTemplates[i]
		ok = report(w, fmt.Sprintf("%s: MetricTemplate %s/%s", file, t.Namespace, t.Name), t.Validate(), nil) && ok
	}
	return ok
}

func report(w io.Writer, subject string, errs, warnings v1.FieldErrors) bool {
	for _, e := range errs {
		fmt.Fprintf(w, "%s: error: %s\n", subject, e)
	}
	for _, e := range warnings {
		fmt.Fprintf(w, "%s: warning: %s\n", subject, e)
	}
	if len(errs) == 0 {
		fmt.Fprintf(w, "%s: valid\n", subject)
	}
	return len(errs) == 0
}
