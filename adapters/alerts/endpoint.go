package alerts

import (
	"context"
	"fmt"
	"net/url"
	"path"
	"strings"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// Endpoint is where and as whom one receiver's alerts are posted.
type Endpoint struct {
	// Type is the chat service: slack, discord, rocket, msteams or gchat.
	Type string
	// URL is the incoming-webhook URL, a secret.
	URL string
	// Token, when set, is sent as "Authorization: Bearer <token>".
	Token string
	// Proxy is the URL of an HTTP proxy to post through; empty means the
	// environment's (HTTPS_PROXY, NO_PROXY).
	Proxy string
	// Username and Channel are the poster and the channel (Slack, Discord,
	// Rocket.Chat).
	Username, Channel string
}

// Reader reads AlertProviders and the data of Secrets; a NotFound error
// means the object does not exist.
type Reader interface {
	GetAlertProvider(ctx context.Context, namespace, name string) (*v1.AlertProvider, error)
	GetSecret(ctx context.Context, namespace, name string) (map[string][]byte, error)
}

// Resolve reads the AlertProvider a receiver names, and its secret, and
// returns the endpoint to post to. The secret's keys address, token and
// proxy override the spec's address and proxy.
func Resolve(ctx context.Context, r Reader, rcv engine.AlertReceiver) (Endpoint, error) {
	name := rcv.Provider + "." + rcv.ProviderNamespace
	p, err := r.GetAlertProvider(ctx, rcv.ProviderNamespace, rcv.Provider)
	if err != nil {
		return Endpoint{}, fmt.Errorf("alert provider %s error: %w", name, err)
	}
	if errs := p.Validate(); !errs.Empty() {
		return Endpoint{}, fmt.Errorf("alert provider %s is invalid: %w", name, errs)
	}
	ep := Endpoint{Type: p.Spec.Type, URL: p.Spec.Address, Proxy: p.Spec.Proxy, Username: p.GetUsername(), Channel: p.GetChannel()}
	if p.Spec.SecretRef != nil {
		data, err := r.GetSecret(ctx, rcv.ProviderNamespace, p.Spec.SecretRef.Name)
		if err != nil {
			return Endpoint{}, fmt.Errorf("alert provider %s secretRef error: %w", name, err)
		}
		if err := ep.fromSecret(data); err != nil {
			return Endpoint{}, fmt.Errorf("alert provider %s secret %s: %w", name, p.Spec.SecretRef.Name, err)
		}
	}
	return ep.finish()
}

// fromSecret takes the address, token and proxy keys of a secret.
func (ep *Endpoint) fromSecret(data map[string][]byte) error {
	if v, ok := data[v1.AlertSecretAddress]; ok {
		ep.URL = strings.TrimSpace(string(v))
	}
	if v, ok := data[v1.AlertSecretToken]; ok {
		ep.Token = strings.TrimSpace(string(v))
	}
	if v, ok := data[v1.AlertSecretProxy]; ok {
		ep.Proxy = strings.TrimSpace(string(v))
	}
	if ep.URL == "" {
		return fmt.Errorf("no address: set the key %q to the webhook URL, or spec.address", v1.AlertSecretAddress)
	}
	return nil
}

// finish checks the URLs, without quoting them, and points Discord at its
// Slack-compatible endpoint.
func (ep Endpoint) finish() (Endpoint, error) {
	u, err := url.Parse(ep.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return Endpoint{}, fmt.Errorf("the %s address is not an absolute http or https URL", ep.Type)
	}
	if ep.Proxy != "" {
		if p, err := url.Parse(ep.Proxy); err != nil || p.Host == "" {
			return Endpoint{}, fmt.Errorf("the %s proxy is not an absolute URL", ep.Type)
		}
	}
	if ep.Type == v1.AlertDiscord && !strings.HasSuffix(u.Path, "/slack") {
		u.Path = path.Join(u.Path, "slack")
		ep.URL = u.String()
	}
	return ep, nil
}

// Global is the endpoint of the controller-wide notifier, as Flagger builds
// it from its flags: Microsoft Teams when teamsURL is set, else Slack when
// slackURL is set; ok is false when neither is. Username and channel
// default to flagger and general.
func Global(slackURL, slackProxy, username, channel, teamsURL, teamsProxy string) (ep Endpoint, ok bool, err error) {
	switch {
	case teamsURL != "":
		ep = Endpoint{Type: v1.AlertMSTeams, URL: teamsURL, Proxy: teamsProxy}
	case slackURL != "":
		ep = Endpoint{Type: v1.AlertSlack, URL: slackURL, Proxy: slackProxy}
	default:
		return Endpoint{}, false, nil
	}
	ep.Username, ep.Channel = username, channel
	if ep.Username == "" {
		ep.Username = v1.DefaultAlertUsername
	}
	if ep.Channel == "" {
		ep.Channel = v1.DefaultAlertChannel
	}
	ep, err = ep.finish()
	return ep, err == nil, err
}

// RedactURL is a URL as errors show it: its scheme and host, and "/…" for
// a path, which in a chat webhook URL holds the credential. Userinfo and
// query are dropped. An unparsable URL is "<unparsable URL>".
func RedactURL(raw string) string {
	u, err := url.Parse(raw)
	if err != nil || u.Host == "" {
		return "<unparsable URL>"
	}
	s := u.Scheme + "://" + u.Host
	if u.Path != "" && u.Path != "/" || u.RawQuery != "" {
		s += "/…"
	}
	return s
}
