package main

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

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
	return scenario.LoadBytes("--canary "+o.canary, data, filepath.Dir(o.canary))
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
				return nil, fmt.Errorf("rps %q: %w", v, err)
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
