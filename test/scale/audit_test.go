package scale

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
)

// controllerUser is the user the controller authenticates as, the one
// whose requests the API server's audit log records.
const controllerUser = "fledge-controller"

// auditPolicy records the controller's requests once each, when their
// response is complete (a watch when it ends), and nobody else's.
const auditPolicy = `apiVersion: audit.k8s.io/v1
kind: Policy
omitStages: ["RequestReceived", "ResponseStarted"]
rules:
- level: Metadata
  users: ["` + controllerUser + `"]
- level: None
`

// auditLog is the API server's audit log of the controller's requests:
// requests are counted where they are served, not by the client.
type auditLog struct{ path string }

// newAuditLog writes the policy into dir and returns the log and the
// kube-apiserver flags that write it.
func newAuditLog(dir string) (*auditLog, map[string]string, error) {
	policy := filepath.Join(dir, "audit-policy.yaml")
	if err := os.WriteFile(policy, []byte(auditPolicy), 0o600); err != nil {
		return nil, nil, err
	}
	a := &auditLog{path: filepath.Join(dir, "audit.log")}
	// The API server rotates its log at audit-log-maxsize MB, 100 when
	// unset: far more than a window of 5,000 canaries needs.
	return a, map[string]string{
		"audit-policy-file": policy, "audit-log-path": a.path, "audit-log-mode": "blocking", "audit-log-maxsize": "100000",
	}, nil
}

// offset is where the log ends now.
func (a *auditLog) offset() int64 { return fileSize(a.path) }

// auditEvent holds what the count needs of one audit event.
type auditEvent struct {
	Verb      string `json:"verb"`
	ObjectRef *struct {
		Resource    string `json:"resource"`
		APIGroup    string `json:"apiGroup"`
		Subresource string `json:"subresource"`
	} `json:"objectRef"`
	ResponseStatus *struct {
		Code int `json:"code"`
	} `json:"responseStatus"`
	RequestURI string `json:"requestURI"`
	User       struct {
		Username string `json:"username"`
	} `json:"user"`
}

// requests counts the requests logged between two offsets by verb,
// resource and response code.
func (a *auditLog) requests(from, to int64) (map[reqKey]int, error) {
	if to < from {
		return nil, fmt.Errorf("audit log %s shrank from %d to %d bytes: rotated", a.path, from, to)
	}
	out := map[reqKey]int{}
	err := scanLines(a.path, from, to, func(line []byte) error {
		if len(bytes.TrimSpace(line)) == 0 {
			return nil
		}
		var ev auditEvent
		if err := json.Unmarshal(line, &ev); err != nil {
			return err
		}
		if ev.User.Username == controllerUser {
			out[ev.key()]++
		}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("audit log: %w", err)
	}
	return out, nil
}

// scanLines calls f with each line of the file at path between two
// offsets, until f returns an error.
func scanLines(path string, from, to int64, f func(line []byte) error) error {
	file, err := os.Open(path)
	if err != nil {
		return err
	}
	defer func() { _ = file.Close() }()
	sc := bufio.NewScanner(io.NewSectionReader(file, from, to-from))
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	for sc.Scan() {
		if err := f(sc.Bytes()); err != nil {
			return err
		}
	}
	return sc.Err()
}

// fileSize is where the file at path ends now; 0 when there is none.
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return 0
	}
	return fi.Size()
}

// key names the request as classify does: verb and
// resource.group/subresource.
func (ev auditEvent) key() reqKey {
	k := reqKey{Verb: ev.Verb, Resource: ev.RequestURI}
	if ev.ObjectRef != nil {
		k.Resource = ev.ObjectRef.Resource
		if ev.ObjectRef.APIGroup != "" {
			k.Resource += "." + ev.ObjectRef.APIGroup
		}
		if ev.ObjectRef.Subresource != "" {
			k.Resource += "/" + ev.ObjectRef.Subresource
		}
	}
	if ev.ResponseStatus != nil {
		k.Code = ev.ResponseStatus.Code
	}
	return k
}
