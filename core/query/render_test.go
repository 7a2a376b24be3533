package query

import (
	"strings"
	"testing"
)

func TestBuiltinQueriesOnTheWire(t *testing.T) {
	m := Model{Name: "podinfo", Namespace: "default", Target: "podinfo"}
	tests := []struct {
		name     string
		render   func(Model) (string, error)
		interval string
		want     string
	}{
		{
			name: "success rate", render: SuccessRate, interval: "1m",
			want: ` sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo", response_code!~"5.*" }[1m] ) ) / sum( rate( osm_request_total{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[1m] ) ) * 100`,
		},
		{
			name: "duration", render: Duration, interval: "30s",
			want: ` histogram_quantile( 0.99, sum( rate( osm_request_duration_ms_bucket{ destination_namespace="default", destination_kind="Deployment", destination_name="podinfo" }[30s] ) ) by (le) )`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			m.Interval = tc.interval
			got, err := tc.render(m)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got\n%q\nwant\n%q", got, tc.want)
			}
		})
	}
}

func TestRender(t *testing.T) {
	m := Model{
		Name: "podinfo", Namespace: "test", Target: "podinfo", Service: "podinfo-svc",
		Ingress: "ing", Route: "rt", Interval: "2m", Variables: map[string]string{"code": "404"},
	}
	tests := []struct {
		name, text, want, wantErr string
	}{
		{name: "all functions", text: "{{ name }} {{ namespace }} {{ target }} {{ service }} {{ ingress }} {{ route }} {{ interval }}",
			want: "podinfo test podinfo podinfo-svc ing rt 2m"},
		{name: "variable", text: `x{code="{{ variables.code }}"}`, want: `x{code="404"}`},
		{name: "missing variable", text: `{{ variables.nope }}`, wantErr: "template execution failed"},
		{name: "unknown function", text: `{{ nope }}`, wantErr: "template parsing failed"},
		{name: "unclosed action", text: `{{ name `, wantErr: "template parsing failed"},
		{name: "collapses white space, keeping a trailing run as one space as Flagger", text: "a\n\t  b\n", want: "a b "},
		{name: "keeps a leading run as one space", text: "\n  \f\ra\r\nb", want: " a b"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got, err := Render(tc.text, m)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("got %q, want %q", got, tc.want)
			}
		})
	}
}

func TestCheck(t *testing.T) {
	if err := Check(`sum(rate(x[{{ interval }}])) {{ variables.a }}`); err != nil {
		t.Errorf("valid template rejected: %v", err)
	}
	if err := Check(`{{ bogus }}`); err == nil {
		t.Error("unknown function accepted")
	}
}

func FuzzRender(f *testing.F) {
	f.Add(osmSuccessRate)
	f.Add(osmDuration)
	f.Add(`{{ variables.a }}{{ interval }}`)
	f.Fuzz(func(t *testing.T, text string) {
		m := Model{Name: "n", Namespace: "ns", Target: "t", Interval: "1m", Variables: map[string]string{"a": "b"}}
		out, err := Render(text, m)
		if err == nil && strings.ContainsAny(out, "\n\t") {
			t.Errorf("rendered query not collapsed: %q", out)
		}
	})
}
