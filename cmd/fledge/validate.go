package main

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"os"
	"slices"
	"strings"

	"github.com/spf13/cobra"
	"sigs.k8s.io/yaml"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// validateOptions are the flags of fledge validate.
type validateOptions struct {
	rules  v1.ValidationOptions
	strict bool
	output string
	stdin  io.Reader
}

func newValidateCommand() *cobra.Command {
	opts := validateOptions{stdin: os.Stdin}
	cmd := &cobra.Command{
		Use:   "validate FILE...",
		Short: "Check Canary, MetricTemplate and AlertProvider manifests against Fledge's defaults and rules",
		Long: `validate decodes every Canary, MetricTemplate and AlertProvider in the given YAML files ("-"
reads standard input) and reports each problem as FILE:LINE, the object, and
the field's path. Documents of other kinds (a Deployment, a ConfigMap) are
skipped and counted. What the API server would drop or refuse (unknown or
misspelt fields, keys given twice, a number where a string belongs) is an
error, as with kubectl; --strict=false makes it a warning. A value that
cannot be read at all ("five" for a number) is always an error. Warnings
also mark fields that OSM ignores or that Fledge defaults where Flagger
would misbehave.

Exit status: 0 when every manifest is valid, 1 when any has an error, 2 when
a file cannot be read.`,
		Example: `  fledge validate podinfo-canary.yaml
  kubectl kustomize overlays/prod | fledge validate -
  fledge validate --strict=false -o json manifests/*.yaml`,
		Args: cobra.MinimumNArgs(1),
		RunE: func(cmd *cobra.Command, files []string) error {
			return runValidate(cmd.OutOrStdout(), files, opts)
		},
	}
	f := cmd.Flags()
	f.BoolVar(&opts.rules.NoCrossNamespaceRefs, "no-cross-namespace-refs", false,
		"reject templateRef and providerRef in another namespace, like Flagger's flag of that name")
	f.StringVar(&opts.rules.MeshProvider, "mesh-provider", v1.ProviderOSM,
		"the controller's -mesh-provider: the provider of Canaries without spec.provider (osm, linkerd or gatewayapi:v1)")
	f.BoolVar(&opts.strict, "strict", true, "unknown fields, keys given twice and numbers where strings belong are errors (false: warnings)")
	f.StringVarP(&opts.output, "output", "o", "text", "text, json or yaml: the findings as lines or as one document")
	return cmd
}

// runValidate checks the files and prints the findings; errInvalid for
// an invalid manifest, errBadFile for a file that cannot be read.
func runValidate(w io.Writer, files []string, opts validateOptions) error {
	if opts.output != "text" && opts.output != "json" && opts.output != "yaml" {
		return fmt.Errorf("--output %q: want text, json or yaml", opts.output)
	}
	if p := opts.rules.MeshProvider; p != "" {
		if err := v1.ValidateMeshProvider(p); err != nil {
			return fmt.Errorf("--mesh-provider: %w", err)
		}
	}
	rep := validateReport{Valid: true}
	for _, f := range files {
		fr := validateFile(f, opts)
		rep.Valid = rep.Valid && fr.Valid
		rep.unreadable = rep.unreadable || fr.unreadable
		rep.Files = append(rep.Files, fr)
	}
	if err := rep.write(w, opts.output); err != nil {
		return err
	}
	switch {
	case rep.unreadable:
		return errBadFile
	case !rep.Valid:
		return errInvalid
	}
	return nil
}

// validateReport is what validate found, as -o json and -o yaml print it.
type validateReport struct {
	Valid      bool         `json:"valid"`
	Files      []fileReport `json:"files"`
	unreadable bool
}

// fileReport is one input's objects, skipped documents and findings.
type fileReport struct {
	File     string         `json:"file"`
	Valid    bool           `json:"valid"`
	Objects  []objectReport `json:"objects"`
	Skipped  map[string]int `json:"skipped,omitempty"`
	Findings []finding      `json:"findings"`
	// unreadable is set when the file could not be read.
	unreadable bool
}

// objectReport is a Canary, MetricTemplate or AlertProvider found in a file.
type objectReport struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace"`
	Name      string `json:"name"`
	Line      int    `json:"line"`
	Valid     bool   `json:"valid"`
}

// finding is one error or warning, at a line of a file.
type finding struct {
	Line     int    `json:"line,omitempty"`
	Object   string `json:"object,omitempty"`
	Severity string `json:"severity"`
	Field    string `json:"field,omitempty"`
	Message  string `json:"message"`
}

const (
	severityError   = "error"
	severityWarning = "warning"
)

// displayName is how findings name an input.
func displayName(file string) string {
	if file == "-" {
		return "<stdin>"
	}
	return file
}

func validateFile(file string, opts validateOptions) fileReport {
	fr := fileReport{File: displayName(file), Valid: true, Objects: []objectReport{}, Findings: []finding{}}
	var data []byte
	var err error
	if file == "-" {
		data, err = io.ReadAll(opts.stdin)
	} else {
		data, err = os.ReadFile(file)
	}
	if err != nil {
		fr.Valid, fr.unreadable = false, true
		fr.add("", severityError, v1.Problem{Reason: err.Error()})
		return fr
	}
	for _, d := range v1.Documents(data) {
		fr.addDocument(&d, opts)
	}
	if len(fr.Objects) == 0 && fr.Valid {
		fr.Valid = false
		fr.add("", severityError, v1.Problem{Reason: "no Canary, MetricTemplate or AlertProvider found" + fr.skippedText()})
	}
	return fr
}

func (fr *fileReport) add(object, severity string, p v1.Problem) {
	fr.Findings = append(fr.Findings, finding{Line: p.Line, Object: object, Severity: severity, Field: p.Path, Message: p.Reason})
	if severity == severityError {
		fr.Valid = false
	}
}

// addDocument reports one document: skipped, unreadable, or checked.
func (fr *fileReport) addDocument(d *v1.Document, opts validateOptions) {
	if d.Skipped() {
		if fr.Skipped == nil {
			fr.Skipped = map[string]int{}
		}
		fr.Skipped[d.TypeMeta.Kind]++
		return
	}
	strictSeverity := severityError
	if !opts.strict {
		strictSeverity = severityWarning
	}
	obj := objectReport{Kind: d.TypeMeta.Kind, Line: d.Line}
	obj.Namespace, obj.Name = d.Object()
	var errs, warns v1.FieldErrors
	switch {
	case d.Canary != nil:
		errs, warns = d.Canary.Validate(opts.rules)
	case d.MetricTemplate != nil:
		errs = d.MetricTemplate.Validate()
	case d.AlertProvider != nil:
		errs = d.AlertProvider.Validate()
	}
	subject := objectName(d, obj)
	before := len(fr.Findings)
	report := func(severity string, ps []v1.Problem) {
		for _, p := range ps {
			fr.add(subject, severity, p)
		}
	}
	report(severityError, d.Errors)
	report(strictSeverity, d.Strict)
	report(severityError, located(d, errs))
	report(severityWarning, d.Warnings)
	report(severityWarning, located(d, warns))
	added := fr.Findings[before:]
	slices.SortStableFunc(added, func(a, b finding) int { return a.Line - b.Line })
	obj.Valid = !hasError(added)
	if d.Canary != nil || d.MetricTemplate != nil || d.AlertProvider != nil {
		fr.Objects = append(fr.Objects, obj)
	}
}

// objectName is "Canary test/podinfo", or "document 2" when it has no
// kind or name.
func objectName(d *v1.Document, obj objectReport) string {
	if obj.Kind == "" || obj.Name == "" {
		return fmt.Sprintf("document %d", d.Number)
	}
	return fmt.Sprintf("%s %s/%s", obj.Kind, obj.Namespace, obj.Name)
}

// located gives Validate's field errors the lines of their fields.
func located(d *v1.Document, es v1.FieldErrors) []v1.Problem {
	out := make([]v1.Problem, len(es))
	for i, e := range es {
		out[i] = v1.Problem{Line: d.LineOf(e.Path), Path: e.Path, Reason: e.Reason}
	}
	return out
}

func hasError(fs []finding) bool {
	return slices.ContainsFunc(fs, func(f finding) bool { return f.Severity == severityError })
}

// skippedText is ", skipped 1 ConfigMap, 2 Services" or "".
func (fr *fileReport) skippedText() string {
	if len(fr.Skipped) == 0 {
		return ""
	}
	var parts []string
	for _, kind := range slices.Sorted(maps.Keys(fr.Skipped)) {
		n := fr.Skipped[kind]
		if n > 1 {
			kind += "s"
		}
		parts = append(parts, fmt.Sprintf("%d %s", n, kind))
	}
	return " (skipped " + strings.Join(parts, ", ") + ")"
}

func (rep *validateReport) write(w io.Writer, format string) error {
	switch format {
	case "json":
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(rep)
	case "yaml":
		out, err := yaml.Marshal(rep)
		if err != nil {
			return err
		}
		_, err = w.Write(out)
		return err
	}
	for i := range rep.Files {
		rep.Files[i].writeText(w)
	}
	return nil
}

// writeText prints FILE:LINE: OBJECT: SEVERITY: FIELD: MESSAGE lines, a
// "valid" line per valid object and the documents skipped.
func (fr *fileReport) writeText(w io.Writer) {
	for _, f := range fr.Findings {
		loc := fr.File
		if f.Line > 0 {
			loc = fmt.Sprintf("%s:%d", fr.File, f.Line)
		}
		if f.Object != "" {
			loc += ": " + f.Object
		}
		msg := f.Message
		if f.Field != "" {
			msg = f.Field + ": " + msg
		}
		fmt.Fprintf(w, "%s: %s: %s\n", loc, f.Severity, msg)
	}
	for _, o := range fr.Objects {
		if o.Valid {
			fmt.Fprintf(w, "%s:%d: %s %s/%s: valid\n", fr.File, o.Line, o.Kind, o.Namespace, o.Name)
		}
	}
	if s := fr.skippedText(); s != "" && len(fr.Objects) > 0 {
		fmt.Fprintf(w, "%s: %s\n", fr.File, strings.Trim(s, " ()"))
	}
}
