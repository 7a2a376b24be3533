package alerts_test

import (
	"testing"

	"github.com/fledge-canary/fledge/adapters/alerts"
	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

// TestPayloads posts the tutorial's rollback alert to a receiver of each
// provider type and checks the exact JSON it got, the path and the headers.
func TestPayloads(t *testing.T) {
	cases := []struct {
		typ, wantPath, want string
	}{
		{v1.AlertSlack, secretPath,
			`{"channel":"on-call","username":"fledge","icon_url":"","icon_emoji":":rocket:","attachments":[{"color":"danger","author_name":"podinfo.test","text":"Failed checks threshold reached 5","mrkdwn_in":["text"],"fields":[{"title":"Cluster","value":"prod-eu","short":false}]}]}`},
		{v1.AlertDiscord, secretPath + "/slack",
			`{"channel":"on-call","username":"fledge","icon_url":"","icon_emoji":":rocket:","attachments":[{"color":"danger","author_name":"podinfo.test","text":"Failed checks threshold reached 5","mrkdwn_in":["text"],"fields":[{"title":"Cluster","value":"prod-eu","short":false}]}]}`},
		{v1.AlertRocket, secretPath,
			`{"channel":"on-call","username":"fledge","icon_url":"","icon_emoji":":rocket:","attachments":[{"color":"#FF0000","author_name":"podinfo.test","text":"Failed checks threshold reached 5","mrkdwn_in":["text"],"fields":[{"title":"Cluster","value":"prod-eu","short":false}]}]}`},
		{v1.AlertMSTeams, secretPath,
			`{"@type":"MessageCard","@context":"http://schema.org/extensions","themeColor":"FF0000","summary":"podinfo.test","sections":[{"activityTitle":"Failed checks threshold reached 5","activitySubtitle":"podinfo.test","facts":[{"name":"Cluster","value":"prod-eu"}]}]}`},
		{v1.AlertGChat, secretPath,
			`{"cards":[{"header":{"title":"Fledge","subtitle":"podinfo.test"},"sections":[{"widgets":[{"textParagraph":{"text":"\u003cfont color=#848484\u003e\u003cstrong\u003eFailed checks threshold reached 5\u003c/strong\u003e\u003c/font\u003e"}}]},{"widgets":[{"textParagraph":{"text":"Cluster\u003cbr\u003e\u003cfont color=#848484\u003e\u003cstrong\u003eprod-eu\u003c/strong\u003e\u003c/font\u003e"}}]}]}]}`},
	}
	for _, tc := range cases {
		t.Run(tc.typ, func(t *testing.T) {
			rcv := newReceiver(t)
			reader := fakeReader{providers: map[string]*v1.AlertProvider{
				"test/" + tc.typ: provider(tc.typ, tc.typ, func(s *v1.AlertProviderSpec) {
					s.Address, s.Channel, s.Username = rcv.URL+secretPath, "on-call", "fledge"
				}),
			}}
			s, errs := sendAll(t, alerts.Options{Reader: reader}, with(rollbackAlert, tc.typ))
			if len(errs) > 0 || s.Sent() != 1 {
				t.Fatalf("sent %d, errors %v", s.Sent(), errs)
			}
			got := rcv.got()
			if len(got) != 1 {
				t.Fatalf("the receiver got %d posts, want 1", len(got))
			}
			if got[0].body != tc.want {
				t.Errorf("posted\n%s\nwant\n%s", got[0].body, tc.want)
			}
			if got[0].path != tc.wantPath || got[0].contentType != "application/json" || got[0].auth != "" {
				t.Errorf("path %q, content type %q, authorization %q", got[0].path, got[0].contentType, got[0].auth)
			}
		})
	}
}

// TestPayloadDefaultsAndMetadata posts an info alert with Flagger's
// metadata fields to Slack with the default channel and username.
func TestPayloadDefaultsAndMetadata(t *testing.T) {
	body, err := alerts.Payload(v1.AlertSlack, startAlert, v1.DefaultAlertUsername, v1.DefaultAlertChannel)
	if err != nil {
		t.Fatal(err)
	}
	want := `{"channel":"general","username":"flagger","icon_url":"","icon_emoji":":rocket:","attachments":[{"color":"good","author_name":"podinfo.test","text":"New revision detected, progressing canary analysis.","mrkdwn_in":["text"],"fields":[` +
		`{"title":"Target","value":"Deployment/podinfo.test","short":false},{"title":"Failed checks threshold","value":"5","short":false},` +
		`{"title":"Progress deadline","value":"60s","short":false},{"title":"Traffic routing","value":"Weight step: 5 max: 50","short":false}]}]}`
	if string(body) != want {
		t.Errorf("posted\n%s\nwant\n%s", body, want)
	}
	if _, err := alerts.Payload("pagerduty", startAlert, "", ""); err == nil ||
		err.Error() != `alert provider type "pagerduty" is not supported: use slack, discord, rocket, msteams or gchat` {
		t.Errorf("unknown type: err = %v", err)
	}
}
