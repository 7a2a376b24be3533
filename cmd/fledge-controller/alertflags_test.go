package main

import (
	"io"
	"strings"
	"testing"

	"github.com/fledge-canary/fledge/adapters/alerts"
)

func TestAlertFlags(t *testing.T) {
	const slack, teams = "https://hooks.slack.com/services/T/B/secret", "https://example.webhook.office.com/webhookb2/secret"
	tests := []struct {
		name    string
		args    []string
		env     map[string]string
		want    *alerts.Endpoint
		wantErr string
	}{
		{name: "none", want: nil},
		{name: "slack flags", args: []string{"-slack-url=" + slack, "-slack-channel=on-call", "-slack-token=t0k"},
			want: &alerts.Endpoint{Type: "slack", URL: slack, Token: "t0k", Username: "flagger", Channel: "on-call"}},
		{name: "slack from the environment", env: map[string]string{"SLACK_URL": slack, "SLACK_PROXY_URL": "http://proxy:3128"},
			args: []string{"-slack-user=fledge"},
			want: &alerts.Endpoint{Type: "slack", URL: slack, Proxy: "http://proxy:3128", Username: "fledge", Channel: "general"}},
		{name: "teams over slack", args: []string{"-slack-url=" + slack, "-msteams-url=" + teams, "-msteams-proxy-url=http://proxy:3128"},
			want: &alerts.Endpoint{Type: "msteams", URL: teams, Proxy: "http://proxy:3128", Username: "flagger", Channel: "general"}},
		{name: "a bad URL is not quoted", args: []string{"-slack-url=hooks.slack.com/services/T/B/secret"},
			wantErr: "-slack-url (or its proxy): the slack address is not an absolute http or https URL"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SLACK_URL", tc.env["SLACK_URL"])
			t.Setenv("SLACK_PROXY_URL", tc.env["SLACK_PROXY_URL"])
			for _, k := range []string{"SLACK_TOKEN", "MSTEAMS_URL", "MSTEAMS_PROXY_URL"} {
				t.Setenv(k, "")
			}
			f, err := parseFlags(tc.args, io.Discard)
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr || strings.Contains(err.Error(), "secret") {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			got := f.alerts.global
			if (got == nil) != (tc.want == nil) || got != nil && *got != *tc.want {
				t.Errorf("global notifier = %+v, want %+v", got, tc.want)
			}
		})
	}
}
