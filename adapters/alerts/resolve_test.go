package alerts_test

import (
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/adapters/alerts"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// TestResolveAndDeliver sends one alert to receivers whose providers take
// their address, token and proxy from a secret, or are missing or broken,
// and checks what was posted and the exact errors, none with a secret.
func TestResolveAndDeliver(t *testing.T) {
	rcv := newReceiver(t)
	proxy := newReceiver(t) // a forward proxy sees the absolute URL; this one just answers 200
	reader := fakeReader{
		providers: map[string]*v1.AlertProvider{
			"test/from-secret": provider("from-secret", "slack", func(s *v1.AlertProviderSpec) {
				s.Address, s.SecretRef = "https://ignored.example/"+secretPath, &v1.SecretReference{Name: "slack"}
			}),
			"test/proxied": provider("proxied", "msteams", func(s *v1.AlertProviderSpec) {
				s.Address, s.Proxy = "http://teams.invalid"+secretPath, proxy.URL
			}),
			"test/no-secret":  provider("no-secret", "slack", func(s *v1.AlertProviderSpec) { s.SecretRef = &v1.SecretReference{Name: "gone"} }),
			"test/no-address": provider("no-address", "slack", func(s *v1.AlertProviderSpec) { s.SecretRef = &v1.SecretReference{Name: "token-only"} }),
			"test/bad-type":   provider("bad-type", "pagerduty", func(s *v1.AlertProviderSpec) { s.Address = rcv.URL + secretPath }),
		},
		secrets: map[string]map[string][]byte{
			"test/slack":      {"address": []byte(rcv.URL + secretPath + "\n"), "token": []byte("s3cr3t")},
			"test/token-only": {"token": []byte("s3cr3t")},
		},
	}
	a := with(rollbackAlert, "from-secret", "proxied", "missing", "no-secret", "no-address", "bad-type")
	s, errs := sendAll(t, alerts.Options{Reader: reader}, a)
	if s.Sent() != 2 || s.Failed() != 4 {
		t.Errorf("sent %d, failed %d; want 2 and 4", s.Sent(), s.Failed())
	}
	got := rcv.got()
	if len(got) != 1 || got[0].path != secretPath || got[0].auth != "Bearer s3cr3t" {
		t.Errorf("posts to the secret's address = %+v, want one with the bearer token", got)
	}
	if p := proxy.got(); len(p) != 1 || !strings.Contains(p[0].body, `"@type":"MessageCard"`) {
		t.Errorf("posts through the proxy = %+v, want the Teams card", p)
	}
	want := []string{
		`alert of podinfo.test to alert missing not sent: alert provider missing.test error: alertproviders.flagger.app "missing" not found`,
		`alert of podinfo.test to alert no-secret not sent: alert provider no-secret.test secretRef error: secrets "gone" not found`,
		`alert of podinfo.test to alert no-address not sent: alert provider no-address.test secret token-only: no address: set the key "address" to the webhook URL, or spec.address`,
		`alert of podinfo.test to alert bad-type not sent: alert provider bad-type.test is invalid: spec.type: "pagerduty" is not supported: use slack, discord, rocket, msteams or gchat`,
	}
	if len(errs) != len(want) {
		t.Fatalf("errors = %v, want %d", errs, len(want))
	}
	for i, err := range errs {
		if err.Error() != want[i] {
			t.Errorf("error %d = %q\nwant %q", i, err, want[i])
		}
	}
}

// TestGlobal builds the controller-wide notifier as Flagger does from its
// flags and posts a global alert to it.
func TestGlobal(t *testing.T) {
	cases := []struct {
		name                                    string
		slack, slackProxy, user, channel, teams string
		wantOK                                  bool
		want                                    alerts.Endpoint
		wantErr                                 string
	}{
		{name: "none", wantOK: false},
		{name: "slack with defaults", slack: "https://hooks.slack.com" + secretPath, wantOK: true,
			want: alerts.Endpoint{Type: "slack", URL: "https://hooks.slack.com" + secretPath, Username: "flagger", Channel: "general"}},
		{name: "teams wins over slack", slack: "https://hooks.slack.com/x", teams: "https://example.webhook.office.com" + secretPath,
			user: "bot", channel: "ops", wantOK: true,
			want: alerts.Endpoint{Type: "msteams", URL: "https://example.webhook.office.com" + secretPath, Username: "bot", Channel: "ops"}},
		{name: "not a URL", slack: "hooks.slack.com" + secretPath, wantErr: "the slack address is not an absolute http or https URL"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			ep, ok, err := alerts.Global(tc.slack, tc.slackProxy, tc.user, tc.channel, tc.teams, "")
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil || ok != tc.wantOK || ep != tc.want {
				t.Errorf("Global = %+v, %v, %v; want %+v, %v", ep, ok, err, tc.want, tc.wantOK)
			}
		})
	}
	rcv := newReceiver(t)
	ep, _, _ := alerts.Global(rcv.URL+secretPath, "", "", "", "", "")
	a := rollbackAlert
	a.Global = true
	if s, errs := sendAll(t, alerts.Options{Global: &ep}, a); s.Sent() != 1 || len(errs) > 0 || len(rcv.got()) != 1 {
		t.Errorf("global alert: sent %d, errors %v", s.Sent(), errs)
	}
	if s, _ := sendAll(t, alerts.Options{}, a); s.Sent() != 0 || s.Failed() != 0 {
		t.Errorf("no global notifier: sent %d, failed %d; want the alert dropped quietly", s.Sent(), s.Failed())
	}
}

func TestRedactURL(t *testing.T) {
	for raw, want := range map[string]string{
		"https://hooks.slack.com/services/T0/B0/secret":                  "https://hooks.slack.com/…",
		"https://user:pass@proxy:3128":                                   "https://proxy:3128",
		"https://chat.googleapis.com/v1/spaces/X/messages?key=k&token=t": "https://chat.googleapis.com/…",
		"not a url": "<unparsable URL>",
	} {
		if got := alerts.RedactURL(raw); got != want {
			t.Errorf("RedactURL(%q) = %q, want %q", raw, got, want)
		}
	}
}

// TestTokenEchoed: a server that refuses the token and quotes it back gets
// it redacted from the error.
func TestTokenEchoed(t *testing.T) {
	rcv := newReceiver(t, status(401, `{"ok":false,"error":"invalid_auth","token":"s3cr3t"}`))
	ep := alerts.Endpoint{Type: v1.AlertSlack, URL: rcv.URL + secretPath, Token: "s3cr3t", Username: "flagger", Channel: "general"}
	a := rollbackAlert
	a.Global = true
	_, errs := sendAll(t, alerts.Options{Global: &ep}, a)
	want := `alert of podinfo.test to global notifier not sent: posting to slack ` + rcv.URL + `/… failed after 1 attempt(s): status 401: "{\"ok\":false,\"error\":\"invalid_auth\",\"token\":\"<redacted>\"}"`
	if len(errs) != 1 || errs[0].Error() != want {
		t.Errorf("errors %q\nwant   %q", errs, want)
	}
}
