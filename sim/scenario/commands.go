package scenario

import (
	"errors"
	"fmt"
	"math"
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

// unquote drops the shell's quotes and backslashes from a command (built
// once: the simulated load tester parses a command each time it starts it).
var unquote = strings.NewReplacer("'", "", `"`, "", `\`, "")

// ParseCommand reads one of: kubectl [-n NS] set image deployment/NAME
// CONTAINER=IMAGE; watch -n SECONDS curl URL; hey -z DURATION -q QPS -c
// WORKERS URL.
func ParseCommand(text string) (Command, error) {
	args := strings.Fields(unquote.Replace(text))
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

// splitNamespace takes kubectl's -n/--namespace out of args.
func splitNamespace(args []string) (ns string, rest []string) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "-n" || a == "--namespace":
			if i+1 < len(args) {
				ns = args[i+1]
				i++
			}
		case strings.HasPrefix(a, "--namespace="):
			ns = strings.TrimPrefix(a, "--namespace=")
		default:
			rest = append(rest, a)
		}
	}
	return ns, rest
}

func parseSetImage(args []string) (Command, error) {
	c := Command{Kind: "set-image"}
	var rest []string
	c.Namespace, rest = splitNamespace(args)
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
		// -n SECONDS, -nSECONDS, --interval SECONDS, --interval=SECONDS
		value, ok := "", false
		switch a := args[i]; {
		case (a == "-n" || a == "--interval") && i+1 < len(args):
			value, ok = args[i+1], true
			i++
		case strings.HasPrefix(a, "-n") && !strings.HasPrefix(a, "--"):
			value, ok = a[2:], true
		case strings.HasPrefix(a, "--interval="):
			value, ok = strings.TrimPrefix(a, "--interval="), true
		}
		if ok {
			secs, err := strconv.ParseFloat(value, 64)
			if err != nil || !(secs > 0) || math.IsInf(secs, 0) {
				return Command{}, fmt.Errorf("watch -n %q: want seconds above 0", value)
			}
			// watch's own bounds: at least 0.1s; at most about a month here.
			every = time.Duration(min(max(secs, 0.1), 3e6) * float64(time.Second))
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

// heyArgs are hey's flags the simulator reads, with hey's defaults: no
// rate limit, 50 workers, 200 requests.
type heyArgs struct {
	q, workers, n float64
	dur           time.Duration
}

func parseHey(args []string) (Command, error) {
	h := heyArgs{workers: 50, n: 200}
	// Flags with a value are read with it; others (-h2,
	// -disable-keepalive, ...) are skipped on their own.
	for i := 0; i+1 < len(args); i++ {
		known, err := h.set(args[i], args[i+1])
		if err != nil {
			return Command{}, fmt.Errorf("hey %s %q: %w", args[i], args[i+1], err)
		}
		if known {
			i++
		}
	}
	if h.q == 0 {
		return Command{}, fmt.Errorf("hey without -q floods the target: give -q QPS per worker")
	}
	c, err := target(args)
	c.Kind, c.RPS, c.For = "traffic", h.q*h.workers, h.dur
	if h.dur == 0 { // without -z, hey stops after -n requests
		c.For = time.Duration(min(h.n/c.RPS, 1e9) * float64(time.Second))
	}
	return c, err
}

// set reads one flag and its value; known is false for a flag the
// simulator ignores.
func (h *heyArgs) set(flag, value string) (known bool, err error) {
	switch flag {
	case "-z":
		if h.dur, err = time.ParseDuration(value); err == nil && h.dur < 0 {
			err = errors.New("want a duration ≥ 0")
		}
		return true, err
	case "-q":
		h.q, err = positive(value, 0, "want queries per second per worker, above 0")
	case "-c":
		h.workers, err = positive(value, 1, "want 1 to 1000000 workers")
		if err == nil && h.workers > 1e6 {
			err = errors.New("want 1 to 1000000 workers")
		}
	case "-n":
		h.n, err = positive(value, 1, "want 1 or more requests")
	default:
		return false, nil
	}
	return true, err
}

// positive parses a finite number that is above 0 (least 0) or at least
// least, failing with why otherwise.
func positive(value string, least float64, why string) (float64, error) {
	f, err := strconv.ParseFloat(value, 64)
	if err != nil {
		return 0, err
	}
	if math.IsInf(f, 0) || !(f > 0) || f < least {
		return 0, errors.New(why)
	}
	return f, nil
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
			case parts[0] == "status" && (n < 100 || n > 599):
				return c, fmt.Errorf("%q: want /status/CODE with an HTTP status 100..599", u.Path)
			case parts[0] == "status":
				c.Code = n
			case parts[0] == "delay" && (n < 0 || n > 86400):
				return c, fmt.Errorf("%q: want /delay/SECONDS with 0 to 86400 seconds", u.Path)
			case parts[0] == "delay":
				c.Delay = time.Duration(n) * time.Second
			}
		}
		return c, nil
	}
	return c, fmt.Errorf("no http:// URL in the command")
}
