package main

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/spf13/pflag"
	"go.yaml.in/yaml/v3"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/sim/scenario"
)

// adhocOptions describe a scenario built from flags: one's own Canary
// against a traffic profile, without a scenario file.
type adhocOptions struct {
	canary   string
	image    string
	setImage string
	traffic  []string
	actions  []string
	seed     uint64
}

// adhocScenario builds the scenario the flags describe.
func adhocScenario(o adhocOptions) (*scenario.Loaded, error) {
	doc := map[string]any{
		"version": scenario.Version,
		"name":    strings.TrimSuffix(filepath.Base(o.canary), filepath.Ext(o.canary)),
		"seed":    o.seed,
		"canary":  filepath.Base(o.canary),
		"cluster": map[string]any{"image": o.image},
	}
	var sources []map[string]any
	for _, spec := range o.traffic {
		src, err := parseTraffic(spec, len(sources))
		if err != nil {
			return nil, fmt.Errorf("--traffic %q: %w", spec, err)
		}
		sources = append(sources, src)
	}
	doc["traffic"] = sources
	actions := []map[string]any{{"at": "0s", "setImage": o.setImage}}
	for _, a := range o.actions {
		at, cmd, ok := strings.Cut(a, ":")
		if !ok {
			return nil, fmt.Errorf("--action %q: want AT: COMMAND, e.g. \"2m: watch -n 0.1 curl http://podinfo-canary.test:9898/status/500\"", a)
		}
		actions = append(actions, map[string]any{"at": strings.TrimSpace(at), "run": strings.TrimSpace(cmd)})
	}
	doc["actions"] = actions
	data, err := yaml.Marshal(doc)
	if err != nil {
		return nil, err
	}
	l, err := scenario.LoadBytes("--canary "+o.canary, data, filepath.Dir(o.canary))
	var errs scenario.Errors
	if errors.As(err, &errs) {
		return nil, adhocErrors(o, errs)
	}
	return l, err
}

// adhocErrors names, for each problem of the scenario the flags built,
// the flag and the value the user typed, not a line of that scenario.
func adhocErrors(o adhocOptions, errs scenario.Errors) error {
	lines := make([]string, len(errs))
	canaryLines := canaryFieldLines(o.canary)
	for i, e := range errs {
		lines[i] = adhocError(o, e, canaryLines)
	}
	return errors.New(strings.Join(lines, "\n"))
}

var listItemRE = regexp.MustCompile(`^(traffic|actions)\[(\d+)\]\.?(.*)$`)

func adhocError(o adhocOptions, e scenario.Error, canaryLine func(string) int) string {
	msg := e.Msg
	if m := listItemRE.FindStringSubmatch(e.Field); m != nil {
		i, _ := strconv.Atoi(m[2])
		if m[3] != "" {
			msg = m[3] + ": " + msg
		}
		switch {
		case m[1] == "traffic" && i < len(o.traffic):
			return fmt.Sprintf("--traffic %q: %s", o.traffic[i], msg)
		case m[1] == "actions" && i == 0:
			return fmt.Sprintf("--set-image %q: %s", o.setImage, msg)
		case m[1] == "actions" && i-1 < len(o.actions):
			return fmt.Sprintf("--action %q: %s", o.actions[i-1], msg)
		}
	}
	switch e.Field {
	case "cluster.image":
		return fmt.Sprintf("--image %q: %s", o.image, msg)
	case "canary":
		// A problem of the Canary itself, "spec.x: reason": at its line.
		path, _, _ := strings.Cut(msg, ": ")
		if line := canaryLine(path); line > 0 {
			return fmt.Sprintf("--canary %s:%d: %s", o.canary, line, msg)
		}
		return fmt.Sprintf("--canary %s: %s", o.canary, msg)
	case "":
		return fmt.Sprintf("--canary %s: %s", o.canary, msg)
	}
	return fmt.Sprintf("--canary %s: %s: %s", o.canary, e.Field, msg)
}

// canaryFieldLines finds the line of a field path in the Canary manifest
// at file; 0 when the file or the field cannot be read.
func canaryFieldLines(file string) func(string) int {
	data, err := os.ReadFile(file)
	if err != nil {
		return func(string) int { return 0 }
	}
	docs := v1.Documents(data)
	return func(path string) int {
		for i := range docs {
			if docs[i].Canary != nil && path != "" && !strings.ContainsRune(path, ' ') {
				return docs[i].LineOf(path)
			}
		}
		return 0
	}
}

// adhocFlags are the flags that describe a scenario built from --canary.
var adhocFlags = []string{"traffic", "action", "image", "set-image", "seed"}

// adhocFlagsAlone refuses the flags of an ad-hoc scenario without
// --canary, which would otherwise be silently ignored.
func adhocFlagsAlone(flags *pflag.FlagSet) error {
	for _, name := range adhocFlags {
		if flags.Changed(name) {
			return fmt.Errorf("--%s needs --canary CANARY.yaml: it describes the scenario built from that Canary "+
				"(a scenario file has traffic, actions, cluster and seed keys instead)", name)
		}
	}
	return nil
}

// canaryHint suggests --canary when a file given as a scenario is a
// Canary manifest; it is empty otherwise.
func canaryHint(arg string) string {
	data, err := os.ReadFile(arg)
	if err != nil {
		return ""
	}
	for _, d := range v1.Documents(data) {
		if d.TypeMeta.Kind == "Canary" {
			return fmt.Sprintf("hint: %s is a Canary manifest, not a scenario: try fledge sim --canary %s", arg, arg)
		}
	}
	return ""
}

// parseTraffic reads "target=apex,rps=20,500=0.02,p50=5ms,p99=40ms,delay=1s,from=1m,until=5m".
func parseTraffic(spec string, n int) (map[string]any, error) {
	src := map[string]any{"name": fmt.Sprintf("traffic-%d", n+1), "target": "apex"}
	codes := map[int]float64{}
	latency := map[string]string{}
	for _, kv := range strings.Split(spec, ",") {
		k, v, ok := strings.Cut(strings.TrimSpace(kv), "=")
		if !ok {
			return nil, fmt.Errorf("%q: want KEY=VALUE", kv)
		}
		switch k {
		case "name", "target", "from", "until":
			src[k] = v
		case "rps":
			f, err := strconv.ParseFloat(v, 64)
			if err != nil {
				return nil, fmt.Errorf("rps %q: want a number of requests per second", v)
			}
			src[k] = f
		case "p50", "p99", "delay":
			latency[k] = v
		default:
			code, err := strconv.Atoi(k)
			share, err2 := strconv.ParseFloat(v, 64)
			if err != nil || err2 != nil {
				return nil, fmt.Errorf("%q: want name, target, rps, p50, p99, delay, from, until or CODE=SHARE", kv)
			}
			codes[code] = share
		}
	}
	if len(codes) > 0 {
		src["codes"] = codes
	}
	if len(latency) > 0 {
		src["latency"] = latency
	}
	return src, nil
}
