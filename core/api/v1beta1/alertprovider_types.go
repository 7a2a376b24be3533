package v1beta1

import (
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// The chat services an AlertProvider can post to, as in Flagger.
const (
	AlertSlack   = "slack"
	AlertDiscord = "discord"
	AlertRocket  = "rocket"
	AlertMSTeams = "msteams"
	AlertGChat   = "gchat"
)

// Defaults of an AlertProvider, as in Flagger.
const (
	DefaultAlertChannel  = "general"
	DefaultAlertUsername = "flagger"
)

// The keys of an AlertProvider's secret.
const (
	// AlertSecretAddress holds the webhook URL; it overrides spec.address.
	AlertSecretAddress = "address"
	// AlertSecretToken holds a bearer token sent with every post.
	AlertSecretToken = "token"
	// AlertSecretProxy holds the proxy URL; it overrides spec.proxy.
	AlertSecretProxy = "proxy"
)

// The severities of an alert and of a canary's alerts[].severity.
const (
	SeverityInfo  = "info"
	SeverityWarn  = "warn"
	SeverityError = "error"
)

// AlertProvider is a chat service that receives the alerts of the canaries
// naming it in analysis.alerts[].providerRef.
//
// +kubebuilder:object:root=true
// +kubebuilder:subresource:status
// +kubebuilder:resource:categories=all
// +kubebuilder:printcolumn:name="Type",type=string,JSONPath=`.spec.type`
type AlertProvider struct {
	metav1.TypeMeta   `json:",inline"`
	metav1.ObjectMeta `json:"metadata,omitempty"`

	Spec AlertProviderSpec `json:"spec"`
	// +optional
	Status AlertProviderStatus `json:"status,omitempty"`
}

// AlertProviderList is a list of AlertProviders.
//
// +kubebuilder:object:root=true
type AlertProviderList struct {
	metav1.TypeMeta `json:",inline"`
	metav1.ListMeta `json:"metadata,omitempty"`
	Items           []AlertProvider `json:"items"`
}

// AlertProviderSpec says where and as whom alerts are posted.
type AlertProviderSpec struct {
	// Type of the chat service.
	// +kubebuilder:validation:Enum=slack;discord;rocket;msteams;gchat
	Type string `json:"type"`
	// Channel posted to (Slack, Discord, Rocket.Chat); default "general".
	// +optional
	Channel string `json:"channel,omitempty"`
	// Username the posts appear under (Slack, Discord, Rocket.Chat);
	// default "flagger".
	// +optional
	Username string `json:"username,omitempty"`
	// Address is the incoming-webhook URL; the secret's "address" key
	// overrides it.
	// +optional
	Address string `json:"address,omitempty"`
	// Proxy is the URL of an HTTP proxy to post through; the secret's
	// "proxy" key overrides it.
	// +optional
	Proxy string `json:"proxy,omitempty"`
	// SecretRef names a Secret in the provider's namespace with the keys
	// address, token and proxy, each optional.
	// +optional
	SecretRef *SecretReference `json:"secretRef,omitempty"`
}

// AlertProviderStatus is the observed state of an AlertProvider.
type AlertProviderStatus struct {
	// +optional
	Conditions []CanaryCondition `json:"conditions,omitempty"`
}

// GetChannel is the channel, "general" when unset.
func (p *AlertProvider) GetChannel() string {
	if p.Spec.Channel == "" {
		return DefaultAlertChannel
	}
	return p.Spec.Channel
}

// GetUsername is the username, "flagger" when unset.
func (p *AlertProvider) GetUsername() string {
	if p.Spec.Username == "" {
		return DefaultAlertUsername
	}
	return p.Spec.Username
}

// Validate checks the AlertProvider as Fledge will post with it and reports
// every problem at once. An address may come from the secret, so neither
// address nor secretRef alone is required, but one of them is.
func (p *AlertProvider) Validate() FieldErrors {
	r := &report{}
	if p.Name == "" {
		r.fail("metadata.name", "required")
	}
	switch p.Spec.Type {
	case AlertSlack, AlertDiscord, AlertRocket, AlertMSTeams, AlertGChat:
	case "":
		r.fail("spec.type", "required: use slack, discord, rocket, msteams or gchat")
	default:
		r.fail("spec.type", "%q is not supported: use slack, discord, rocket, msteams or gchat", p.Spec.Type)
	}
	// The URLs are not repeated in the reasons: a chat webhook URL carries
	// its secret in the path.
	if p.Spec.Address != "" && !isHTTPURL(p.Spec.Address) {
		r.fail("spec.address", "must be an absolute http or https URL such as https://hooks.slack.com/services/…")
	}
	if p.Spec.Proxy != "" && !isHTTPURL(p.Spec.Proxy) {
		r.fail("spec.proxy", "must be an absolute http or https URL such as http://proxy.internal:3128")
	}
	switch {
	case p.Spec.SecretRef != nil && p.Spec.SecretRef.Name == "":
		r.fail("spec.secretRef.name", "required: the name of a Secret with the key address")
	case p.Spec.SecretRef == nil && p.Spec.Address == "":
		r.fail("spec.address", "required unless secretRef names a Secret with the key address")
	}
	return r.errs
}

// isHTTPURL reports whether s is an absolute http or https URL.
func isHTTPURL(s string) bool {
	return httpURLProblem(s, "") == ""
}
