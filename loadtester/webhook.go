package loadtester

import (
	"context"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/fledge-canary/fledge/loadtester/hey"
)

// Task types: cmd is the default.
const (
	TypeCmd  = "cmd"
	TypeBash = "bash"
)

// flaggerOnlyTypes are task types Flagger's load tester has and this one
// does not.
var flaggerOnlyTypes = map[string]bool{
	"helm": true, "helmv3": true, "kubectl": true, "concord": true, "ngrinder": true, "grpc": true, "bats": true,
}

// serveWebhook is POST /: decode, pick the task type, run or start it.
func (s *Server) serveWebhook(rw http.ResponseWriter, r *http.Request) {
	p, ok := s.readPayload(rw, r)
	if !ok {
		return
	}
	if len(p.Metadata) == 0 {
		reply(rw, http.StatusBadRequest, "metadata not found in payload")
		return
	}
	typ := p.Metadata["type"]
	if typ == "" {
		typ = TypeCmd
	}
	command := p.Metadata["cmd"]
	switch {
	case typ != TypeCmd && typ != TypeBash:
		reply(rw, http.StatusBadRequest, unsupportedType(typ))
	case command == "":
		reply(rw, http.StatusBadRequest, "cmd not found in metadata")
	case typ == TypeBash:
		s.runBash(rw, r, p, command)
	case hey.IsHey(command):
		s.startHey(rw, p, command)
	default:
		s.startShell(rw, p, command)
	}
}

func unsupportedType(typ string) string {
	if flaggerOnlyTypes[typ] {
		return fmt.Sprintf("unsupported type %q: fledge-loadtester runs cmd tasks (hey in-process, other commands with -allow-bash) and bash tasks (with -allow-bash)", typ)
	}
	return fmt.Sprintf("unknown type %q: want cmd (the default) or bash", typ)
}

// shellDisabled ends the reply to a shell command without -allow-bash.
const shellDisabled = "shell commands are disabled: start fledge-loadtester with -allow-bash to run them " +
	"(it then runs any command from anyone who can reach its port); only plain hey commands run without it"

// startHey starts a hey command's load in the background (202), unless
// the same command for the same canary is running.
func (s *Server) startHey(rw http.ResponseWriter, p Payload, command string) {
	spec, err := hey.Parse(command)
	if err != nil {
		reply(rw, http.StatusBadRequest, err.Error())
		return
	}
	logOutput, _ := strconv.ParseBool(p.Metadata["logCmdOutput"])
	s.startTask(rw, p, "hey", command, func(ctx context.Context) bool {
		sum := hey.Run(ctx, spec, hey.Options{Observe: s.metrics.observer(p.canary())})
		log := s.opts.Log.WithValues("canary", p.canary(), "cmd", command)
		if sum.Answered() == 0 {
			log.Error(nil, "command failed: no request was answered", "summary", sum.String())
			return false
		}
		if logOutput {
			log.Info(sum.String())
		}
		log.Info("command finished")
		return true
	})
}

// startShell starts `sh -c command` in the background (202), unless the
// same command for the same canary is running; it needs -allow-bash.
func (s *Server) startShell(rw http.ResponseWriter, p Payload, command string) {
	if !s.opts.AllowBash {
		reply(rw, http.StatusForbidden, fmt.Sprintf("cmd %q is not a plain hey command, so it needs a shell, and %s", command, shellDisabled))
		return
	}
	logOutput, _ := strconv.ParseBool(p.Metadata["logCmdOutput"])
	s.startTask(rw, p, TypeCmd, command, func(ctx context.Context) bool {
		out, err := runShell(ctx, "sh", command, s.opts.CommandTimeout)
		log := s.opts.Log.WithValues("canary", p.canary(), "cmd", command)
		if err != nil {
			log.Error(err, "command failed", "output", string(out))
			return false
		}
		if logOutput {
			log.Info(string(out))
		}
		log.Info("command finished")
		return true
	})
}

// startTask starts a background task keyed by canary and command, counts
// it, and answers 202 whether it started or was already running.
func (s *Server) startTask(rw http.ResponseWriter, p Payload, typ, command string, task func(context.Context) bool) {
	canary := p.canary()
	started := s.tasks.start(canary+"\x00"+command, func(ctx context.Context) {
		ctx, cancel := context.WithTimeout(ctx, s.opts.CommandTimeout)
		defer cancel()
		running := s.metrics.tasksRunning.WithLabelValues(typ)
		running.Inc()
		defer running.Dec()
		if !task(ctx) {
			s.metrics.tasksFailed.WithLabelValues(canary, typ).Inc()
		}
	})
	if started {
		s.metrics.tasksStarted.WithLabelValues(canary, typ).Inc()
		s.opts.Log.Info("command started", "canary", canary, "cmd", command, "type", typ)
	} else {
		s.metrics.tasksSkipped.WithLabelValues(canary, typ).Inc()
		s.opts.Log.V(1).Info("command already running", "canary", canary, "cmd", command)
	}
	reply(rw, http.StatusAccepted, "")
}

// runBash runs `bash -c command` and answers with its outcome: 200 (the
// output as body with returnCmdOutput: "true"), or 500 with the output and
// the error, Flagger's "command <cmd> failed: <output>: <err>".
func (s *Server) runBash(rw http.ResponseWriter, r *http.Request, p Payload, command string) {
	if !s.opts.AllowBash {
		reply(rw, http.StatusForbidden, "bash tasks need a shell, and "+shellDisabled)
		return
	}
	timeout, err := s.bashTimeout(p.Metadata["timeout"])
	if err != nil {
		reply(rw, http.StatusBadRequest, err.Error())
		return
	}
	canary := p.canary()
	s.metrics.tasksStarted.WithLabelValues(canary, TypeBash).Inc()
	running := s.metrics.tasksRunning.WithLabelValues(TypeBash)
	running.Inc()
	out, err := runShell(r.Context(), "bash", command, timeout)
	running.Dec()
	log := s.opts.Log.WithValues("canary", canary, "cmd", command)
	if err != nil {
		s.metrics.tasksFailed.WithLabelValues(canary, TypeBash).Inc()
		log.Error(err, "command failed", "output", string(out))
		reply(rw, http.StatusInternalServerError, fmt.Sprintf("command %s failed: %s: %v", command, out, err))
		return
	}
	if logOutput, _ := strconv.ParseBool(p.Metadata["logCmdOutput"]); logOutput {
		log.Info(string(out))
	}
	log.Info("command finished")
	body := ""
	if ret, _ := strconv.ParseBool(p.Metadata["returnCmdOutput"]); ret {
		body = string(out)
	}
	reply(rw, http.StatusOK, body)
}

// bashTimeout is metadata.timeout when set (a Go duration, at most the
// command timeout), else the command timeout.
func (s *Server) bashTimeout(raw string) (time.Duration, error) {
	if raw == "" {
		return s.opts.CommandTimeout, nil
	}
	d, err := time.ParseDuration(raw)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("metadata timeout %q: want a positive duration such as 30s", raw)
	}
	return min(d, s.opts.CommandTimeout), nil
}
