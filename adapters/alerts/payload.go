package alerts

import (
	"encoding/json"
	"fmt"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// slackMessage is the payload of Slack's incoming webhooks, which Discord's
// /slack endpoint and Rocket.Chat's incoming webhooks also accept.
type slackMessage struct {
	Channel     string            `json:"channel"`
	Username    string            `json:"username"`
	IconURL     string            `json:"icon_url"`
	IconEmoji   string            `json:"icon_emoji"`
	Attachments []slackAttachment `json:"attachments"`
}

type slackAttachment struct {
	Color      string       `json:"color"`
	AuthorName string       `json:"author_name"`
	Text       string       `json:"text"`
	MrkdwnIn   []string     `json:"mrkdwn_in"`
	Fields     []slackField `json:"fields"`
}

type slackField struct {
	Title string `json:"title"`
	Value string `json:"value"`
	Short bool   `json:"short"`
}

// teamsCard is a Microsoft Teams MessageCard.
type teamsCard struct {
	Type       string         `json:"@type"`
	Context    string         `json:"@context"`
	ThemeColor string         `json:"themeColor"`
	Summary    string         `json:"summary"`
	Sections   []teamsSection `json:"sections"`
}

type teamsSection struct {
	ActivityTitle    string      `json:"activityTitle"`
	ActivitySubtitle string      `json:"activitySubtitle"`
	Facts            []teamsFact `json:"facts"`
}

type teamsFact struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// gchatMessage is a Google Chat card message.
type gchatMessage struct {
	Cards []gchatCard `json:"cards"`
}

type gchatCard struct {
	Header   gchatHeader    `json:"header"`
	Sections []gchatSection `json:"sections"`
}

type gchatHeader struct {
	Title    string `json:"title"`
	Subtitle string `json:"subtitle"`
}

type gchatSection struct {
	Widgets []gchatWidget `json:"widgets"`
}

type gchatWidget struct {
	TextParagraph gchatText `json:"textParagraph"`
}

type gchatText struct {
	Text string `json:"text"`
}

// Colours of the messages: error alerts stand out, the others do not.
const (
	slackColor, slackErrorColor   = "good", "danger"
	rocketColor, rocketErrorColor = "#0076D7", "#FF0000"
	teamsColor, teamsErrorColor   = "0076D7", "FF0000"
	// gchatGrey is the colour of the message and field values.
	gchatGrey = "#848484"
	// gchatTitle heads every Google Chat card.
	gchatTitle = "Fledge"
	iconEmoji  = ":rocket:"
)

// Payload is the JSON body posting a to a chat service of type kind, as
// username in channel (Slack, Discord, Rocket.Chat only).
func Payload(kind string, a engine.Alert, username, channel string) ([]byte, error) {
	var body any
	switch kind {
	case v1.AlertSlack, v1.AlertDiscord:
		body = slackPayload(a, username, channel, pick(a, slackColor, slackErrorColor))
	case v1.AlertRocket:
		body = slackPayload(a, username, channel, pick(a, rocketColor, rocketErrorColor))
	case v1.AlertMSTeams:
		body = teamsPayload(a)
	case v1.AlertGChat:
		body = gchatPayload(a)
	default:
		return nil, fmt.Errorf("alert provider type %q is not supported: use slack, discord, rocket, msteams or gchat", kind)
	}
	b, err := json.Marshal(body)
	if err != nil {
		return nil, fmt.Errorf("encoding the %s message: %w", kind, err)
	}
	return b, nil
}

// pick is the error colour for error alerts and the usual one otherwise.
func pick(a engine.Alert, usual, forError string) string {
	if a.Severity == v1.SeverityError {
		return forError
	}
	return usual
}

// subject is how a message names its canary: "<name>.<namespace>".
func subject(a engine.Alert) string { return a.Canary + "." + a.Namespace }

func slackPayload(a engine.Alert, username, channel, color string) slackMessage {
	fields := make([]slackField, 0, len(a.Fields))
	for _, f := range a.Fields {
		fields = append(fields, slackField{Title: f.Name, Value: f.Value})
	}
	return slackMessage{
		Channel: channel, Username: username, IconEmoji: iconEmoji,
		Attachments: []slackAttachment{{
			Color: color, AuthorName: subject(a), Text: a.Message, MrkdwnIn: []string{"text"}, Fields: fields,
		}},
	}
}

func teamsPayload(a engine.Alert) teamsCard {
	facts := make([]teamsFact, 0, len(a.Fields))
	for _, f := range a.Fields {
		facts = append(facts, teamsFact(f))
	}
	return teamsCard{
		Type: "MessageCard", Context: "http://schema.org/extensions",
		ThemeColor: pick(a, teamsColor, teamsErrorColor), Summary: subject(a),
		Sections: []teamsSection{{ActivityTitle: a.Message, ActivitySubtitle: subject(a), Facts: facts}},
	}
}

func gchatPayload(a engine.Alert) gchatMessage {
	sections := make([]gchatSection, 0, 1+len(a.Fields))
	sections = append(sections, gchatParagraph(grey(a.Message)))
	for _, f := range a.Fields {
		sections = append(sections, gchatParagraph(f.Name+"<br>"+grey(f.Value)))
	}
	return gchatMessage{Cards: []gchatCard{{
		Header:   gchatHeader{Title: gchatTitle, Subtitle: subject(a)},
		Sections: sections,
	}}}
}

func gchatParagraph(text string) gchatSection {
	return gchatSection{Widgets: []gchatWidget{{TextParagraph: gchatText{Text: text}}}}
}

// grey is s in bold grey, in the HTML subset Google Chat's text
// paragraphs render.
func grey(s string) string {
	return "<font color=" + gchatGrey + "><strong>" + s + "</strong></font>"
}
