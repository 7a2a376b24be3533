package prometheus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/fledge-canary/fledge/adapters/prometheus/promtest"
	"github.com/fledge-canary/fledge/core/engine"
)

// TestQueryFaults runs a query against every misbehaving server of the
// catalogue and checks the exact error, its chain, and its length.
func TestQueryFaults(t *testing.T) {
	for _, f := range promtest.Faults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			opts := Options{DefaultAddress: promtest.Serve(t, f), Timeout: queryTimeout(f)}
			v, err := New(opts).Query(context.Background(), engine.Query{PromQL: "sum(up)", At: at})
			checkFault(t, f, v, err)
		})
	}
}

// queryTimeout is the fault's own for the servers that hold a request
// until the client leaves, and the longest for the others, so that a loaded
// machine cannot turn them into timeouts.
func queryTimeout(f promtest.Fault) time.Duration {
	if f.ClientTimeout > 0 {
		return f.ClientTimeout
	}
	return MaxTimeout
}

func checkFault(t *testing.T, f promtest.Fault, v float64, err error) {
	t.Helper()
	if f.Err == "" {
		if err != nil || v != f.Value {
			t.Fatalf("Query = %v, %v; want %v, nil", v, err, f.Value)
		}
		return
	}
	if err == nil {
		t.Fatalf("Query = %v, nil; want the error %q", v, f.Err)
	}
	if !f.Match(err.Error()) {
		t.Errorf("err = %.300q\nwant %.300q", err, f.Err)
	}
	if got := errors.Is(err, engine.ErrNoValues); got != f.NoValues {
		t.Errorf("errors.Is(err, ErrNoValues) = %v, want %v", got, f.NoValues)
	}
	if got := errors.Is(err, context.DeadlineExceeded); got != f.Deadline {
		t.Errorf("errors.Is(err, DeadlineExceeded) = %v, want %v", got, f.Deadline)
	}
	if n := len(err.Error()); n > errorTextBytesMax+len("…(truncated)") {
		t.Errorf("error text of %d bytes", n)
	}
}

// planted are credentials no error may show, with characters that JSON,
// URL and HTML encoders change, so that an echo in any of their forms is
// told apart from the value.
var planted = promtest.Credentials{
	Token: `planted/token+7f3a&<x>"`, Username: "planted-user-c0de<&>", Password: `planted/pass"word+91c2`,
}

// TestSecretsNeverInErrors plants a bearer token and a basic-auth pair in
// Secrets, sends them to every misbehaving server, including servers that
// echo them back in each text an error quotes, and searches every error
// for them.
func TestSecretsNeverInErrors(t *testing.T) {
	store := secrets{
		"ns/token": {"token": []byte(planted.Token)},
		"ns/basic": {"username": []byte(planted.Username), "password": []byte(planted.Password)},
		"ns/bad":   {"user": []byte(planted.Username), "pass": []byte(planted.Password), "tok": []byte(planted.Token)},
	}
	echoes := map[string]bool{}
	faults := promtest.Faults()
	for _, f := range promtest.EchoFaults() {
		echoes[f.Name] = true
		faults = append(faults, f)
	}
	for _, f := range faults {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			addr := promtest.Serve(t, f)
			c := New(Options{Secrets: store, Timeout: queryTimeout(f)})
			for _, secret := range []string{"token", "basic", "bad"} {
				src := engine.Source{Template: template("ns", addr, withSecret(secret))}
				_, err := c.Query(context.Background(), engine.Query{Source: src, Namespace: "ns", PromQL: "sum(up)", At: at})
				if err == nil && f.Err != "" {
					t.Fatalf("%s: no error", secret)
				}
				if echoes[f.Name] && secret != "bad" && !strings.Contains(fmt.Sprint(err), "<redacted>") &&
					!strings.HasSuffix(fmt.Sprint(err), "…(truncated)") {
					t.Errorf("%s: the echoed credentials were not redacted: %.300q", secret, err)
				}
				assertNoSecret(t, secret, err)
			}
		})
	}
}

// assertNoSecret searches the text of an error and of every error in its
// chain, in their %v, %+v and JSON forms, for every form of the planted
// credentials (as sent and as each echoing server encodes them) and for the
// first half of each.
func assertNoSecret(t *testing.T, what string, err error) {
	t.Helper()
	var texts []string
	for _, e := range chain(err) {
		js, _ := json.Marshal(map[string]string{"error": e.Error()})
		texts = append(texts, e.Error(), fmt.Sprintf("%+v", e), string(js))
	}
	for _, text := range texts {
		for _, s := range planted.Forms() {
			if strings.Contains(text, s) {
				t.Errorf("%s: the error shows %q: %.300q", what, s, text)
			}
		}
		for _, s := range planted.Forms() {
			if half := s[:len(s)/2]; strings.Contains(text, half) {
				t.Errorf("%s: the error shows the start of %q: %.300q", what, s, text)
			}
		}
	}
}

// chain is err and every error its Unwrap methods reach.
func chain(err error) []error {
	if err == nil {
		return nil
	}
	out := []error{err}
	switch u := err.(type) { //nolint:errorlint // walking the chain by hand
	case interface{ Unwrap() error }:
		out = append(out, chain(u.Unwrap())...)
	case interface{ Unwrap() []error }:
		for _, e := range u.Unwrap() {
			out = append(out, chain(e)...)
		}
	}
	return out
}

// TestAddressCredentialsNeverInErrors puts a password in the userinfo of
// the Prometheus address, which the HTTP client sends as basic auth, and
// searches the errors of every echoing server for it.
func TestAddressCredentialsNeverInErrors(t *testing.T) {
	creds := promtest.Credentials{Username: "addr-user", Password: `addr/pass"word+5e1f`}
	for _, f := range promtest.EchoFaults() {
		t.Run(f.Name, func(t *testing.T) {
			t.Parallel()
			addr := strings.Replace(promtest.Serve(t, f), "http://", "http://"+url.UserPassword(creds.Username, creds.Password).String()+"@", 1)
			_, err := New(Options{DefaultAddress: addr, Timeout: queryTimeout(f)}).Query(context.Background(), engine.Query{PromQL: "sum(up)", At: at})
			if err == nil {
				t.Fatal("no error")
			}
			for _, s := range []string{creds.Password, creds.Basic()} {
				for _, form := range append([]string{s}, encodedForms(s)...) {
					if strings.Contains(err.Error(), form) {
						t.Errorf("the error shows %q: %.300q", form, err)
					}
				}
			}
		})
	}
}

// encodedForms are s as each echoing server may encode it.
func encodedForms(s string) []string {
	out := make([]string, len(promtest.Encodings))
	for i, enc := range promtest.Encodings {
		out[i] = enc.Encode(s)
	}
	return out
}
