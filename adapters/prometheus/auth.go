package prometheus

import (
	"bytes"
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"html"
	"net/http"
	"net/url"
	"slices"
	"strconv"
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

// addressCredentials are the password of an address's userinfo and the
// basic-auth header the HTTP client builds from it, for redaction: a server
// may echo them back.
func addressCredentials(u *url.URL) []string {
	pass, ok := u.User.Password()
	if !ok || pass == "" {
		return nil
	}
	return []string{pass, base64.StdEncoding.EncodeToString([]byte(u.User.Username() + ":" + pass))}
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

// redactText replaces every secret value in s, in each form a server may
// have written it (secretForms), with "<redacted>", the longest first: a
// username that is part of the password must not leave the rest of the
// password behind.
func redactText(s string, secrets []string) string {
	var forms []string
	for _, secret := range secrets {
		forms = append(forms, secretForms(secret)...)
	}
	slices.SortFunc(forms, func(a, b string) int { return len(b) - len(a) })
	for _, form := range forms {
		s = strings.ReplaceAll(s, form, "<redacted>")
	}
	return s
}

// secretForms are the texts a secret can take in a server's answer: the
// value itself and the value as JSON encoders write it in a string (Go's,
// which escapes <, > and & as \u003c, and the ones that escape / as \/),
// as Go quotes it (%q in an error's text), as a URL's query or path holds
// it, and as HTML text. Empty for an empty secret; no form repeats.
func secretForms(secret string) []string {
	if secret == "" {
		return nil
	}
	js := jsonString(secret, true)
	quoted := strconv.Quote(secret)
	forms := []string{secret, js, jsonString(secret, false), strings.ReplaceAll(js, "/", `\/`), quoted[1 : len(quoted)-1],
		url.QueryEscape(secret), url.PathEscape(secret), html.EscapeString(secret)}
	slices.Sort(forms)
	return slices.Compact(forms)
}

// jsonString is s as a JSON string's contents, without the quotes.
func jsonString(s string, escapeHTML bool) string {
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(escapeHTML)
	_ = enc.Encode(s) // a string always encodes
	out := strings.TrimSuffix(b.String(), "\n")
	return out[1 : len(out)-1]
}
