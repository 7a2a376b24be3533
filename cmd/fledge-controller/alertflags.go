package main

import (
	"flag"
	"fmt"

	"github.com/fledge-canary/fledge/adapters/alerts"
)

// alertFlags are Flagger's flags of the global notifier, which posts the
// alerts of canaries without analysis.alerts: Slack, or Microsoft Teams
// when -msteams-url is set. Each URL flag falls back to Flagger's
// environment variable.
type alertFlags struct {
	slackURL, slackToken, slackProxy, slackUser, slackChannel string
	teamsURL, teamsProxy                                      string
	// global is the notifier the flags give; nil when none is set.
	global *alerts.Endpoint
}

func (a *alertFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&a.slackURL, "slack-url", "", "Slack incoming-webhook URL of the global notifier (env SLACK_URL)")
	fs.StringVar(&a.slackToken, "slack-token", "", "bearer token sent with each Slack post (env SLACK_TOKEN)")
	fs.StringVar(&a.slackProxy, "slack-proxy-url", "", "HTTP proxy for Slack posts (env SLACK_PROXY_URL)")
	fs.StringVar(&a.slackUser, "slack-user", "flagger", "Slack username of the global notifier")
	fs.StringVar(&a.slackChannel, "slack-channel", "", "Slack channel of the global notifier (empty: general)")
	fs.StringVar(&a.teamsURL, "msteams-url", "", "Microsoft Teams incoming-webhook URL of the global notifier, used instead of Slack (env MSTEAMS_URL)")
	fs.StringVar(&a.teamsProxy, "msteams-proxy-url", "", "HTTP proxy for Microsoft Teams posts (env MSTEAMS_PROXY_URL)")
}

// resolve fills unset flags from the environment and builds the global
// notifier. Its errors never quote a URL: webhook URLs are secrets.
func (a *alertFlags) resolve(getenv func(string) string) error {
	for _, v := range []struct {
		dst *string
		env string
	}{
		{&a.slackURL, "SLACK_URL"}, {&a.slackToken, "SLACK_TOKEN"}, {&a.slackProxy, "SLACK_PROXY_URL"},
		{&a.teamsURL, "MSTEAMS_URL"}, {&a.teamsProxy, "MSTEAMS_PROXY_URL"},
	} {
		if *v.dst == "" {
			*v.dst = getenv(v.env)
		}
	}
	ep, ok, err := alerts.Global(a.slackURL, a.slackProxy, a.slackUser, a.slackChannel, a.teamsURL, a.teamsProxy)
	if err != nil {
		name := "-slack-url"
		if a.teamsURL != "" {
			name = "-msteams-url"
		}
		return fmt.Errorf("%s (or its proxy): %w", name, err)
	}
	if ok {
		if ep.Type == "slack" {
			ep.Token = a.slackToken
		}
		a.global = &ep
	}
	return nil
}
