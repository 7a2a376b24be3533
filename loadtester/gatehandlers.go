package loadtester

import (
	"net/http"
	"time"
)

// serveGate decodes the payload and calls action with the gate's key:
// "name.namespace" for /gate, "rollback.name.namespace" for /rollback.
func (s *Server) serveGate(kind string, action func(http.ResponseWriter, string)) http.HandlerFunc {
	return func(rw http.ResponseWriter, r *http.Request) {
		p, ok := s.readPayload(rw, r)
		if !ok {
			return
		}
		key := p.canary()
		if kind == "rollback" {
			key = "rollback." + key
		}
		action(rw, key)
	}
}

// checkGate answers 200 Approved when the gate is open, else 403.
func (s *Server) checkGate(rw http.ResponseWriter, key string) {
	open := s.gates.IsOpen(key)
	s.opts.Log.V(1).Info("gate check", "gate", key, "approved", open)
	if open {
		reply(rw, http.StatusOK, "Approved")
		return
	}
	reply(rw, http.StatusForbidden, "Forbidden")
}

func (s *Server) openGate(rw http.ResponseWriter, key string) {
	closes := s.gates.Open(key)
	if closes.IsZero() {
		s.opts.Log.Info("gate opened", "gate", key)
		reply(rw, http.StatusAccepted, key+" opened\n")
		return
	}
	s.opts.Log.Info("gate opened", "gate", key, "closes", closes.UTC().Format(time.RFC3339))
	reply(rw, http.StatusAccepted, key+" opened until "+closes.UTC().Format(time.RFC3339)+" (-gate-ttl)\n")
}

func (s *Server) closeGate(rw http.ResponseWriter, key string) {
	s.gates.Close(key)
	s.opts.Log.Info("gate closed", "gate", key)
	reply(rw, http.StatusAccepted, key+" closed\n")
}
