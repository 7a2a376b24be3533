package prometheus

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"math"
	"net/http"
	"net/http/httptest"
	"net/url"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	v1 "github.com/fledge-canary/fledge/core/api/v1beta1"
	"github.com/fledge-canary/fledge/core/engine"
)

// at is the evaluation instant every test query asks for.
var at = time.Date(2026, 1, 2, 3, 4, 5, 123000000, time.UTC)

const one = `{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1767323045.123,"1"]}]}}`

// recorder is a Prometheus stand-in that keeps every request it got.
type recorder struct {
	mu   sync.Mutex
	reqs []*http.Request
	body string
	code int
}

func (r *recorder) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	r.mu.Lock()
	r.reqs = append(r.reqs, req.Clone(context.Background()))
	code, body := r.code, r.body
	r.mu.Unlock()
	if code != 0 {
		w.WriteHeader(code)
	}
	fmt.Fprint(w, body)
}

func (r *recorder) last(t *testing.T) *http.Request {
	t.Helper()
	r.mu.Lock()
	defer r.mu.Unlock()
	if len(r.reqs) == 0 {
		t.Fatal("server got no request")
	}
	return r.reqs[len(r.reqs)-1]
}

func (r *recorder) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return len(r.reqs)
}

func serve(t *testing.T, body string) (*recorder, *httptest.Server) {
	t.Helper()
	rec := &recorder{body: body}
	srv := httptest.NewServer(rec)
	t.Cleanup(srv.Close)
	return rec, srv
}

// secrets is a SecretGetter over a map keyed by namespace/name.
type secrets map[string]map[string][]byte

func (s secrets) GetSecret(_ context.Context, ns, name string) (map[string][]byte, error) {
	data, ok := s[ns+"/"+name]
	if !ok {
		return nil, fmt.Errorf("secrets %q not found", name)
	}
	return data, nil
}

func template(ns, address string, mods ...func(*v1.MetricTemplateProvider)) *v1.MetricTemplate {
	tmpl := &v1.MetricTemplate{}
	tmpl.Namespace, tmpl.Name = ns, "latency"
	tmpl.Spec.Provider = v1.MetricTemplateProvider{Type: "prometheus", Address: address}
	for _, m := range mods {
		m(&tmpl.Spec.Provider)
	}
	return tmpl
}

func withSecret(name string) func(*v1.MetricTemplateProvider) {
	return func(p *v1.MetricTemplateProvider) { p.SecretRef = &v1.SecretReference{Name: name} }
}

func TestQuerySendsPathQueryAndTime(t *testing.T) {
	rec, srv := serve(t, one)
	c := New(Options{DefaultAddress: srv.URL + "/prom/"})
	promql := "sum(rate(x{a=\"b c\"}[1m]))\n/ 2"
	v, err := c.Query(context.Background(), engine.Query{PromQL: promql, At: at})
	if err != nil || v != 1 {
		t.Fatalf("Query = %v, %v; want 1, nil", v, err)
	}
	req := rec.last(t)
	if req.Method != http.MethodGet || req.URL.Path != "/prom/api/v1/query" {
		t.Errorf("request %s %s, want GET /prom/api/v1/query", req.Method, req.URL.Path)
	}
	got := req.URL.Query()
	if got.Get("query") != promql {
		t.Errorf("query = %q, want %q", got.Get("query"), promql)
	}
	if got.Get("time") != "2026-01-02T03:04:05.123Z" {
		t.Errorf("time = %q, want 2026-01-02T03:04:05.123Z", got.Get("time"))
	}
}

func TestQueryAddressChoice(t *testing.T) {
	recT, tmplSrv := serve(t, one)
	recS, srcSrv := serve(t, one)
	recD, defSrv := serve(t, one)
	c := New(Options{DefaultAddress: defSrv.URL})
	tests := map[string]struct {
		src  engine.Source
		want *recorder
	}{
		"template address wins":   {engine.Source{Address: srcSrv.URL, Template: template("ns", tmplSrv.URL)}, recT},
		"template without one":    {engine.Source{Address: srcSrv.URL, Template: template("ns", "")}, recS},
		"source address":          {engine.Source{Address: srcSrv.URL}, recS},
		"controller's by default": {engine.Source{}, recD},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			before := tc.want.count()
			if _, err := c.Query(context.Background(), engine.Query{Source: tc.src, PromQL: "x", At: at}); err != nil {
				t.Fatal(err)
			}
			if tc.want.count() != before+1 {
				t.Errorf("the expected server got no query")
			}
		})
	}
}

func TestQueryInvalidAddress(t *testing.T) {
	for _, addr := range []string{"", "prometheus:9090", "ftp://prom", "http://", "http://a b", "http://user:hunter2@:bad"} {
		_, err := New(Options{DefaultAddress: addr}).Query(context.Background(), engine.Query{PromQL: "x", At: at})
		if err == nil || !strings.Contains(err.Error(), "is not a valid URL") {
			t.Errorf("address %q: err = %v, want not a valid URL", addr, err)
		}
		if err != nil && strings.Contains(err.Error(), "hunter2") {
			t.Errorf("address %q: error shows the password: %v", addr, err)
		}
	}
}

func TestQueryAuth(t *testing.T) {
	store := secrets{
		"tmpl-ns/bearer":   {"token": []byte("tok-123\n")},
		"tmpl-ns/basic":    {"username": []byte("alice"), "password": []byte("pw")},
		"canary-ns/bearer": {"token": []byte("from-canary-ns")},
		"tmpl-ns/half":     {"username": []byte("alice")},
	}
	tests := map[string]struct {
		ns, secret string
		getter     SecretGetter
		wantAuth   string
		wantErr    string
	}{
		"bearer token":              {ns: "tmpl-ns", secret: "bearer", getter: store, wantAuth: "Bearer tok-123"},
		"basic auth":                {ns: "tmpl-ns", secret: "basic", getter: store, wantAuth: "Basic YWxpY2U6cHc="},
		"canary namespace":          {ns: "", secret: "bearer", getter: store, wantAuth: "Bearer from-canary-ns"},
		"username without password": {ns: "tmpl-ns", secret: "half", getter: store, wantErr: "secret tmpl-ns/half has neither token nor username and password"},
		"missing secret":            {ns: "tmpl-ns", secret: "nope", getter: store, wantErr: `secret tmpl-ns/nope: secrets "nope" not found`},
		"no secret reader":          {ns: "tmpl-ns", secret: "bearer", wantErr: "secret tmpl-ns/bearer: no secret reader configured"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			rec, srv := serve(t, one)
			c := New(Options{Secrets: tc.getter})
			src := engine.Source{Template: template(tc.ns, srv.URL, withSecret(tc.secret))}
			_, err := c.Query(context.Background(), engine.Query{Source: src, Namespace: "canary-ns", PromQL: "x", At: at})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got := rec.last(t).Header.Get("Authorization"); got != tc.wantAuth {
				t.Errorf("Authorization = %q, want %q", got, tc.wantAuth)
			}
		})
	}
}

func TestQueryHeadersCopiedNotShared(t *testing.T) {
	rec, srv := serve(t, one)
	tmpl := template("ns", srv.URL, withSecret("auth"), func(p *v1.MetricTemplateProvider) {
		p.Headers = map[string][]string{"X-Scope-OrgID": {"tenant-a"}, "X-Multi": {"1", "2"}}
	})
	want := map[string][]string{"X-Scope-OrgID": {"tenant-a"}, "X-Multi": {"1", "2"}}
	c := New(Options{Secrets: secrets{"ns/auth": {"token": []byte("tok")}}})
	var wg sync.WaitGroup
	errs := make(chan error, 100)
	for range 100 {
		wg.Go(func() {
			_, err := c.Query(context.Background(), engine.Query{Source: engine.Source{Template: tmpl}, PromQL: "x", At: at})
			errs <- err
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	if !reflect.DeepEqual(tmpl.Spec.Provider.Headers, want) {
		t.Errorf("template headers became %v, want %v", tmpl.Spec.Provider.Headers, want)
	}
	h := rec.last(t).Header
	if h.Get("X-Scope-OrgID") != "tenant-a" || !reflect.DeepEqual(h.Values("X-Multi"), []string{"1", "2"}) ||
		!reflect.DeepEqual(h.Values("Authorization"), []string{"Bearer tok"}) {
		t.Errorf("request headers = %v", h)
	}
}

func TestQueryResults(t *testing.T) {
	vector := func(values ...string) string {
		var s []string
		for i, v := range values {
			s = append(s, fmt.Sprintf(`{"metric":{"pod":"p%d"},"value":[1767323045.123,%q]}`, i, v))
		}
		return `{"status":"success","data":{"resultType":"vector","result":[` + strings.Join(s, ",") + `]}}`
	}
	tests := map[string]struct {
		body    string
		want    float64
		wantErr string
	}{
		"one series":      {body: vector("99.5"), want: 99.5},
		"no series":       {body: vector(), wantErr: "no values found"},
		"NaN":             {body: vector("NaN"), wantErr: "no values found"},
		"+Inf":            {body: vector("+Inf"), want: math.Inf(1)},
		"-Inf":            {body: vector("-Inf"), want: math.Inf(-1)},
		"several series":  {body: vector("1", "2", "3"), wantErr: "query returned 3 series, expected one"},
		"scalar":          {body: `{"status":"success","data":{"resultType":"scalar","result":[1767323045.123,"42"]}}`, want: 42},
		"scalar NaN":      {body: `{"status":"success","data":{"resultType":"scalar","result":[1767323045.123,"NaN"]}}`, wantErr: "no values found"},
		"matrix":          {body: `{"status":"success","data":{"resultType":"matrix","result":[{"metric":{},"values":[[1,"1"]]}]}}`, wantErr: "query returned a range vector (matrix), expected an instant vector or a scalar"},
		"string":          {body: `{"status":"success","data":{"resultType":"string","result":[1,"a"]}}`, wantErr: `query returned result type "string", expected an instant vector or a scalar`},
		"status error":    {body: `{"status":"error","errorType":"bad_data","error":"parse error"}`, wantErr: "query failed: bad_data: parse error"},
		"malformed JSON":  {body: `{"status":"success","data":`, wantErr: "error unmarshaling result: unexpected end of JSON input"},
		"value not float": {body: vector("fast"), wantErr: `error unmarshaling result: sample value "fast" is not a number`},
		"short sample":    {body: `{"status":"success","data":{"resultType":"vector","result":[{"value":["1"]}]}}`, wantErr: "error unmarshaling result: sample has 1 elements, expected 2"},
	}
	for name, tc := range tests {
		t.Run(name, func(t *testing.T) {
			_, srv := serve(t, tc.body)
			v, err := New(Options{DefaultAddress: srv.URL}).Query(context.Background(), engine.Query{PromQL: "x", At: at})
			if tc.wantErr != "" {
				if err == nil || err.Error() != tc.wantErr {
					t.Fatalf("err = %v, want %q", err, tc.wantErr)
				}
				if tc.wantErr == "no values found" && !errors.Is(err, engine.ErrNoValues) {
					t.Errorf("errors.Is(%v, ErrNoValues) = false", err)
				}
				return
			}
			if err != nil || v != tc.want {
				t.Fatalf("Query = %v, %v; want %v", v, err, tc.want)
			}
		})
	}
}

func TestQueryErrorResponse(t *testing.T) {
	rec, srv := serve(t, "")
	rec.code, rec.body = http.StatusInternalServerError, "boom\n"
	_, err := New(Options{DefaultAddress: srv.URL}).Query(context.Background(), engine.Query{PromQL: "x", At: at})
	if want := "error response: Status 500 Internal Server Error: boom"; err == nil || err.Error() != want {
		t.Errorf("err = %q, want %q", err, want)
	}
	rec.code, rec.body = http.StatusBadRequest, strings.Repeat("x", 5000)
	_, err = New(Options{DefaultAddress: srv.URL}).Query(context.Background(), engine.Query{PromQL: "x", At: at})
	if err == nil || len(err.Error()) > 1200 || !strings.HasSuffix(err.Error(), "…(truncated)") {
		t.Errorf("a 5000-byte body gave an error of %d bytes: %.80q", len(err.Error()), err)
	}
}

func TestQueryTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := httptest.NewServer(http.HandlerFunc(func(_ http.ResponseWriter, r *http.Request) {
		select {
		case <-r.Context().Done():
		case <-release:
		}
	}))
	t.Cleanup(srv.Close)
	t.Cleanup(func() { close(release) })
	c := New(Options{DefaultAddress: srv.URL, Timeout: 50 * time.Millisecond})
	start := time.Now()
	_, err := c.Query(context.Background(), engine.Query{PromQL: "x", At: at})
	if elapsed := time.Since(start); elapsed > 5*time.Second {
		t.Errorf("Query returned after %v with a 50ms timeout", elapsed)
	}
	if err == nil || !strings.HasPrefix(err.Error(), "request failed: ") || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err = %v, want request failed: … context deadline exceeded", err)
	}
}

func TestTimeoutBounds(t *testing.T) {
	for in, want := range map[time.Duration]time.Duration{0: DefaultTimeout, -1: DefaultTimeout, time.Second: time.Second, time.Hour: MaxTimeout} {
		if got := New(Options{Timeout: in}).timeout; got != want {
			t.Errorf("Timeout %v gave %v, want %v", in, got, want)
		}
	}
}

func TestAvailable(t *testing.T) {
	rec, srv := serve(t, one)
	c := New(Options{DefaultAddress: srv.URL})
	if err := c.Available(context.Background(), engine.Source{}); err != nil {
		t.Fatal(err)
	}
	q := rec.last(t).URL.Query()
	if q.Get("query") != "vector(1)" || q.Has("time") {
		t.Errorf("probe sent %v, want query=vector(1) and no time", q)
	}
	rec.body = strings.Replace(one, `"1"]`, `"2"]`, 1)
	if err := c.Available(context.Background(), engine.Source{}); err == nil || err.Error() != "vector(1) returned 2, expected 1" {
		t.Errorf("err = %v", err)
	}
}

func TestInsecureSkipVerify(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, one) }))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the refused handshake
	srv.StartTLS()
	t.Cleanup(srv.Close)
	c := New(Options{})
	q := engine.Query{Source: engine.Source{Template: template("ns", srv.URL)}, PromQL: "x", At: at}
	if _, err := c.Query(context.Background(), q); err == nil {
		t.Fatal("a self-signed server was trusted without insecureSkipVerify")
	}
	q.Template = template("ns", srv.URL, func(p *v1.MetricTemplateProvider) { p.InsecureSkipVerify = true })
	for range 3 {
		if _, err := c.Query(context.Background(), q); err != nil {
			t.Fatal(err)
		}
	}
	if first, again := c.insecure(), c.insecure(); first != again || first.Transport == c.base.Transport {
		t.Error("the insecure client is not one cached client with its own transport")
	}
}

func TestQueryURLKeepsNoFragment(t *testing.T) {
	got, err := queryURL("https://prom.example/base#frag", "up", time.Time{})
	if err != nil {
		t.Fatal(err)
	}
	u, _ := url.Parse(got)
	if u.Path != "/base/api/v1/query" || u.Fragment != "" || u.Query().Get("query") != "up" {
		t.Errorf("queryURL = %s", got)
	}
}
