package scenario

import (
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// The targets of traffic.
const (
	TargetApex    = "apex"
	TargetCanary  = "canary"
	TargetPrimary = "primary"
)

// Command is a tutorial command the simulator understands.
type Command struct {
	Text string
	// Kind is "set-image" or "traffic".
	Kind string

	// kubectl set image
	Namespace, Deployment, Container, Image string

	// watch curl / hey: requests to a Service
	Service string        // the first DNS label of the URL's host
	Code    int           // /status/CODE, else 200
	Delay   time.Duration // /delay/N
	RPS     float64
	For     time.Duration // hey -z; 0 means until stopped
}

// ParseCommand reads one of: kubectl [-n NS] set image deployment/NAME
// CONTAINER=IMAGE; watch -n SECONDS curl URL; hey -z DURATION -q QPS -c
// WORKERS URL.
func ParseCommand(text string) (Command, error) {
	args := strings.Fields(strings.NewReplacer("'", "", `"`, "", `\`, "").Replace(text))
	if len(args) == 0 {
		return Command{}, fmt.Errorf("empty command")
	}
	var (
		c   Command
		err error
	)
	switch args[0] {
	case "kubectl":
		c, err = parseSetImage(args[1:])
	case "watch":
		c, err = parseWatch(args[1:])
	case "hey":
		c, err = parseHey(args[1:])
	default:
		err = fmt.Errorf("%q: the simulator runs kubectl set image, watch ... curl URL and hey", args[0])
	}
	c.Text = text
	return c, err
}

func parseSetImage(args []string) (Command, error) {
	c := Command{Kind: "set-image"}
	var rest []string
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-n" || a == "--namespace":
			if i+1 < len(args) {
				c.Namespace = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--namespace="):
			c.Namespace = strings.TrimPrefix(a, "--namespace=")
		default:
			rest = append(rest, a)
		}
	}
	if len(rest) != 4 || rest[0] != "set" || rest[1] != "image" {
		return c, fmt.Errorf("want kubectl [-n NAMESPACE] set image deployment/NAME CONTAINER=IMAGE")
	}
	kind, name, ok := strings.Cut(rest[2], "/")
	if !ok || (kind != "deployment" && kind != "deployments" && kind != "deploy") {
		return c, fmt.Errorf("%q: want deployment/NAME", rest[2])
	}
	c.Deployment = name
	c.Container, c.Image, ok = strings.Cut(rest[3], "=")
	if !ok || c.Container == "" || c.Image == "" {
		return c, fmt.Errorf("%q: want CONTAINER=IMAGE", rest[3])
	}
	return c, nil
}

func parseWatch(args []string) (Command, error) {
	every := 2 * time.Second // watch's default
	i := 0
	for ; i < len(args) && args[i] != "curl"; i++ {
		if args[i] == "-n" && i+1 < len(args) {
			secs, err := strconv.ParseFloat(args[i+1], 64)
			if err != nil || secs <= 0 {
				return Command{}, fmt.Errorf("watch -n %q: want seconds above 0", args[i+1])
			}
			every = time.Duration(secs * float64(time.Second))
			i++
		}
	}
	if i == len(args) {
		return Command{}, fmt.Errorf("want watch -n SECONDS curl URL")
	}
	c, err := target(args[i+1:])
	c.Kind = "traffic"
	c.RPS = float64(time.Second) / float64(every)
	return c, err
}

func parseHey(args []string) (Command, error) {
	q, workers := 0.0, 50.0 // hey's defaults: no rate limit, 50 workers
	var dur time.Duration
	var err error
	for i := 0; i+1 < len(args); i += 2 {
		switch args[i] {
		case "-z":
			dur, err = time.ParseDuration(args[i+1])
		case "-q":
			q, err = strconv.ParseFloat(args[i+1], 64)
		case "-c":
			workers, err = strconv.ParseFloat(args[i+1], 64)
		default:
			continue
		}
		if err != nil {
			return Command{}, fmt.Errorf("hey %s %q: %w", args[i], args[i+1], err)
		}
	}
	if q <= 0 {
		return Command{}, fmt.Errorf("hey without -q floods the target: give -q QPS per worker")
	}
	c, err := target(args)
	c.Kind, c.RPS, c.For = "traffic", q*workers, dur
	return c, err
}

// target reads the URL among args (the last argument that is one).
func target(args []string) (Command, error) {
	var c Command
	for i := len(args) - 1; i >= 0; i-- {
		u, err := url.Parse(args[i])
		if err != nil || u.Host == "" {
			continue
		}
		c.Service, _, _ = strings.Cut(u.Hostname(), ".")
		c.Code = 200
		parts := strings.Split(strings.Trim(u.Path, "/"), "/")
		if len(parts) == 2 {
			n, err := strconv.Atoi(parts[1])
			switch {
			case err != nil:
			case parts[0] == "status":
				c.Code = n
			case parts[0] == "delay":
				c.Delay = time.Duration(n) * time.Second
			}
		}
		return c, nil
	}
	return c, fmt.Errorf("no http:// URL in the command")
}
