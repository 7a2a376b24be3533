// Command fledge is Fledge's command-line tool: it validates Canary and
// MetricTemplate manifests (validate), replays canary scenarios in virtual
// time (sim), and studies a Canary spec over many seeded runs before it
// ships (whatif). `fledge version` and `fledge --version` print its version.
package main

import (
	"errors"
	"fmt"
	"os"
	"runtime/debug"

	"github.com/spf13/cobra"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/trace/noop"

	"github.com/fledge-canary/fledge/internal/version"
)

// errInvalid reports that validation found problems; they are already printed.
var errInvalid = errors.New("invalid manifests")

func main() {
	// Studies, sweeps and replays allocate much and keep little: collect
	// less often. Set here, for the process, not by the code tests call.
	debug.SetGCPercent(400)
	// Nothing traces the embedded PromQL engine: its spans go to the no-op
	// tracer, as in a Prometheus server without tracing configured, instead
	// of being built for a global provider that nobody installs.
	otel.SetTracerProvider(noop.NewTracerProvider())
	if err := newRootCommand().Execute(); err != nil {
		switch {
		case errors.Is(err, errBadFile):
			os.Exit(2)
		case !errors.Is(err, errInvalid):
			fmt.Fprintln(os.Stderr, "fledge:", err)
		}
		os.Exit(1)
	}
}

func newRootCommand() *cobra.Command {
	root := &cobra.Command{
		Use:           "fledge",
		Short:         "Fledge: Flagger-compatible canary analysis for Open Service Mesh",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version.String(),
	}
	root.SetVersionTemplate(versionLine("{{.Version}}"))
	root.AddCommand(newValidateCommand(), newSimCommand(), newWhatifCommand(), newVersionCommand(), newReplayCommand())
	return root
}
