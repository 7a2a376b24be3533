package query

import (
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"text/template"
)

// textTemplate renders a query as Fledge did before it executed templates
// itself, and as Flagger does: with text/template, nil data and
// missingkey=error. The tests hold the executor to it.
func textTemplate(text string, m Model) (string, error) {
	funcs := template.FuncMap{}
	for name, v := range m.values() {
		funcs[name] = func() any { return v }
	}
	tmpl, err := template.New("query").Funcs(funcs).Option("missingkey=error").Parse(text)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	if err := tmpl.Execute(&out, nil); err != nil {
		return "", err
	}
	return out.String(), nil
}

// execute runs the executor without Render's memo and collapsing.
func execute(text string, m Model) (string, error) {
	tree, err := parseQuery(text)
	if err != nil {
		return "", err
	}
	var out strings.Builder
	s := &state{tree: tree, values: m.values(), out: &out}
	err = s.walk(nil, tree.Root)
	return out.String(), err
}

var testModel = Model{
	Name: "podinfo", Namespace: "test", Target: "podinfo", Service: "podinfo-svc", Ingress: "ing", Route: "rt",
	Interval: "2m", Variables: map[string]string{"code": "404", "empty": "", "host": "app.example.com"},
}

// refusedFunctions are text/template builtins queries cannot call.
var refusedFunctions = regexp.MustCompile(`function "(html|js|urlquery|slice|call)" not defined`)

// unsupported reports whether err refuses a construct on purpose.
func unsupported(err error) bool {
	return err != nil && (strings.Contains(err.Error(), errUnsupported.Error()) || refusedFunctions.MatchString(err.Error()))
}

// sameAsTextTemplate fails the test when the executor and text/template
// disagree about text: both must render the same output, or both fail.
func sameAsTextTemplate(t *testing.T, text string) {
	t.Helper()
	want, wantErr := textTemplate(text, testModel)
	got, err := execute(text, testModel)
	if unsupported(err) {
		return
	}
	switch {
	case (err != nil) != (wantErr != nil):
		t.Errorf("%q: error %v, text/template's %v (output %q, text/template's %q)", text, err, wantErr, got, want)
	case err == nil && got != want:
		t.Errorf("%q: rendered %q, text/template %q", text, got, want)
	}
}

func TestExecuteAsTextTemplate(t *testing.T) {
	for _, text := range []string{
		osmSuccessRate, osmDuration,
		"{{ name }} {{ namespace }} {{ target }} {{ service }} {{ ingress }} {{ route }} {{ interval }}",
		`sum(rate(http_requests_total{status="{{ variables.code }}", host="{{ variables.host }}"}[{{ interval }}]))`,
		"{{- name -}} \n {{/* a comment */}} x {{- /* trimmed */ -}} y",
		`{{ variables.nope }}`, `{{ .x }}`, `{{ . }}`, `{{ nope }}`, `{{ name`, `{{ "a" | name }}`, `{{ name "a" }}`,
		`{{ if variables.empty }}a{{ else }}b{{ end }}`, `{{ if eq variables.code "404" "500" }}4xx{{ end }}`,
		`{{ if ne interval "1m" }}{{ interval }}{{ else if true }}x{{ end }}`,
		`{{ with variables }}{{ .code }}/{{ .host }}{{ end }}`, `{{ with variables.empty }}x{{ else }}none{{ end }}`,
		`{{ with name }}{{ .x }}{{ end }}`,
		`{{ printf "%s-%s" namespace name }}`, `{{ name | printf "%s-primary" }}`, `{{ printf 1 }}`, `{{ printf }}`,
		`{{ print 1 2.5 "a" true nil }}`, `{{ println name }}`, `{{ len variables }}`, `{{ len name }}`, `{{ len 1 }}`,
		`{{ index variables "code" }}`, `{{ index variables "nope" }}`, `{{ index name "x" }}`,
		`{{ not "" }}`, `{{ and 1 "" 2 }}`, `{{ or "" 0 "x" }}`, `{{ and }}`,
		`{{ eq 1 1 }}`, `{{ eq "a" 1 }}`, `{{ lt 1 2 }}`, `{{ ge 2.5 3 }}`, `{{ gt "b" "a" }}`, `{{ le true false }}`,
		`{{ (variables).code }}`, `{{ (printf "%s" name) }}`, `{{ nil }}`, `{{ 1 }}`, `{{ 1.5 }}`, `{{ true }}`, `{{ "s" }}`,
		`{{ $x := 1 }}`, `{{ range variables }}{{ . }}{{ end }}`, `{{ define "x" }}y{{ end }}`, `{{ template "x" }}`,
		`{{ html name }}`, "",
	} {
		sameAsTextTemplate(t, text)
	}
}

// The inputs FuzzRender found interesting render as text/template renders
// them too.
func TestFuzzRenderCorpusAsTextTemplate(t *testing.T) {
	files, err := filepath.Glob("testdata/fuzz/FuzzRender/*")
	if err != nil || len(files) == 0 {
		t.Fatalf("no corpus: %v", err)
	}
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		lines := strings.Split(strings.TrimSpace(string(raw)), "\n")
		arg := strings.TrimSuffix(strings.TrimPrefix(lines[len(lines)-1], "string("), ")")
		text, err := strconv.Unquote(arg)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		sameAsTextTemplate(t, text)
	}
}

// The constructs queries cannot use are refused when the template is
// checked, with the reason.
func TestCheckRefusesWhatItCannotExecute(t *testing.T) {
	for text, want := range map[string]string{
		`{{ $x := name }}{{ $x }}`:                 "a variable is not supported in metric query templates",
		`{{ range variables }}x{{ end }}`:          "range is not supported",
		`{{ define "t" }}x{{ end }}{{ name }}`:     "define is not supported",
		`{{ if true }}{{ template "t" }}{{ end }}`: "template is not supported",
		`{{ urlquery name }}`:                      `function "urlquery" not defined`,
	} {
		err := Check(text)
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Check(%q) = %v, want an error containing %q", text, err, want)
		}
	}
}

func FuzzExecuteAsTextTemplate(f *testing.F) {
	for _, seed := range []string{osmSuccessRate, `{{ if eq variables.code "404" }}{{ name | printf "%s" }}{{ end }}`,
		`{{ with variables }}{{ .code }}{{ end }}`, `{{ and 1 (or "" name) }}`, `{{ index variables "host" }}`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, text string) {
		sameAsTextTemplate(t, text)
	})
}
