package prometheus

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

var errNoSecretReader = errors.New("no secret reader configured")

// copyHeaders adds the template's headers to h, copying every slice so the
// request never shares memory with the template.
func copyHeaders(h http.Header, from map[string][]string) {
	for name, values := range from {
		for _, v := range values {
			h.Add(name, v)
		}
	}
}

// authorize sets the request's credentials from the template's secretRef,
// read in the template's namespace (ns when the template has none). It
// returns the secret values it sent, for scrub.
func (c *Client) authorize(ctx context.Context, req *http.Request, tmpl *v1.MetricTemplate, ns string) ([]string, error) {
	ref := tmpl.Spec.Provider.SecretRef
	if ref == nil {
		return nil, nil
	}
	if tmpl.Namespace != "" {
		ns = tmpl.Namespace
	}
	if c.opts.Secrets == nil {
		return nil, fmt.Errorf("secret %s/%s: %w", ns, ref.Name, errNoSecretReader)
	}
	data, err := c.opts.Secrets.GetSecret(ctx, ns, ref.Name)
	if err != nil {
		return nil, fmt.Errorf("secret %s/%s: %w", ns, ref.Name, err)
	}
	return setCredentials(req, data, ns, ref.Name)
}

// setCredentials applies a bearer token, else basic auth. It returns every
// value it sent, the basic-auth username included, for redaction. Its
// errors name the secret and never its values.
func setCredentials(req *http.Request, data map[string][]byte, ns, name string) ([]string, error) {
	if token := string(bytes.TrimSpace(data["token"])); token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
		return []string{token}, nil
	}
	user, pass := string(bytes.TrimSpace(data["username"])), string(bytes.TrimSpace(data["password"]))
	if user != "" && pass != "" {
		req.SetBasicAuth(user, pass)
		basic := base64.StdEncoding.EncodeToString([]byte(user + ":" + pass))
		return []string{pass, basic, user}, nil
	}
	return nil, fmt.Errorf("secret %s/%s has neither token nor username and password", ns, name)
}

// scrubbedError has a text with the credentials a server may have echoed
// back taken out and a bounded length. Its chain holds only the sentinels
// the original matched (ErrNoValues, context.DeadlineExceeded and
// context.Canceled), for errors.Is: the original error, whose text may hold
// the credentials, is not reachable through it.
type scrubbedError struct {
	msg       string
	sentinels []error
}

func (e *scrubbedError) Error() string   { return e.msg }
func (e *scrubbedError) Unwrap() []error { return e.sentinels }

// chainSentinels are the errors a caller of Query may test for.
var chainSentinels = []error{engine.ErrNoValues, context.DeadlineExceeded, context.Canceled}

// scrub replaces every secret value in err's text with "<redacted>", then
// cuts the text at errorTextBytesMax. Redacting first means a cut never
// leaves the prefix of a secret behind.
func scrub(err error, secrets []string) error {
	if err == nil {
		return nil
	}
	msg := truncate(redactText(err.Error(), secrets), errorTextBytesMax)
	if msg == err.Error() {
		return err
	}
	scrubbed := &scrubbedError{msg: msg}
	for _, s := range chainSentinels {
		if errors.Is(err, s) {
			scrubbed.sentinels = append(scrubbed.sentinels, s)
		}
	}
	return scrubbed
}

// redactText replaces every secret value in s with "<redacted>", the
// longest first: a username that is part of the password must not leave the
// rest of the password behind.
func redactText(s string, secrets []string) string {
	secrets = slices.Clone(secrets)
	slices.SortFunc(secrets, func(a, b string) int { return len(b) - len(a) })
	for _, secret := range secrets {
		if secret != "" {
			s = strings.ReplaceAll(s, secret, "<redacted>")
		}
	}
	return s
}
