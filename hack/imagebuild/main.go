package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"

	"github.com/google/go-containerregistry/pkg/name"
)

// defaultVersionSymbol is the variable of Fledge's version package that
// the linker stamps (internal/version.Symbol in the main module).
const defaultVersionSymbol = "github.com/fledge-canary/fledge/internal/version.stamp"

// options say what to build and where.
type options struct {
	repoRoot      string   // the main module's root
	binary        string   // the command's name: the package is ./cmd/BINARY
	platforms     []string // os/arch pairs, such as linux/amd64
	out           string   // output directory
	repository    string   // image name the tags and annotations carry
	source        string   // org.opencontainers.image.source
	caFile        string   // CA bundle copied into the image when present
	versionSymbol string   // -X target of the version stamp
	version       string   // empty: git describe --tags --always --dirty
	revision      string   // empty: git rev-parse HEAD
	epoch         string   // SOURCE_DATE_EPOCH; empty: the commit time
}

func main() {
	if err := mainErr(); err != nil {
		if !errors.Is(err, flag.ErrHelp) {
			fmt.Fprintln(os.Stderr, "imagebuild:", err)
		}
		os.Exit(2)
	}
}

func mainErr() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts, err := parseFlags(os.Args[1:], os.Stderr)
	if err != nil {
		return err
	}
	return run(ctx, opts, os.Stdout)
}

func parseFlags(args []string, stderr io.Writer) (*options, error) {
	o := &options{}
	fs := flag.NewFlagSet("imagebuild", flag.ContinueOnError)
	fs.SetOutput(stderr)
	var platforms string
	fs.StringVar(&o.repoRoot, "C", ".", "root of the Fledge module to build from")
	fs.StringVar(&o.binary, "binary", "fledge-controller", "command to package: builds ./cmd/BINARY")
	fs.StringVar(&platforms, "platforms", "linux/amd64,linux/arm64", "comma-separated os/arch platforms")
	fs.StringVar(&o.out, "out", "bin", "output directory (relative to -C)")
	fs.StringVar(&o.repository, "repository", "", "image repository named in the tars and annotations (default ghcr.io/fledge-canary/BINARY)")
	fs.StringVar(&o.source, "source", "https://github.com/fledge-canary/fledge", "org.opencontainers.image.source label")
	fs.StringVar(&o.caFile, "ca-certificates", "/etc/ssl/certs/ca-certificates.crt", "CA bundle to copy into the image (skipped with a warning when missing)")
	fs.StringVar(&o.versionSymbol, "version-symbol", defaultVersionSymbol, "variable the linker stamps with the version")
	fs.StringVar(&o.version, "version", "", "version to stamp (default: git describe --tags --always --dirty, else dev)")
	fs.StringVar(&o.revision, "revision", "", "org.opencontainers.image.revision label (default: git rev-parse HEAD)")
	fs.StringVar(&o.epoch, "source-date-epoch", os.Getenv("SOURCE_DATE_EPOCH"), "Unix time of every timestamp (default $SOURCE_DATE_EPOCH, else the commit time)")
	if err := fs.Parse(args); err != nil {
		return nil, err
	}
	if fs.NArg() > 0 {
		return nil, fmt.Errorf("unexpected arguments %q: every input is a flag", fs.Args())
	}
	var err error
	if o.platforms, err = parsePlatforms(platforms); err != nil {
		return nil, err
	}
	if !validBinaryName(o.binary) {
		return nil, fmt.Errorf("-binary=%q: want a command name under cmd/, such as fledge-controller", o.binary)
	}
	if o.repository == "" {
		o.repository = "ghcr.io/fledge-canary/" + o.binary
	}
	if _, err := name.NewRepository(o.repository); err != nil {
		return nil, fmt.Errorf("-repository=%s: %w", o.repository, err)
	}
	return o, nil
}

// parsePlatforms splits "linux/amd64,linux/arm64" and refuses anything but
// linux/ARCH pairs, the only images Fledge ships.
func parsePlatforms(s string) ([]string, error) {
	var out []string
	seen := map[string]bool{}
	for _, p := range strings.Split(s, ",") {
		p = strings.TrimSpace(p)
		osName, arch, ok := strings.Cut(p, "/")
		if !ok || osName != "linux" || arch == "" || strings.Contains(arch, "/") {
			return nil, fmt.Errorf("-platforms: %q is not linux/ARCH (such as linux/amd64)", p)
		}
		if !seen[p] {
			seen[p] = true
			out = append(out, p)
		}
	}
	return out, nil
}

func validBinaryName(name string) bool {
	if name == "" || name == "." || name == ".." {
		return false
	}
	return !strings.ContainsAny(name, `/\ `)
}
