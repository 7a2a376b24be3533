// Package httpclient holds the HTTP client helpers the Prometheus and
// webhook adapters share.
package httpclient

import (
	"crypto/tls"
	"net/http"
)

// Insecure is base with TLS verification off, for a MetricTemplate's
// insecureSkipVerify or a webhook's disableTLS. A base whose transport is
// not an *http.Transport (a test double) is returned as it is.
func Insecure(base *http.Client) *http.Client {
	var t *http.Transport
	switch rt := base.Transport.(type) {
	case nil:
		t = http.DefaultTransport.(*http.Transport).Clone()
	case *http.Transport:
		t = rt.Clone()
	default:
		return base
	}
	if t.TLSClientConfig == nil {
		t.TLSClientConfig = &tls.Config{}
	}
	t.TLSClientConfig.InsecureSkipVerify = true //nolint:gosec // the user asked for it, per template or hook
	c := *base
	c.Transport = t
	return &c
}
