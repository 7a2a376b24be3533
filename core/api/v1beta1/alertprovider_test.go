package v1beta1_test

import (
	"reflect"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
)

func TestAlertProviderValidate(t *testing.T) {
	provider := func(mod func(*v1.AlertProviderSpec)) *v1.AlertProvider {
		p := &v1.AlertProvider{ObjectMeta: metav1.ObjectMeta{Name: "on-call", Namespace: "test"},
			Spec: v1.AlertProviderSpec{Type: "slack", Address: "https://hooks.slack.com/services/T0/B0/secret"}}
		mod(&p.Spec)
		return p
	}
	cases := []struct {
		name string
		spec func(*v1.AlertProviderSpec)
		want []string
	}{
		{"slack with address", func(*v1.AlertProviderSpec) {}, nil},
		{"each type", func(s *v1.AlertProviderSpec) { s.Type = "gchat" }, nil},
		{"address from the secret", func(s *v1.AlertProviderSpec) {
			s.Address, s.SecretRef = "", &v1.SecretReference{Name: "slack-url"}
		}, nil},
		{"no type", func(s *v1.AlertProviderSpec) { s.Type = "" },
			[]string{"spec.type: required: use slack, discord, rocket, msteams or gchat"}},
		{"a type Flagger's CRD refuses", func(s *v1.AlertProviderSpec) { s.Type = "pagerduty" },
			[]string{`spec.type: "pagerduty" is not supported: use slack, discord, rocket, msteams or gchat`}},
		{"neither address nor secret", func(s *v1.AlertProviderSpec) { s.Address = "" },
			[]string{"spec.address: required unless secretRef names a Secret with the key address"}},
		{"bad URLs are not echoed", func(s *v1.AlertProviderSpec) {
			s.Address, s.Proxy = "hooks.slack.com/services/T0/B0/secret", "proxy:3128"
		}, []string{
			"spec.address: must be an absolute http or https URL such as https://hooks.slack.com/services/…",
			"spec.proxy: must be an absolute http or https URL such as http://proxy.internal:3128",
		}},
		{"secretRef without name", func(s *v1.AlertProviderSpec) { s.SecretRef = &v1.SecretReference{} },
			[]string{"spec.secretRef.name: required: the name of a Secret with the key address"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := provider(tc.spec).Validate().Strings()
			if len(got) == 0 {
				got = nil
			}
			if !reflect.DeepEqual(got, tc.want) {
				t.Errorf("Validate() =\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestAlertProviderDefaults(t *testing.T) {
	p := &v1.AlertProvider{}
	if p.GetChannel() != "general" || p.GetUsername() != "flagger" {
		t.Errorf("defaults = %q, %q; want general, flagger", p.GetChannel(), p.GetUsername())
	}
	p.Spec.Channel, p.Spec.Username = "on-call", "fledge"
	if p.GetChannel() != "on-call" || p.GetUsername() != "fledge" {
		t.Errorf("set = %q, %q; want on-call, fledge", p.GetChannel(), p.GetUsername())
	}
}
