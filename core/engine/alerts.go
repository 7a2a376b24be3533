package engine

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/decide"
)

// Alert is one message for people, sent at the moments Flagger alerts:
// a canary initialized, an analysis started, a gate waiting for approval,
// a rollback, a promotion finished or failed. The engine decides what is
// sent, when and to whom; an Alerts adapter only formats and posts it.
type Alert struct {
	Time time.Time `json:"time"`
	// Canary and Namespace name the canary; chat messages show them as
	// "<canary>.<namespace>".
	Canary    string `json:"canary"`
	Namespace string `json:"namespace"`
	// Severity is info, warn or error.
	Severity string `json:"severity"`
	Message  string `json:"message"`
	// Fields are the facts shown under the message: the cluster when the
	// controller has a -cluster-name, and for the alerts that announce an
	// analysis the target, threshold, deadline and traffic routing.
	Fields []AlertField `json:"fields,omitempty"`
	// Receivers are the canary's analysis.alerts whose severity takes this
	// alert; empty when it goes to the controller-wide notifier (Global).
	Receivers []AlertReceiver `json:"receivers,omitempty"`
	// Global is set when the canary has no analysis.alerts and the alert
	// goes to the controller's -slack-url or -msteams-url notifier.
	Global bool `json:"global,omitempty"`
}

// AlertField is one named fact of an alert.
type AlertField struct {
	Name  string `json:"name"`
	Value string `json:"value"`
}

// AlertReceiver is one entry of analysis.alerts that takes an alert: its
// name and the AlertProvider it names, with the namespace resolved.
type AlertReceiver struct {
	Name              string `json:"name"`
	Provider          string `json:"provider"`
	ProviderNamespace string `json:"providerNamespace"`
}

// Alerts delivers alerts. Send must not block on the network: a tick never
// waits for a chat server.
type Alerts interface {
	Send(a Alert)
}

// Receives reports whether an analysis.alerts entry of severity
// receiverSeverity takes an alert of severity alertSeverity: info takes
// every alert, warn takes warn and error, error takes error only. An empty
// severity is info (Flagger sends nothing to it, against its own CRD's
// documented default).
func Receives(receiverSeverity, alertSeverity string) bool {
	switch receiverSeverity {
	case "", v1.SeverityInfo:
		return true
	case v1.SeverityWarn:
		return alertSeverity == v1.SeverityWarn || alertSeverity == v1.SeverityError
	default:
		return receiverSeverity == alertSeverity
	}
}

// alertReceivers are the canary's alerts entries that take an alert of
// severity, in spec order.
func alertReceivers(cd *v1.Canary, severity string) []AlertReceiver {
	var out []AlertReceiver
	for _, al := range cd.GetAnalysis().Alerts {
		if !Receives(al.Severity, severity) {
			continue
		}
		ns := al.ProviderRef.Namespace
		if ns == "" {
			ns = cd.Namespace
		}
		out = append(out, AlertReceiver{Name: al.Name, Provider: al.ProviderRef.Name, ProviderNamespace: ns})
	}
	return out
}

// AlertMetadata are the facts Flagger adds to the alerts that announce an
// analysis: the target, the failed-checks threshold, the progress deadline
// and how traffic is routed. The maximum weight is the one the analysis
// uses (Flagger prints spec.analysis.maxWeight as written, 0 when unset).
func AlertMetadata(cd *v1.Canary) []AlertField {
	a := cd.GetAnalysis()
	fields := []AlertField{
		{Name: "Target", Value: fmt.Sprintf("%s/%s.%s", cd.Spec.TargetRef.Kind, cd.Spec.TargetRef.Name, cd.Namespace)},
		{Name: "Failed checks threshold", Value: strconv.Itoa(cd.GetThreshold())},
		{Name: "Progress deadline", Value: fmt.Sprintf("%ds", cd.GetProgressDeadlineSeconds())},
	}
	var routing string
	switch {
	case a.StepWeight > 0:
		routing = fmt.Sprintf("Weight step: %d max: %d", a.StepWeight, decide.MaxWeight(a))
	case len(a.StepWeights) > 0:
		steps := make([]string, len(a.StepWeights))
		for i, w := range a.StepWeights {
			steps[i] = strconv.Itoa(w)
		}
		routing = fmt.Sprintf("Weight steps: %s max: %d", strings.Join(steps, ","), decide.MaxWeight(a))
	case len(a.Match) > 0:
		routing = "A/B Testing"
	case a.Iterations > 0:
		routing = "Blue/Green"
	default:
		return fields
	}
	return append(fields, AlertField{Name: "Traffic routing", Value: routing})
}

// alert sends an alert of the canary to the receivers its severity
// selects, and records it in the trace. withMetadata adds AlertMetadata.
// Nothing is sent when no receiver takes it.
func (t *tick) alert(severity string, withMetadata bool, format string, args ...any) {
	al := Alert{
		Time: t.now, Canary: t.cd.Name, Namespace: t.ns(),
		Severity: severity, Message: fmt.Sprintf(format, args...),
	}
	if len(t.a.Alerts) > 0 {
		al.Receivers = alertReceivers(t.cd, severity)
		if len(al.Receivers) == 0 {
			return
		}
	} else {
		if !t.e.Config.GlobalAlerts {
			return
		}
		al.Global = true
	}
	if t.e.Config.ClusterName != "" {
		al.Fields = append(al.Fields, AlertField{Name: "Cluster", Value: t.e.Config.ClusterName})
	}
	if withMetadata {
		al.Fields = append(al.Fields, AlertMetadata(t.cd)...)
	}
	t.rec.Alerts = append(t.rec.Alerts, al)
	if t.e.Alerts != nil {
		t.e.Alerts.Send(al)
	}
}

// gateAlert alerts that a gate is waiting for approval, unless the hook
// mutes its alerts.
func (t *tick) gateAlert(hook v1.CanaryWebhook, message string) {
	if !hook.MuteAlert {
		t.alert(v1.SeverityWarn, false, "%s", message)
	}
}
